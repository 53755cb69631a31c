package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ProcessRunner;

/** --since is inclusive and --until exclusive, to the second, for classic and RFC 3339 lines; --instance filters. */
class TimeWindowTest {
    private static final ZoneId UTC = ZoneId.of("UTC");

    static String classic(String time, String group, String status) {
        return "Nov 29 " + time + " rustin " + group + "/smtp[1]: ABC: to=<u@hotmail.com>, relay=x[1.2.3.4]:25, dsn=2.0.0, status="
                + status + " (250 ok)\n";
    }

    static String rfc(String time, String group, String status) {
        return "2026-11-29T" + time + ".000000+00:00 rustin " + group + "/smtp[1]: ABC: to=<u@aol.com>, dsn=2.0.0, status="
                + status + " (x)\n";
    }

    StatsReport run(Path log, Long since, Long until, Set<String> names) {
        StatsQuery q = new StatsQuery(StatsQuery.By.INSTANCE, names, since, until, UTC, null);
        return new StatsService(new ProcessRunner(), InputStream.nullInputStream(), 2, 4096, 1024)
                .stats(List.of(LogSource.file(log, Instant.parse("2026-11-29T23:00:00Z"))), q);
    }

    static long at(String t) {
        return Instant.parse("2026-11-29T" + t + "Z").toEpochMilli();
    }

    @Test
    void boundaries(@TempDir Path tmp) throws IOException {
        Path log = tmp.resolve("mail.log");
        Files.writeString(log, classic("09:59:59", "postfix-msn-a", "sent") + classic("10:00:00", "postfix-msn-a", "sent")
                + classic("10:00:01", "postfix-msn-a", "bounced") + rfc("10:59:59", "postfix-aol-a", "deferred")
                + rfc("11:00:00", "postfix-aol-a", "sent") + classic("11:00:01", "postfix-msn-b", "sent"));
        StatsReport all = run(log, null, null, Set.of());
        assertEquals(6, all.rows().stream().mapToLong(StatsReport.Row::total).sum());
        StatsReport w = run(log, at("10:00:00"), at("11:00:00"), Set.of());
        assertEquals("postfix-aol-a:total:1\npostfix-aol-a:bounced:0\npostfix-aol-a:deferred:1\npostfix-aol-a:sent:0\n"
                + "postfix-msn-a:total:2\npostfix-msn-a:bounced:1\npostfix-msn-a:deferred:0\npostfix-msn-a:sent:1\n", w.mfText());
        assertEquals(at("10:00:00"), w.firstMs());
        assertEquals(at("10:59:59"), w.lastMs());
        StatsReport onlySince = run(log, at("11:00:00"), null, Set.of());
        assertEquals(2, onlySince.rows().size());
        StatsReport onlyMsnB = run(log, null, null, Set.of("postfix-msn-b"));
        assertEquals("postfix-msn-b:total:1\npostfix-msn-b:bounced:0\npostfix-msn-b:deferred:0\npostfix-msn-b:sent:1\n",
                onlyMsnB.mfText());
    }

    @Test
    void unreadableTimestampIsReportedOnlyWhenAWindowIsSet(@TempDir Path tmp) throws IOException {
        Path log = tmp.resolve("mail.log");
        Files.writeString(log, classic("10:00:00", "postfix-msn-a", "sent")
                + "Nov 99 10:00:00 rustin postfix-msn-a/smtp[1]: ABC: to=<u@x.org>, status=sent (ok)\n");
        assertEquals(0, run(log, null, null, Set.of()).suspectCount());
        StatsReport w = run(log, at("00:00:00"), null, Set.of());
        assertEquals(1, w.suspectCount());
        assertEquals(1, w.rows().get(0).sent());
    }
}
