package org.mfshell.lab;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.mfshell.postfix.ProcessRunner;

/**
 * The labs the integration tests use, one of each shape per test JVM, brought up on first use and
 * down by a shutdown hook; both may run at once. Default shape: prefix and root from
 * MFSHELL_TEST_LAB_PREFIX (default 127.0.9) and MFSHELL_TEST_LAB_ROOT (default
 * /var/tmp/mfshell-test-lab). Handmade shape ({@link #handmade()}): MFSHELL_TEST_HANDMADE_PREFIX
 * (default 127.0.8) and MFSHELL_TEST_HANDMADE_ROOT (default /var/tmp/mfshell-test-handmade).
 * Without root, Postfix (or, handmade, bubblewrap and rsyslog) the tests fail in CI (CI=true) and
 * are skipped, with a message on stderr, elsewhere.
 */
public final class LabFixture {
    private static Lab lab;
    private static SeedReport seed;
    private static Lab handmadeLab;
    private static SeedReport handmadeSeed;

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
            downAtExit(lab, "lab-down");
        }
        return lab;
    }

    /** The shared handmade lab, up (idempotent and cheap when it already runs). Does not seed. */
    public static synchronized Lab handmade() {
        Lab l = handmadeUnstarted();
        l.up();
        return l;
    }

    /** The shared handmade lab, up and seeded once per JVM (again after its provider lost the seed's mail). */
    public static synchronized SeedReport handmadeSeededOnce() {
        Lab l = handmade();
        if (handmadeSeed == null || !l.acceptedMessageIds().contains(anySentId(handmadeSeed))) {
            handmadeSeed = l.seed();
        }
        return handmadeSeed;
    }

    /** The shared handmade lab object without bringing it up. */
    public static synchronized Lab handmadeUnstarted() {
        requireAvailable(LabShape.HANDMADE);
        if (handmadeLab == null) {
            Map<String, String> env = System.getenv();
            handmadeLab = new Lab(new ProcessRunner(),
                    Path.of(env.getOrDefault("MFSHELL_TEST_HANDMADE_ROOT", "/var/tmp/mfshell-test-handmade")),
                    env.getOrDefault("MFSHELL_TEST_HANDMADE_PREFIX", "127.0.8"), LabShape.HANDMADE);
            downAtExit(handmadeLab, "handmade-lab-down");
        }
        return handmadeLab;
    }

    private static void downAtExit(Lab l, String name) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                l.down();
            } catch (RuntimeException e) {
                System.err.println("LabFixture: lab down of " + l.root() + " failed: " + e.getMessage());
            }
        }, name));
    }

    /** Fails (CI) or skips visibly (elsewhere) when the lab cannot run on this machine. */
    public static void requireAvailable() {
        requireAvailable(LabShape.DEFAULT);
    }

    /** Fails (CI) or skips visibly (elsewhere) when a lab of this shape cannot run on this machine. */
    public static void requireAvailable(LabShape shape) {
        Optional<String> why = Lab.unavailableReason(shape);
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
