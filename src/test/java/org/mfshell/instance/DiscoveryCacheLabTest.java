package org.mfshell.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * The discovery cache against the lab's real, running instances, through a real child JVM:
 * {@code instances --json} answered from the cache equals the answer without it, and a
 * {@code postconf -e} change is seen on the very next run.
 */
class DiscoveryCacheLabTest {
    private static Lab lab;

    @TempDir
    Path cacheDir;

    @BeforeAll
    static void lab() {
        lab = LabFixture.shared();
    }

    private ExecResult instances(boolean cache) {
        Map<String, String> env = cache
                ? Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(), "MFSHELL_CACHE_DIR", cacheDir.toString())
                : Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(), "MFSHELL_DISCOVERY_CACHE", "off");
        ExecResult r = MfshellProcess.run(env, "instances", "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        return r;
    }

    @Test
    void cachedAnswerEqualsUncachedAndAPostconfEditIsSeenNextRun() throws Exception {
        lab.waitForQueuesToSettle(Duration.ofSeconds(60));
        Thread.sleep(2100);
        instances(true);
        try (var s = Files.list(cacheDir)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            String text = Files.readString(files.get(0));
            for (String name : Lab.INSTANCES) {
                assertTrue(text.contains("\ndir " + lab.configDir(name) + "\t"), name + " cached");
            }
        }
        // Queue counts move while mail is retried: compare neighbouring runs until two agree.
        String cached = null;
        String plain = null;
        for (int attempt = 0; attempt < 5 && (cached == null || !cached.equals(plain)); attempt++) {
            plain = instances(false).stdout();
            cached = instances(true).stdout();
        }
        assertEquals(plain, cached);

        String name = Lab.INSTANCES.get(0);
        Path dir = lab.configDir(name);
        ProcessRunner runner = new ProcessRunner();
        String before = runner.run(List.of("postconf", "-c", dir.toString(), "-h", "mynetworks"), Duration.ofSeconds(30))
                .stdout().trim();
        assertFalse(before.contains("192.0.2.0/24"), before);
        boolean explicit = !runner.run(List.of("postconf", "-c", dir.toString(), "-n", "-h", "mynetworks"),
                Duration.ofSeconds(30)).stdout().isBlank();
        try {
            ExecResult e = runner.run(List.of("postconf", "-c", dir.toString(), "-e",
                    "mynetworks = " + before + " 192.0.2.0/24"), Duration.ofSeconds(30));
            assertEquals(0, e.exitCode(), e.stderr());
            String after = instances(true).stdout();
            assertTrue(after.contains("192.0.2.0/24"), after);
        } finally {
            runner.run(explicit ? List.of("postconf", "-c", dir.toString(), "-e", "mynetworks = " + before)
                    : List.of("postconf", "-c", dir.toString(), "-X", "mynetworks"), Duration.ofSeconds(30));
        }
        assertFalse(instances(true).stdout().contains("192.0.2.0/24"), "the restore is seen too");
    }
}
