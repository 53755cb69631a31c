package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --follow's reader: counts grow with the file, a half-written line waits for its newline, rotation restarts at 0. */
class LogFollowerTest {
    static final String SENT = "Nov 29 10:00:00 h postfix-msn-a/smtp[1]: ABC: to=<a@hotmail.com>, dsn=2.0.0, status=sent (250 ok)\n";
    static final String BOUNCED = "Nov 29 10:00:01 h postfix-msn-a/smtp[1]: ABD: to=<b@hotmail.com>, dsn=5.0.0, status=bounced (550 no)\n";

    static long total(StatsReport r) {
        return r.rows().stream().mapToLong(StatsReport.Row::total).sum();
    }

    @Test
    void growsWaitsForNewlineAndSurvivesRotation(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        Files.writeString(log, SENT);
        LogFollower f = new LogFollower(List.of(log), StatsQuery.all());
        assertEquals(1, total(f.poll()));
        assertEquals(1, total(f.poll()));
        Files.writeString(log, BOUNCED.substring(0, 90), StandardOpenOption.APPEND);
        assertEquals(1, total(f.poll()));
        Files.writeString(log, BOUNCED.substring(90), StandardOpenOption.APPEND);
        StatsReport r = f.poll();
        assertEquals(2, total(r));
        assertEquals(1, r.rows().get(0).bounced());
        Files.move(log, tmp.resolve("mail.log.1"));
        Files.writeString(log, SENT);
        assertEquals(3, total(f.poll()));
    }

    /** One journal export entry from postfix-msn-a/smtp, {@code seconds} after 2026-11-29 10:00 UTC (monotonic grows with it). */
    private static String exportEntry(int seconds, String message) {
        return exportEntry(1795946400L + seconds, seconds, "postfix-msn-a/smtp", message);
    }

    /** One journal export entry at {@code epochSeconds} from {@code identifier}. */
    static String exportEntry(long epochSeconds, int seconds, String identifier, String message) {
        long realtime = epochSeconds * 1_000_000L;
        return "__REALTIME_TIMESTAMP=" + realtime + "\n__MONOTONIC_TIMESTAMP=" + (1_000_000_000L + seconds * 1_000_000L)
                + "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=lab\nSYSLOG_IDENTIFIER=" + identifier
                + "\nSYSLOG_PID=1\n_PID=1\nMESSAGE=" + message + "\n\n";
    }

    /** Writes a journal file with systemd-journal-remote, as journald would. */
    static void journal(Path file, String export) throws Exception {
        Process p = new ProcessBuilder(JOURNAL_REMOTE, "-o", file.toString(), "-")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = p.getOutputStream()) {
            in.write(export.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(0, p.waitFor(), "systemd-journal-remote");
    }

    static final String JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote";

    @Test
    void followsTheJournalWithoutCountingAnEntryTwice(@TempDir Path tmp) throws Exception {
        boolean have = Files.isExecutable(Path.of(JOURNAL_REMOTE)) && Files.isExecutable(Path.of("/usr/bin/journalctl"));
        if ("true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.assertTrue(have, "systemd-journal-remote and journalctl are needed "
                    + "(scripts/setup-debian.sh installs them)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(have, "systemd-journal-remote or journalctl missing");
        Path dir = tmp.resolve("journal");
        Files.createDirectories(dir);
        journal(dir.resolve("a.journal"), exportEntry(0, SENT.substring(SENT.indexOf("ABC:")).strip())
                + exportEntry(1, BOUNCED.substring(BOUNCED.indexOf("ABD:")).strip()));
        LogSource src = new LogSource(LogSource.Kind.JOURNAL, dir, java.time.Instant.now());
        Path cursor;
        try (LogFollower f = new LogFollower(List.of(src), StatsQuery.all(), new org.mfshell.postfix.ProcessRunner())) {
            StatsReport r = f.poll();
            assertEquals(2, total(r));
            assertEquals(1, r.rows().get(0).bounced());
            assertEquals(2, total(f.poll()), "nothing new: nothing counted again");
            // journald starts a new file (as after a rotation): only its entries are new.
            journal(dir.resolve("b.journal"), exportEntry(5, "ABE: to=<c@outlook.com>, dsn=4.7.0, status=deferred (451 later)")
                    + exportEntry(6, "ABF: to=<d@outlook.com>, dsn=2.0.0, status=sent (250 ok)"));
            r = f.poll();
            assertEquals(4, total(r));
            assertEquals(1, r.rows().get(0).deferred());
            assertEquals(4, total(f.poll()));
            cursor = f.cursorFiles().get(0);
            assertEquals(true, Files.exists(cursor));
        }
        assertEquals(false, Files.exists(cursor), "the cursor file goes with the follower");
    }
}
