package org.mfshell.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.log.LogSource;
import org.mfshell.log.ReplyAccumulator;
import org.mfshell.log.StatsQuery;
import org.mfshell.log.StatsService;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * health counts what stats counts: over the stats oracle fixtures, sent and bounced lines and the
 * deferral lines (deferredAttempts) per instance agree; distinct deferred recipients are never
 * more than the deferral lines.
 */
class ReplyAccumulatorOracleTest {
    @Test
    void countsAgreeWithTheMfMailStatsOracle() throws Exception {
        for (String name : List.of("classic-s1", "rfc3339-s2", "classic-s5-traps")) {
            Path log = Path.of(getClass().getResource("/stats/" + name + ".log").toURI());
            String expected = Files.readString(Path.of(getClass().getResource("/stats/" + name + ".expected").toURI()));
            StatsQuery q = new StatsQuery(StatsQuery.By.INSTANCE, java.util.Set.of(), null, null,
                    java.time.ZoneId.of("UTC"), ProviderGroups.builtIn());
            ReplyAccumulator.Replies r = ReplyAccumulator.merge(new StatsService(new ProcessRunner(),
                    InputStream.nullInputStream(), 2, 1 << 16, 1 << 14)
                    .scan(List.of(LogSource.file(log, Instant.now())), q, s -> new ReplyAccumulator(q, s, t -> t)));
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Map<String, long[]>> e : r.counts().entrySet()) {
                long[] c = new long[3];
                e.getValue().values().forEach(v -> {
                    for (int i = 0; i < 3; i++) {
                        c[i] += v[i];
                    }
                });
                long tries = r.deferredAttempts().getOrDefault(e.getKey(), 0L);
                org.junit.jupiter.api.Assertions.assertTrue(c[1] <= tries, e.getKey());
                org.junit.jupiter.api.Assertions.assertTrue(tries == 0 || c[1] > 0, e.getKey());
                sb.append(e.getKey()).append(":total:").append(c[0] + tries + c[2]).append('\n')
                        .append(e.getKey()).append(":bounced:").append(c[2]).append('\n')
                        .append(e.getKey()).append(":deferred:").append(tries).append('\n')
                        .append(e.getKey()).append(":sent:").append(c[0]).append('\n');
            }
            assertEquals(expected, sb.toString(), name);
        }
    }
}
