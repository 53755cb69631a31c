package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * metrics' counting from saved marks, across runs (each advance is a new LogTail, as each
 * scrape is a new process): the first run starts at the end; each later one counts exactly the
 * lines added, across a rename and new file, a rename to .1 then gzip, copytruncate, two
 * rotations between runs, and the journal resumed from its saved cursor.
 */
class DeliveryCountingTest {
    private static final ProviderGroups GROUPS = ProviderGroups.builtIn();
    private final Map<String, LogMark> marks = new LinkedHashMap<>();
    private int serial;

    private String line(String status) {
        serial++;
        return "Nov 29 10:00:" + String.format("%02d", serial % 60) + " h postfix-msn-a/smtp[1]: Q" + serial
                + ": to=<u" + serial + "@hotmail.com>, relay=x[1.2.3.4]:25, dsn=4.7.0, status=" + status
                + (status.equals("deferred") ? " (host x[1.2.3.4] said: 451 4.7.651 rate limited)" : " (250 ok)") + "\n";
    }

    private void append(Path log, int sent, int deferred) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sent; i++) {
            b.append(line("sent"));
        }
        for (int i = 0; i < deferred; i++) {
            b.append(line("deferred"));
        }
        // a line of another program and one of another instance: never counted
        b.append("Nov 29 10:00:00 h postfix-msn-a/qmgr[2]: Q0: removed\n");
        b.append("Nov 29 10:00:00 h postfix-aol-a/smtp[1]: Q9: to=<x@aol.com>, status=sent (250 ok)\n");
        Files.writeString(log, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** {sent, deferred} counted for msn-a/msn by one run; marks saved for the next. */
    private long[] run(List<LogSource> sources) {
        DeliveryCounting.Counted c = DeliveryCounting.advance(sources, marks, 0, Set.of("postfix-msn-a"), GROUPS,
                r -> r.contains("4.7.651") ? "microsoft-4.7.651" : "x", new ProcessRunner());
        c.marks().forEach(m -> marks.put(m.source(), m));
        long[] n = c.deliveries().getOrDefault("postfix-msn-a", Map.of()).getOrDefault("msn", new long[3]);
        long reasons = c.deferrals().getOrDefault("postfix-msn-a", Map.of()).getOrDefault("microsoft-4.7.651", 0L);
        assertEquals(n[1], reasons, "every deferral has its reason");
        return new long[] {n[0], n[1]};
    }

    private static void assertCounted(long sent, long deferred, long[] got) {
        assertEquals(List.of(sent, deferred), List.of(got[0], got[1]));
    }

    private static List<LogSource> source(Path log) {
        return List.of(new LogSource(LogSource.Kind.FILE, log, Instant.now()));
    }

    private static void gzip(Path from, Path to) throws Exception {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(to))) {
            o.write(Files.readAllBytes(from));
        }
        Files.delete(from);
    }

    @Test
    void startsAtTheEndThenCountsWhatIsAddedAndWaitsForAHalfLine(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        append(log, 3, 2);
        assertCounted(0, 0, run(source(log)));
        append(log, 2, 1);
        String half = line("sent");
        Files.writeString(log, half.substring(0, 40), StandardOpenOption.APPEND);
        assertCounted(2, 1, run(source(log)));
        assertCounted(0, 0, run(source(log)));
        Files.writeString(log, half.substring(40), StandardOpenOption.APPEND);
        assertCounted(1, 0, run(source(log)));
    }

    @Test
    void renameAndNewFileThenDelaycompress(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        append(log, 3, 2);
        assertCounted(0, 0, run(source(log)));
        // logrotate with delaycompress: mail.log -> mail.log.1, a new mail.log
        append(log, 1, 1);
        Files.move(log, tmp.resolve("mail.log.1"));
        append(log, 4, 0);
        assertCounted(5, 1, run(source(log)));
        // next rotation: mail.log.1 -> mail.log.2.gz, mail.log -> mail.log.1, after more lines
        append(log, 0, 3);
        gzip(tmp.resolve("mail.log.1"), tmp.resolve("mail.log.2.gz"));
        Files.move(log, tmp.resolve("mail.log.1"));
        append(log, 1, 0);
        assertCounted(1, 3, run(source(log)));
        assertCounted(0, 0, run(source(log)));
    }

    @Test
    void postfixLogrotateRenamesAndCompressesAtOnce(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("postfix.log");
        append(log, 3, 0);
        assertCounted(0, 0, run(source(log)));
        append(log, 2, 2);
        Files.move(log, tmp.resolve("postfix.log.20261201-100000"));
        gzip(tmp.resolve("postfix.log.20261201-100000"), tmp.resolve("postfix.log.20261201-100000.gz"));
        append(log, 1, 0);
        assertCounted(3, 2, run(source(log)));
        append(log, 0, 1);
        Files.move(log, tmp.resolve("postfix.log.20261202-100000"));
        gzip(tmp.resolve("postfix.log.20261202-100000"), tmp.resolve("postfix.log.20261202-100000.gz"));
        append(log, 2, 0);
        assertCounted(2, 1, run(source(log)));
    }

    @Test
    void copytruncateIsFinishedFromTheCopy(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        append(log, 3, 0);
        assertCounted(0, 0, run(source(log)));
        append(log, 5, 0);
        Files.copy(log, tmp.resolve("mail.log.1"));
        Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        // more written after the truncation than was there before: the size alone would not tell
        append(log, 12, 2);
        assertCounted(17, 2, run(source(log)));
        assertCounted(0, 0, run(source(log)));
    }

    @Test
    void twoRotationsBetweenRuns(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        append(log, 3, 0);
        assertCounted(0, 0, run(source(log)));
        append(log, 1, 0);
        Files.move(log, tmp.resolve("mail.log.1"));
        append(log, 2, 0);
        Files.move(tmp.resolve("mail.log.1"), tmp.resolve("mail.log.2"));
        Files.move(log, tmp.resolve("mail.log.1"));
        append(log, 0, 1);
        assertCounted(3, 1, run(source(log)));
        assertCounted(0, 0, run(source(log)));
    }

    @Test
    void aReplacedFileWithNoRotatedSiblingStartsOver(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        List<LogSource> src = source(log);
        append(log, 3, 0);
        assertCounted(0, 0, run(src));
        Files.delete(log);
        append(log, 1, 1);
        assertCounted(1, 1, run(src));
    }

    @Test
    void theJournalResumesAfterItsSavedCursor(@TempDir Path tmp) throws Exception {
        boolean have = Files.isExecutable(Path.of(LogFollowerTest.JOURNAL_REMOTE))
                && Files.isExecutable(Path.of("/usr/bin/journalctl"));
        if ("true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.assertTrue(have, "systemd-journal-remote and journalctl are needed");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(have, "systemd-journal-remote or journalctl missing");
        Path dir = tmp.resolve("journal");
        Files.createDirectories(dir);
        long t0 = Instant.now().getEpochSecond() - 100;
        LogFollowerTest.journal(dir.resolve("a.journal"),
                LogFollowerTest.exportEntry(t0, 0, "postfix-msn-a/smtp", "A1: to=<a@hotmail.com>, status=sent (250 ok)")
                + LogFollowerTest.exportEntry(t0 + 1, 1, "postfix-msn-a/smtp",
                "A2: to=<b@hotmail.com>, status=deferred (451 4.7.651 rate limited)"));
        List<LogSource> src = List.of(new LogSource(LogSource.Kind.JOURNAL, dir, Instant.now()));
        DeliveryCounting.Counted c = DeliveryCounting.advance(src, marks, (t0 - 1) * 1000, Set.of("postfix-msn-a"),
                GROUPS, r -> "x", new ProcessRunner());
        assertEquals(List.of(1L, 1L), List.of(c.deliveries().get("postfix-msn-a").get("msn")[0],
                c.deliveries().get("postfix-msn-a").get("msn")[1]));
        assertEquals(1, c.marks().size());
        c.marks().forEach(m -> marks.put(m.source(), m));
        LogFollowerTest.journal(dir.resolve("b.journal"),
                LogFollowerTest.exportEntry(t0 + 5, 5, "postfix-msn-a/smtp", "A3: to=<c@hotmail.com>, status=sent (250 ok)"));
        assertCounted(1, 0, run(src));
        assertCounted(0, 0, run(src));
    }
}
