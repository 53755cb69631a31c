package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.lab.SeedReport;
import org.mfshell.shell.StatsCommand;

/**
 * stats against the lab's real Postfix instances: with no --log it finds each instance's
 * maillog_file through postconf, and its mf output equals a plain re-implementation of the
 * mf-stats.awk rule run over the same files; every seeded outcome is in the counts.
 */
class StatsLabIntegrationTest {
    /** The counting rule written the slow, obvious way (Strings and regexes), as a cross-check. */
    static Map<String, long[]> reference(List<Path> logs) throws Exception {
        Map<String, long[]> n = new TreeMap<>();
        for (Path p : logs) {
            for (String line : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).split("\n", -1)) {
                if (!line.contains("status=")) {
                    continue;
                }
                String[] f = line.strip().split("[ \t]+");
                boolean rfc = f.length > 0 && f[0].matches("^[0-9]{4}-.*");
                String tag = f.length > (rfc ? 2 : 4) ? f[rfc ? 2 : 4] : "";
                String m = f.length > (rfc ? 4 : 6) ? f[rfc ? 4 : 6] : "";
                int p2 = line.indexOf(" status=");
                if (!tag.matches(".*/smtp\\[[0-9]+\\]:") || !m.startsWith("to=") || p2 < 0) {
                    continue;
                }
                String s = line.substring(p2 + 8, Math.min(line.length(), p2 + 17));
                int st = s.matches("^sent[ ,].*") || s.equals("sent") ? 0 : s.startsWith("deferred") ? 1
                        : s.startsWith("bounced") ? 2 : -1;
                if (st >= 0) {
                    n.computeIfAbsent(tag.substring(0, tag.indexOf('/')), k -> new long[3])[st]++;
                }
            }
        }
        return n;
    }

    static String mf(Map<String, long[]> n) {
        StringBuilder sb = new StringBuilder();
        n.forEach((g, c) -> sb.append(g).append(":total:").append(c[0] + c[1] + c[2]).append('\n')
                .append(g).append(":bounced:").append(c[2]).append('\n')
                .append(g).append(":deferred:").append(c[1]).append('\n')
                .append(g).append(":sent:").append(c[0]).append('\n'));
        return sb.toString();
    }

    static String statsMf(Lab lab) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
        AppContext ctx = AppContext.fromEnvironment(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()), null);
        int code = new Cli(ctx, List.of(new StatsCommand())).run(List.of("stats", "--format", "mf"), io);
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    @Test
    void defaultLogsAreTheInstancesMaillogFiles() throws Exception {
        SeedReport seed = LabFixture.seededOnce();
        Lab lab = LabFixture.shared();
        lab.waitForQueuesToSettle(Duration.ofSeconds(60));
        List<Path> logs = Lab.INSTANCES.stream().map(lab::logFile).toList();
        // The lab keeps retrying deferred mail: compare when the logs did not move in between.
        String ours = null;
        String theirs = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            theirs = mf(reference(logs));
            ours = statsMf(lab);
            if (ours.equals(theirs) && theirs.equals(mf(reference(logs)))) {
                break;
            }
        }
        assertEquals(theirs, ours);
        Map<String, long[]> counts = reference(logs);
        seed.counts().forEach((name, c) -> {
            long[] got = counts.getOrDefault("postfix-" + name, new long[3]);
            assertTrue(got[0] >= c.sent(), name + " sent " + got[0] + " < seeded " + c.sent());
            assertTrue(got[2] >= c.bounced(), name + " bounced " + got[2] + " < seeded " + c.bounced());
            assertTrue(got[1] >= c.deferred(), name + " deferred " + got[1] + " < seeded " + c.deferred());
        });
    }
}
