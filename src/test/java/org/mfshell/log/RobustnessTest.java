package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mfshell.postfix.ProcessRunner;

/**
 * robustness.log holds one of each hard case of issue 4: CRLF (including {@code status=sent\r},
 * which the reference awk does not count), no final newline, a status cut short, lines of 150
 * and 200 KB, bytes that are not UTF-8 and a NUL, other daemons mentioning status=sent and
 * to=, unpadded and padded days, long queue ids, three-part tags, status= inside the reply,
 * verify probes, qmgr expiry, lmtp/local, RFC 3339 with tabs, a shifted timestamp layout.
 * robustness.expected is mf-stats.awk's output on it, sorted. Every buffer size must give it,
 * and exactly the two unreadable delivery lines are reported.
 */
class RobustnessTest {
    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(ints = {64, 100, 333, 4096, 65536, 1 << 22})
    void matchesReferenceAndReportsUnreadable(int buffer) throws IOException {
        Path log = OracleFixturesTest.fixture("robustness.log");
        String expected = Files.readString(OracleFixturesTest.fixture("robustness.expected"));
        StatsService s = new StatsService(new ProcessRunner(), InputStream.nullInputStream(), 2, buffer, 4096);
        StatsReport r = s.stats(List.of(LogSource.file(log, Instant.now())), StatsQuery.all());
        assertEquals(expected, r.mfText());
        assertEquals(Map.of("unreadable status", 2L, "delivery line in an unexpected layout", 1L), r.suspects());
        assertTrue(r.suspectSamples().stream().anyMatch(x -> x.contains("status=se")));

        StatsService viaStdin = new StatsService(new ProcessRunner(),
                new ByteArrayInputStream(Files.readAllBytes(log)), 1, buffer, 4096);
        assertEquals(expected, viaStdin.stats(LogLocator.explicit(List.of("-")), StatsQuery.all()).mfText());
    }
}
