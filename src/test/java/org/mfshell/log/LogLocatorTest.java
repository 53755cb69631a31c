package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.ProcessRunner;

/**
 * Where the log is: a rotated and gzipped set (mail.log, mail.log.1, mail.log.2.gz,
 * mail.log.3.gz) taken as far back as --since needs, counted in parallel; each instance's
 * maillog_file found with the real postconf; the journal when there is no file; explicit
 * --log files checked.
 */
class LogLocatorTest {
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    static void gzip(Path from, Path to) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            Files.copy(from, out);
        }
    }

    static void age(Path p, String iso) throws IOException {
        Files.setLastModifiedTime(p, FileTime.from(Instant.parse(iso)));
    }

    @Test
    void rotatedSetBackToSince(@TempDir Path tmp) throws IOException {
        Path log = tmp.resolve("mail.log");
        Files.copy(OracleFixturesTest.fixture("classic-s1.log"), log);
        Files.copy(OracleFixturesTest.fixture("rfc3339-s2.log"), tmp.resolve("mail.log.1"));
        gzip(OracleFixturesTest.fixture("mixed-s3-crlf.log"), tmp.resolve("mail.log.2.gz"));
        gzip(OracleFixturesTest.fixture("mixed-s4-partial.log"), tmp.resolve("mail.log.3.gz"));
        Files.writeString(tmp.resolve("mail.log.old"), "not a rotation\n");
        Files.writeString(tmp.resolve("mail.err"), "other file\n");
        age(log, "2026-11-29T11:59:00Z");
        age(tmp.resolve("mail.log.1"), "2026-11-29T00:00:00Z");
        age(tmp.resolve("mail.log.2.gz"), "2026-11-22T00:00:00Z");
        age(tmp.resolve("mail.log.3.gz"), "2026-11-15T00:00:00Z");
        LogLocator loc = new LogLocator(tmp.resolve("no-etc"), new ProcessRunner(), log);

        assertEquals(List.of(log), paths(loc.defaults(null)));
        long since = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        assertEquals(List.of(log, tmp.resolve("mail.log.1"), tmp.resolve("mail.log.2.gz")), paths(loc.defaults(since)));
        long longAgo = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        List<LogSource> all = loc.defaults(longAgo);
        assertEquals(4, all.size());
        assertEquals(LogSource.Kind.GZIP, all.get(3).kind());

        StatsReport r = new StatsService(new ProcessRunner(), InputStream.nullInputStream(), 2, 1 << 16, 1 << 14)
                .stats(all, StatsQuery.all());
        long expected = 0;
        for (String f : List.of("classic-s1", "rfc3339-s2", "mixed-s3-crlf", "mixed-s4-partial")) {
            for (String line : Files.readAllLines(OracleFixturesTest.fixture(f + ".expected"))) {
                if (line.contains(":total:")) {
                    expected += Long.parseLong(line.substring(line.lastIndexOf(':') + 1));
                }
            }
        }
        assertEquals(expected, r.rows().stream().mapToLong(StatsReport.Row::total).sum());
    }

    @Test
    void journalWhenThereIsNoFile(@TempDir Path tmp) {
        LogLocator loc = new LogLocator(tmp, new ProcessRunner(), tmp.resolve("mail.log"));
        List<LogSource> s = loc.defaults(null);
        assertEquals(1, s.size());
        assertEquals(LogSource.Kind.JOURNAL, s.get(0).kind());
    }

    @Test
    void maillogFileOfEachInstanceViaPostconf(@TempDir Path tmp) throws IOException {
        boolean postconf = Files.isExecutable(Path.of("/usr/sbin/postconf"));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(postconf, "postconf missing: install Debian package postfix");
        }
        Assumptions.assumeTrue(postconf, "Postfix not installed: maillog_file discovery test skipped");
        Path etc = tmp.resolve("etc");
        Path logs = tmp.resolve("log");
        Files.createDirectories(logs);
        for (String n : List.of("msn-a", "msn-b", "aol-a")) {
            Path d = Files.createDirectories(etc.resolve("postfix-" + n));
            String maillog = n.equals("aol-a") ? "" : "maillog_file = " + logs.resolve(n + ".log") + "\n";
            Files.writeString(d.resolve("main.cf"), "syslog_name = postfix-" + n + "\n" + maillog);
            if (!n.equals("aol-a")) {
                Files.writeString(logs.resolve(n + ".log"), "");
            }
        }
        LogLocator loc = new LogLocator(etc, new ProcessRunner(), tmp.resolve("mail.log"));
        assertEquals(List.of(logs.resolve("msn-a.log"), logs.resolve("msn-b.log")), paths(loc.defaults(null)));
    }

    @Test
    void explicitFilesAreChecked(@TempDir Path tmp) {
        UsageException e = assertThrows(UsageException.class,
                () -> LogLocator.explicit(List.of(tmp.resolve("missing.log").toString())));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().endsWith("missing.log': no such file"), e.getMessage());
        assertEquals(LogSource.Kind.STDIN, LogLocator.explicit(List.of("-")).get(0).kind());
    }

    static List<Path> paths(List<LogSource> s) {
        return s.stream().map(LogSource::path).toList();
    }
}
