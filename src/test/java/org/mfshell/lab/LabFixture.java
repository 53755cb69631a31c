package org.mfshell.lab;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.mfshell.postfix.ProcessRunner;

/**
 * The lab every integration test uses: one per test JVM, brought up on first use and down by a
 * shutdown hook. Prefix and root come from MFSHELL_TEST_LAB_PREFIX (default 127.0.9) and
 * MFSHELL_TEST_LAB_ROOT (default /var/tmp/mfshell-test-lab). Without root or Postfix the tests
 * fail in CI (CI=true) and are skipped, with a message on stderr, elsewhere.
 */
public final class LabFixture {
    private static Lab lab;
    private static SeedReport seed;

    private LabFixture() {
    }

    /** The shared lab, up (idempotent and cheap when it already runs). Does not seed. */
    public static synchronized Lab shared() {
        Lab l = unstarted();
        l.up();
        return l;
    }

    /**
     * The shared lab, up and seeded once per JVM (again after a test rebuilt it). Mail keeps
     * moving afterwards: msn-a retries its deferred mail every 60-120 s.
     */
    public static synchronized SeedReport seededOnce() {
        Lab l = shared();
        if (seed == null || !l.acceptedMessageIds().contains(anySentId(seed))) {
            seed = l.seed();
        }
        return seed;
    }

    /** The shared lab object without bringing it up, for tests that manage its life themselves. */
    public static synchronized Lab unstarted() {
        requireAvailable();
        if (lab == null) {
            Map<String, String> env = System.getenv();
            lab = new Lab(new ProcessRunner(), Path.of(env.getOrDefault("MFSHELL_TEST_LAB_ROOT", "/var/tmp/mfshell-test-lab")),
                    env.getOrDefault("MFSHELL_TEST_LAB_PREFIX", "127.0.9"));
            Lab l = lab;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    l.down();
                } catch (RuntimeException e) {
                    System.err.println("LabFixture: lab down failed: " + e.getMessage());
                }
            }, "lab-down"));
        }
        return lab;
    }

    /** Fails (CI) or skips visibly (elsewhere) when the lab cannot run on this machine. */
    public static void requireAvailable() {
        Optional<String> why = Lab.unavailableReason();
        if (why.isEmpty()) {
            return;
        }
        String msg = "lab integration test needs root and Postfix: " + why.get();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg + " (CI=true: integration tests must run)");
        }
        System.err.println("SKIPPED: " + msg);
        Assumptions.abort(msg);
    }

    private static String anySentId(SeedReport r) {
        return r.messages().stream().filter(m -> m.has(SeedReport.Outcome.SENT)).map(SeedReport.SeededMessage::messageId)
                .findFirst().orElse("");
    }
}
