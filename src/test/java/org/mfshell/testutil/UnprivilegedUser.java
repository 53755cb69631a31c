package org.mfshell.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/**
 * A real local user without privileges ({@value #NAME}, made with useradd on first use), and
 * commands run as that user through setpriv: how tests play the other local user who plants
 * files for root to trip on. Needs root; without it the test fails under CI=true and is skipped
 * elsewhere, with the reason on stderr.
 */
public final class UnprivilegedUser {
    public static final String NAME = "mfshell-atk";
    private static final ProcessRunner RUNNER = new ProcessRunner();

    public final int uid;
    public final int gid;

    private UnprivilegedUser(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    /** The user, created when missing. */
    public static synchronized UnprivilegedUser get() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "needs root to add a user and run commands as them";
        } else if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) || !Files.isExecutable(Path.of("/usr/sbin/useradd"))) {
            why = "needs /usr/bin/setpriv (util-linux) and /usr/sbin/useradd (passwd)";
        }
        if (why != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: this test must run)");
            }
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        if (!id("-u").ok()) {
            ExecResult r = RUNNER.run(List.of("/usr/sbin/useradd", "--system", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", NAME), Duration.ofSeconds(30));
            // Another test JVM may have made it meanwhile: id decides.
            if (!r.ok() && !id("-u").ok()) {
                fail("useradd " + NAME + " failed: " + r.stderr());
            }
        }
        return new UnprivilegedUser(Integer.parseInt(id("-u").stdout().trim()), Integer.parseInt(id("-g").stdout().trim()));
    }

    private static ExecResult id(String what) {
        return RUNNER.run(List.of("/usr/bin/id", what, NAME), Duration.ofSeconds(10));
    }

    /** Runs {@code argv} as this user (no supplementary groups); fails the test when it exits non-zero. */
    public ExecResult run(String... argv) {
        List<String> a = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups"));
        a.addAll(List.of(argv));
        ExecResult r = RUNNER.run(a, Duration.ofSeconds(30));
        if (!r.ok()) {
            fail("as " + NAME + ": " + String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r;
    }
}
