package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * Lines a real Postfix wrote here (stats/real-postfix/, see its README): the file as it is,
 * grouped by provider, and the same lines in a real journal file read through
 * {@code journalctl --file -o json}. Without journalctl the journal test fails in CI and is
 * skipped with a message elsewhere.
 */
class RealPostfixTest {
    static Path dir() {
        return OracleFixturesTest.fixture("real-postfix/real-postfix.log").getParent();
    }

    StatsService service() {
        return new StatsService(new ProcessRunner(), InputStream.nullInputStream());
    }

    @Test
    void maillogFileLines() throws IOException {
        String expected = Files.readString(dir().resolve("real-postfix.expected"));
        StatsReport r = service().stats(List.of(LogSource.file(dir().resolve("real-postfix.log"), Instant.now())),
                StatsQuery.all());
        assertEquals(expected, r.mfText());
        assertEquals(0, r.suspectCount());
    }

    @Test
    void byProviderAndDomain() {
        List<LogSource> src = List.of(LogSource.file(dir().resolve("real-postfix.log"), Instant.now()));
        StatsReport p = service().stats(src, new StatsQuery(StatsQuery.By.PROVIDER, Set.of(), null, null,
                ZoneId.systemDefault(), ProviderGroups.builtIn()));
        assertEquals("aol:total:4\naol:bounced:1\naol:deferred:0\naol:sent:3\n"
                + "earthlink:total:4\nearthlink:bounced:0\nearthlink:deferred:4\nearthlink:sent:0\n"
                + "msn:total:8\nmsn:bounced:1\nmsn:deferred:2\nmsn:sent:5\n"
                + "therest:total:3\ntherest:bounced:0\ntherest:deferred:0\ntherest:sent:3\n", p.mfText());
        StatsReport d = service().stats(src, new StatsQuery(StatsQuery.By.DOMAIN, Set.of("postfix-msn-a"), null, null,
                ZoneId.systemDefault(), null));
        assertEquals(List.of("hotmail.com", "lab.example.net", "outlook.com"), d.rows().stream().map(StatsReport.Row::key).toList());
        assertEquals(1, d.rows().get(2).bounced());
    }

    @Test
    void journalFileThroughJournalctl(@TempDir Path tmp) throws IOException {
        boolean have = Files.isExecutable(Path.of("/usr/bin/journalctl")) || Files.isExecutable(Path.of("/bin/journalctl"));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(have, "journalctl missing: install Debian package systemd");
        }
        Assumptions.assumeTrue(have, "journalctl not installed: journal test skipped (install systemd)");
        Path journal = tmp.resolve("real-postfix.journal");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir().resolve("real-postfix.journal.gz")))) {
            Files.copy(in, journal);
        }
        LogSource src = new LogSource(LogSource.Kind.JOURNAL, journal, Instant.now());
        StatsReport r = service().stats(List.of(src), StatsQuery.all());
        // The journal holds the log's lines plus one msn-b delivery with a binary MESSAGE and a CRON line.
        assertEquals("postfix-msn-a:total:9\npostfix-msn-a:bounced:1\npostfix-msn-a:deferred:2\npostfix-msn-a:sent:6\n"
                + "postfix-msn-b:total:11\npostfix-msn-b:bounced:1\npostfix-msn-b:deferred:4\npostfix-msn-b:sent:6\n",
                r.mfText());
        // --since/--until go to journalctl and are applied again per line: the last second only.
        long last = Instant.parse("2026-11-29T15:02:59Z").toEpochMilli();
        StatsReport w = service().stats(List.of(src), new StatsQuery(StatsQuery.By.INSTANCE, Set.of(), last, null,
                ZoneId.of("UTC"), null));
        assertEquals("postfix-msn-a:total:1\npostfix-msn-a:bounced:0\npostfix-msn-a:deferred:1\npostfix-msn-a:sent:0\n"
                + "postfix-msn-b:total:3\npostfix-msn-b:bounced:0\npostfix-msn-b:deferred:2\npostfix-msn-b:sent:1\n",
                w.mfText());
    }
}
