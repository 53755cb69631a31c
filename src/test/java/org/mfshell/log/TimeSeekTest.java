package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ProcessRunner;

/**
 * TimeSeek on generated logs: the offset it finds against the offsets computed line by line, for
 * both timestamp formats, across a year end, with lines out of order within the slack, unreadable
 * lines, CRLF, tiny files and windows outside the file; and stats and reply (health) scans with
 * the seek equal to the same scans with MFSHELL_LOG_SEEK off.
 */
class TimeSeekTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final DateTimeFormatter CLASSIC = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH).withZone(UTC);
    private static final DateTimeFormatter RFC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(UTC);
    private static final String[] GROUPS = {"postfix-msn-a", "postfix-msn-b", "postfix-aol-a", "postfix"};
    private static final String[] STATUS = {"sent", "sent", "deferred", "bounced"};

    @AfterEach
    void seekBackOn() {
        System.clearProperty(TimeSeek.PROPERTY);
    }

    /** A generated log: its bytes, each line's start offset and time (Long.MIN_VALUE: unreadable). */
    record Log(Path path, long[] starts, long[] times, long size, Instant reference) {
    }

    /**
     * {@code n} lines from {@code t0}, {@code stepMs} apart, each moved by up to {@code jitterMs}
     * either way; every {@code garbageEvery}-th line (0: none) has no timestamp.
     */
    static Log generate(Path p, long t0, int n, long stepMs, long jitterMs, int garbageEvery, boolean rfc, String eol,
                        long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        long[] starts = new long[n];
        long[] times = new long[n];
        int bytes = 0;
        long last = t0;
        for (int i = 0; i < n; i++) {
            starts[i] = bytes;
            String line;
            if (garbageEvery > 0 && i % garbageEvery == garbageEvery - 1) {
                line = "  garbage line " + i + " status=sent to=<x@y.z>";
                times[i] = Long.MIN_VALUE;
            } else {
                long t = t0 + i * stepMs + (jitterMs == 0 ? 0 : (long) (r.nextDouble() * 2 * jitterMs) - jitterMs);
                t -= t % 1000;
                times[i] = t;
                last = Math.max(last, t);
                Instant at = Instant.ofEpochMilli(t);
                String g = GROUPS[r.nextInt(GROUPS.length)];
                String st = STATUS[r.nextInt(STATUS.length)];
                String reply = st.equals("deferred")
                        ? (r.nextBoolean() ? "host x[1.2.3.4] said: 451 4.7.651 The mail server IP connecting to Outlook.com server has exceeded the rate limit"
                        : "connect to x[1.2.3.4]:25: Connection timed out")
                        : "250 2.0.0 OK";
                line = (rfc ? RFC.format(at) : CLASSIC.format(at)) + " rustin " + g + "/smtp[" + (1000 + i) + "]: ABC" + i
                        + ": to=<u" + i + "@" + (r.nextBoolean() ? "hotmail.com" : "aol.com") + ">, relay=x[1.2.3.4]:25, dsn="
                        + (st.equals("sent") ? "2.0.0" : st.equals("deferred") ? "4.7.651" : "5.1.1") + ", status=" + st
                        + " (" + reply + ")";
            }
            line += eol;
            sb.append(line);
            bytes += line.getBytes(StandardCharsets.UTF_8).length;
        }
        Files.writeString(p, sb);
        return new Log(p, starts, times, bytes, Instant.ofEpochMilli(last));
    }

    static long[] range(Log log, Long since, Long until) throws IOException {
        try (FileChannel ch = FileChannel.open(log.path(), StandardOpenOption.READ)) {
            return TimeSeek.range(ch, log.size(), LogSource.file(log.path(), log.reference()), UTC, since, until);
        }
    }

    /** Offset of the first line whose time is at or after {@code target} (size if none), for a log in order. */
    static long firstAtOrAfter(Log log, long target) {
        for (int i = 0; i < log.times().length; i++) {
            if (log.times()[i] != Long.MIN_VALUE && log.times()[i] >= target) {
                return log.starts()[i];
            }
        }
        return log.size();
    }

    /** The range must hold every line of [since, until), and nothing of what it leaves out may be in it. */
    static void assertHoldsWindow(Log log, long[] r, Long since, Long until) {
        for (int i = 0; i < log.times().length; i++) {
            long t = log.times()[i];
            boolean in = t != Long.MIN_VALUE && (since == null || t >= since) && (until == null || t < until);
            if (in) {
                assertTrue(log.starts()[i] >= r[0] && log.starts()[i] < r[1],
                        "line " + i + " at " + Instant.ofEpochMilli(t) + " outside " + Arrays.toString(r));
            }
        }
    }

    @Test
    void rfc3339InOrderFindsTheExactLine(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        Log log = generate(tmp.resolve("mail.log"), t0, 20_000, 1000, 0, 0, true, "\n", 1);
        for (int minute : new int[] {7, 60, 123, 300, 333}) {
            long since = t0 + minute * 60_000L;
            long[] r = range(log, since, null);
            assertEquals(firstAtOrAfter(log, since - TimeSeek.SLACK_MS), r[0], "since +" + minute + "m");
            assertEquals(log.size(), r[1]);
            assertHoldsWindow(log, r, since, null);
        }
        long since = t0 + 60 * 60_000L;
        long until = t0 + 120 * 60_000L;
        long[] r = range(log, since, until);
        assertArrayEquals(new long[] {firstAtOrAfter(log, since - TimeSeek.SLACK_MS),
                firstAtOrAfter(log, until + TimeSeek.SLACK_MS)}, r);
        assertHoldsWindow(log, r, since, until);
    }

    @Test
    void classicAcrossTheYearEnd(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-12-31T20:00:00Z").toEpochMilli();
        Log log = generate(tmp.resolve("mail.log"), t0, 20_000, 1000, 0, 0, false, "\n", 2);
        assertTrue(log.reference().isAfter(Instant.parse("2027-01-01T00:30:00Z")));
        for (String s : new String[] {"2026-12-31T21:00:00Z", "2026-12-31T23:58:00Z", "2027-01-01T00:03:00Z",
                "2027-01-01T01:00:00Z"}) {
            long since = Instant.parse(s).toEpochMilli();
            long[] r = range(log, since, null);
            assertEquals(firstAtOrAfter(log, since - TimeSeek.SLACK_MS), r[0], s);
            assertHoldsWindow(log, r, since, null);
        }
    }

    @Test
    void outOfOrderWithinTheSlackMissesNothing(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        // Jitter +-140 s on lines 2 s apart: no line is more than 280 s older than one before it.
        Log log = generate(tmp.resolve("mail.log"), t0, 30_000, 2000, 140_000, 0, false, "\n", 3);
        for (int minute = 3; minute < 1000; minute += 37) {
            long since = t0 + minute * 60_000L;
            long until = since + 30 * 60_000L;
            long[] r = range(log, since, until);
            assertHoldsWindow(log, r, since, until);
            assertTrue(r[1] - r[0] < log.size() / 4, "bounded: " + Arrays.toString(r));
        }
    }

    @Test
    void unreadableLinesAreSteppedOver(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        Log log = generate(tmp.resolve("mail.log"), t0, 20_000, 1000, 0, 5, false, "\n", 4);
        long since = t0 + 100 * 60_000L;
        long[] r = range(log, since, null);
        assertHoldsWindow(log, r, since, null);
        assertTrue(r[0] > log.size() / 4, "seeked: " + Arrays.toString(r));
        // Right after the last line before the target: the unreadable lines between are kept.
        int i = 0;
        while (log.starts()[i] < r[0]) {
            i++;
        }
        long before = log.times()[i - 1];
        assertTrue(before != Long.MIN_VALUE && before < since - TimeSeek.SLACK_MS);
    }

    @Test
    void aFileWithoutTimestampsIsScannedWhole(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("mail.log");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append("no time here, line ").append(i).append('\n');
        }
        Files.writeString(p, sb);
        Log log = new Log(p, new long[0], new long[0], Files.size(p), Instant.parse("2026-11-29T12:00:00Z"));
        assertArrayEquals(new long[] {0, log.size()}, range(log, Instant.parse("2026-11-29T11:00:00Z").toEpochMilli(),
                Instant.parse("2026-11-29T11:30:00Z").toEpochMilli()));
    }

    @Test
    void tinyAndEmptyFiles(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T10:00:00Z").toEpochMilli();
        Log one = generate(tmp.resolve("one.log"), t0, 1, 1000, 0, 0, false, "\n", 5);
        assertArrayEquals(new long[] {0, one.size()}, range(one, t0, null));
        assertArrayEquals(new long[] {one.size(), one.size()}, range(one, t0 + TimeSeek.SLACK_MS + 1000, null));
        Path empty = tmp.resolve("empty.log");
        Files.writeString(empty, "");
        assertArrayEquals(new long[] {0, 0}, range(new Log(empty, new long[0], new long[0], 0, Instant.now()), t0, null));
        Path noNewline = tmp.resolve("partial.log");
        Files.writeString(noNewline, "Nov 29 10:00:00 rustin postfix-msn-a/smtp[1]: ABC: to=<a@b.c>, status=sent (x)");
        Log partial = new Log(noNewline, new long[] {0}, new long[] {t0}, Files.size(noNewline), Instant.parse("2026-11-29T10:00:00Z"));
        assertArrayEquals(new long[] {0, partial.size()}, range(partial, t0 - 1000, null));
    }

    @Test
    void windowsBeforeAndAfterTheFile(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        Log log = generate(tmp.resolve("mail.log"), t0, 10_000, 1000, 0, 0, true, "\n", 6);
        assertArrayEquals(new long[] {0, log.size()}, range(log, t0 - 86_400_000L, null));
        assertArrayEquals(new long[] {log.size(), log.size()}, range(log, t0 + 10_000_000L + TimeSeek.SLACK_MS, null));
        assertArrayEquals(new long[] {0, 0}, range(log, null, t0 - TimeSeek.SLACK_MS - 1000));
    }

    @Test
    void crlfLines(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        Log log = generate(tmp.resolve("mail.log"), t0, 20_000, 1000, 0, 0, false, "\r\n", 7);
        long since = t0 + 200 * 60_000L;
        assertEquals(firstAtOrAfter(log, since - TimeSeek.SLACK_MS), range(log, since, null)[0]);
    }

    static String render(ReplyAccumulator.Replies r) {
        Map<String, String> counts = new TreeMap<>();
        r.counts().forEach((n, byDomain) -> byDomain.forEach((d, c) -> counts.put(n + " " + d, Arrays.toString(c))));
        return counts + " " + r.reasons() + " " + r.flaggedDeferred() + " " + r.deferredAttempts() + " " + r.unreadableTimes();
    }

    @Test
    void statsAndRepliesEqualAFullScan(@TempDir Path tmp) throws IOException {
        long t0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        Log log = generate(tmp.resolve("mail.log"), t0, 30_000, 1000, 140_000, 0, false, "\n", 8);
        LogSource src = LogSource.file(log.path(), log.reference());
        // Small chunks on two threads: the seek's start is cut into several pieces.
        StatsService service = new StatsService(new ProcessRunner(), InputStream.nullInputStream(), 2, 4096, 64 << 10);
        List<long[]> windows = new ArrayList<>();
        windows.add(new long[] {t0 + 300 * 60_000L, -1});
        windows.add(new long[] {t0 + 30 * 60_000L, t0 + 90 * 60_000L});
        windows.add(new long[] {log.reference().toEpochMilli() - 30 * 60_000L, -1});
        windows.add(new long[] {t0 - 3_600_000L, -1});
        for (long[] w : windows) {
            Long until = w[1] < 0 ? null : w[1];
            for (StatsQuery.By by : StatsQuery.By.values()) {
                StatsQuery q = new StatsQuery(by, Set.of(), w[0], until, UTC, org.mfshell.provider.ProviderGroups.builtIn());
                System.setProperty(TimeSeek.PROPERTY, "off");
                StatsReport full = service.stats(List.of(src), q);
                String fullReplies = render(ReplyAccumulator.merge(service.scan(List.of(src), q,
                        s -> new ReplyAccumulator(q, s, t -> t.replaceAll("[0-9]", "#")))));
                System.clearProperty(TimeSeek.PROPERTY);
                StatsService.Scan scan = service.prepare(List.of(src), q);
                StatsReport sought = scan.run();
                String soughtReplies = render(ReplyAccumulator.merge(service.scan(List.of(src), q,
                        s -> new ReplyAccumulator(q, s, t -> t.replaceAll("[0-9]", "#")))));
                assertTrue(full.rows().stream().mapToLong(StatsReport.Row::total).sum() > 0 || w[0] > log.reference().toEpochMilli());
                assertEquals(full, sought, "window " + Arrays.toString(w) + " by " + by);
                assertEquals(fullReplies, soughtReplies);
                assertEquals(log.size(), scan.bytesDone(), "progress counts the bytes skipped");
            }
        }
        try (FileChannel ch = FileChannel.open(log.path(), StandardOpenOption.READ)) {
            assertTrue(TimeSeek.range(ch, log.size(), src, UTC, windows.get(0)[0], null)[0] > log.size() / 2);
        }
    }

    @Test
    void theJournalIsBoundedByJournalctl() {
        org.mfshell.postfix.RecordingRunner r = new org.mfshell.postfix.RecordingRunner();
        long since = Instant.parse("2026-11-29T10:00:00Z").toEpochMilli();
        StatsQuery q = new StatsQuery(StatsQuery.By.INSTANCE, Set.of(), since, null, UTC, null);
        new StatsService(r, InputStream.nullInputStream(), 1, 4096, 1024)
                .stats(List.of(new LogSource(LogSource.Kind.JOURNAL, null, Instant.now())), q);
        assertTrue(r.only().contains("--since=@" + since / 1000), r.only().toString());
    }

    @Test
    void theSwitch() {
        System.setProperty(TimeSeek.PROPERTY, "off");
        assertEquals(false, TimeSeek.enabled());
        System.setProperty(TimeSeek.PROPERTY, "on");
        assertEquals(true, TimeSeek.enabled());
    }
}
