package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mfshell.postfix.ProcessRunner;

/**
 * Logs written by genlog.py (several seeds; classic, RFC 3339 and mixed stamps; CRLF; a cut last
 * line; high trap rates and 300-byte line cuts) with genlog's exact oracle counts, committed as
 * fixtures. Each is scanned with tiny to normal buffers, one or two threads and tiny chunks,
 * as a plain file, as gzip and through stdin: the mf text must equal the oracle byte for byte.
 */
class OracleFixturesTest {
    static final List<String> FIXTURES = List.of("classic-s1", "rfc3339-s2", "mixed-s3-crlf", "mixed-s4-partial",
            "classic-s5-traps", "rfc3339-s6-traps");

    static Path fixture(String name) {
        try {
            return Path.of(OracleFixturesTest.class.getResource("/stats/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> cases() {
        return FIXTURES.stream().flatMap(f -> Stream.of(
                Arguments.of(f, 1, 64, 1L << 30),
                Arguments.of(f, 2, 64, 1000L),
                Arguments.of(f, 2, 1000, 7777L),
                Arguments.of(f, 2, 4096, 1L << 14),
                Arguments.of(f, 2, ScanEngine.DEFAULT_BUFFER, ScanEngine.DEFAULT_MIN_CHUNK)));
    }

    static StatsService service(int threads, int buffer, long chunk, InputStream stdin) {
        return new StatsService(new ProcessRunner(), stdin, threads, buffer, chunk);
    }

    @ParameterizedTest(name = "{0} threads={1} buffer={2} chunk={3}")
    @MethodSource("cases")
    void plainFileMatchesOracle(String name, int threads, int buffer, long chunk) throws IOException {
        Path log = fixture(name + ".log");
        String expected = Files.readString(fixture(name + ".expected"));
        StatsReport r = service(threads, buffer, chunk, InputStream.nullInputStream())
                .stats(List.of(LogSource.file(log, Instant.now())), StatsQuery.all());
        assertEquals(expected, r.mfText());
        assertTrue(r.rows().size() >= 5, "fixture should hold several instances");
    }

    @ParameterizedTest(name = "{0} gzip and stdin buffer={2}")
    @MethodSource("cases")
    void gzipAndStdinMatchOracle(String name, int threads, int buffer, long chunk, @TempDir Path tmp) throws IOException {
        Path log = fixture(name + ".log");
        String expected = Files.readString(fixture(name + ".expected"));
        Path gz = tmp.resolve("mail.log.2.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(log, out);
        }
        StatsReport viaGz = service(threads, buffer, chunk, InputStream.nullInputStream())
                .stats(List.of(LogSource.file(gz, Instant.now())), StatsQuery.all());
        assertEquals(expected, viaGz.mfText());
        StatsReport viaStdin = service(threads, buffer, chunk, new ByteArrayInputStream(Files.readAllBytes(log)))
                .stats(LogLocator.explicit(List.of("-")), StatsQuery.all());
        assertEquals(expected, viaStdin.mfText());
        assertEquals(expected.length(), viaStdin.mfText().getBytes(StandardCharsets.UTF_8).length);
    }
}
