package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mfshell.postfix.ProcessRunner;

/**
 * The parallel scan (a plain file cut into chunks at line starts, each read through mapped
 * windows on its own thread; gzip files inflated by their own tasks) counts exactly what one
 * serial pass counts, and both equal the awk rule of mf-stats.awk, written out here over
 * Strings. The log is made so that chunk edges fall everywhere: about 3 MB of delivery lines in
 * both layouts, CRLF lines, lines longer than the small buffers, status= inside replies, other
 * daemons, and no newline at the end; chunk sizes are odd and small so dozens of edges land
 * mid-line, mid-" status=" and next to CRs.
 */
class ParallelScanTest {
    @TempDir
    static Path dir;
    static Path log;
    static byte[] bytes;
    static String expected;

    @BeforeAll
    static void makeLog() throws IOException {
        bytes = generate(new Random(18), 24_000);
        log = dir.resolve("mail.log");
        Files.write(log, bytes);
        expected = awkRule(bytes);
        assertTrue(expected.contains("postfix-msn-a:sent:"), expected);
    }

    static StatsService service(int threads, int buffer, long chunk, InputStream stdin) {
        return new StatsService(new ProcessRunner(), stdin, threads, buffer, chunk);
    }

    static String sorted(String mf) {
        String[] l = mf.split("\n");
        Arrays.sort(l);
        return String.join("\n", l);
    }

    @Test
    void serialPassEqualsTheAwkRule() {
        StatsReport r = service(1, ScanEngine.DEFAULT_BUFFER, Long.MAX_VALUE, InputStream.nullInputStream())
                .stats(List.of(LogSource.file(log, Instant.now())), StatsQuery.all());
        assertEquals(expected, sorted(r.mfText()));
    }

    @ParameterizedTest(name = "threads={0} buffer={1} chunk={2}")
    @CsvSource({"2,4194304,65537", "2,4096,70001", "2,333,100003", "3,65536,131071", "2,4194304,16777216", "4,1000,66000"})
    void parallelChunksEqualSerial(int threads, int buffer, long chunk) {
        StatsReport r = service(threads, buffer, chunk, InputStream.nullInputStream())
                .stats(List.of(LogSource.file(log, Instant.now())), StatsQuery.all());
        assertEquals(expected, sorted(r.mfText()));
    }

    @Test
    void stdinAndGzipAndARotatedSetEqualSerial() throws IOException {
        StatsReport viaStdin = service(1, 4096, Long.MAX_VALUE, new ByteArrayInputStream(bytes))
                .stats(LogLocator.explicit(List.of("-")), StatsQuery.all());
        assertEquals(expected, sorted(viaStdin.mfText()));

        Path gz = dir.resolve("mail.log.gz");
        gzip(gz, bytes, 0, bytes.length);
        StatsReport viaGz = service(2, 4096, 65537, InputStream.nullInputStream())
                .stats(List.of(LogSource.file(gz, Instant.now())), StatsQuery.all());
        assertEquals(expected, sorted(viaGz.mfText()));

        // A rotated set cut at line starts: two gzip files and the live plain file, scanned together.
        int a = lineStartAfter(bytes.length / 3);
        int b = lineStartAfter(2 * bytes.length / 3);
        Path r2 = dir.resolve("rot.log.2.gz");
        Path r1 = dir.resolve("rot.log.1.gz");
        Path live = dir.resolve("rot.log");
        gzip(r2, bytes, 0, a);
        gzip(r1, bytes, a, b);
        Files.write(live, Arrays.copyOfRange(bytes, b, bytes.length));
        StatsReport rot = service(2, 1000, 65537, InputStream.nullInputStream()).stats(List.of(
                LogSource.file(r2, Instant.now()), LogSource.file(r1, Instant.now()), LogSource.file(live, Instant.now())),
                StatsQuery.all());
        assertEquals(expected, sorted(rot.mfText()));
    }

    private static int lineStartAfter(int p) {
        while (bytes[p - 1] != '\n') {
            p++;
        }
        return p;
    }

    private static void gzip(Path p, byte[] b, int from, int to) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(b, from, to - from);
        }
    }

    /** Delivery lines and noise; the last line has no newline. */
    static byte[] generate(Random rnd, int lines) {
        String[] groups = {"postfix-msn-a", "postfix-aol-a", "postfix-therest-a", "postfix"};
        String[] st = {"sent (250 2.0.0 ok)", "sent", "sent,x", "deferred (host said: 450 status=sent later)",
                "bounced (550 no such user)", "deliverable (verify)", "sentx", "expired"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines; i++) {
            StringBuilder l = new StringBuilder();
            boolean rfc = rnd.nextBoolean();
            l.append(rfc ? String.format("2026-11-29T10:%02d:%02d.%06d+00:00 relay ", i / 600 % 60, i % 60, i)
                    : String.format("Nov %2d 10:%02d:%02d relay ", 1 + i % 28, i / 600 % 60, i % 60));
            int kind = rnd.nextInt(20);
            String g = groups[rnd.nextInt(groups.length)];
            if (kind < 12) {
                l.append(g).append(rnd.nextInt(5) == 0 ? "/relay" : "").append("/smtp[").append(100 + rnd.nextInt(900))
                        .append("]: 4Xb").append(Integer.toHexString(i)).append(": to=<u").append(i).append("@hotmail.com>, relay=mx[1.2.3.4]:25, delay=1.2, delays=0.1/0/0.3/0.8, dsn=2.0.0, status=")
                        .append(st[rnd.nextInt(st.length)]);
            } else if (kind < 14) {
                l.append(g).append("/smtpd[").append(rnd.nextInt(999)).append("]: connect from client[10.0.0.1] status=sent");
            } else if (kind < 15) {
                l.append(g).append("/lmtp[9]: 5Yc: to=<a@b>, relay=x, delays=0/0/0/0, dsn=2.0.0, status=sent (ok)");
            } else if (kind < 16) {
                // Longer than the small buffers: the reply carries kilobytes, and a second status=.
                l.append(g).append("/smtp[77]: 6Zd: to=<x@y.com>, relay=m[5.6.7.8]:25, dsn=5.0.0, status=bounced (")
                        .append("z".repeat(2000 + rnd.nextInt(9000))).append(" status=sent)");
            } else if (kind < 17) {
                l.append("CRON[1]: (root) CMD (status= to= /smtp[1]:)");
            } else {
                l.append(g).append("/qmgr[5]: 7Ae: from=<a@b>, size=100, nrcpt=1 (queue active)");
            }
            out.writeBytes(l.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (i + 1 < lines) {
                out.writeBytes(rnd.nextInt(10) == 0 ? "\r\n".getBytes(StandardCharsets.ISO_8859_1) : new byte[] {'\n'});
            }
        }
        return out.toByteArray();
    }

    /** mf-stats.awk over the bytes (read as ISO-8859-1, so one char per byte), sorted like {@link #sorted}. */
    static String awkRule(byte[] b) {
        TreeMap<String, long[]> n = new TreeMap<>();
        for (String line : new String(b, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            if (!line.contains("status=")) {
                continue;
            }
            String[] f = line.replaceFirst("^[ \t]+", "").split("[ \t]+");
            boolean rfc = f[0].matches("(?s)[0-9]{4}-.*");
            String tag = f.length > (rfc ? 2 : 4) ? f[rfc ? 2 : 4] : "";
            String m = f.length > (rfc ? 4 : 6) ? f[rfc ? 4 : 6] : "";
            if (!tag.matches("(?s).*/smtp\\[[0-9]+\\]:") || !m.startsWith("to=")) {
                continue;
            }
            int p = line.indexOf(" status=");
            if (p < 0) {
                continue;
            }
            String s = line.substring(p + 8, Math.min(line.length(), p + 17));
            int k = s.matches("(?s)sent[ ,].*") || s.equals("sent") ? 2 : s.startsWith("deferred") ? 1 : s.startsWith("bounced") ? 0 : -1;
            if (k < 0) {
                continue;
            }
            n.computeIfAbsent(tag.substring(0, tag.indexOf('/')), x -> new long[3])[k]++;
        }
        List<String> out = new ArrayList<>();
        n.forEach((g, c) -> {
            out.add(g + ":total:" + (c[0] + c[1] + c[2]));
            out.add(g + ":bounced:" + c[0]);
            out.add(g + ":deferred:" + c[1]);
            out.add(g + ":sent:" + c[2]);
        });
        String[] a = out.toArray(new String[0]);
        Arrays.sort(a);
        return String.join("\n", a);
    }
}
