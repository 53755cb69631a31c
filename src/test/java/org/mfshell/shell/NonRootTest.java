package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.lab.Lab;
import org.mfshell.postfix.ExecResult;
import org.mfshell.testutil.MfshellProcess;

/**
 * mfshell run by a real unprivileged user (uid nobody through setpriv, keeping only the right to
 * read the class path, which may live under /root): what needs root is refused up front in one
 * line that says what runs without it, instead of postqueue's "fatal: open file
 * /etc/postfix/main.cf" or a lock error; what does not need root still works.
 */
class NonRootTest {
    private static final List<String> NOBODY = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
            "--clear-groups", "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search");

    @TempDir
    Path root;

    private Map<String, String> env;

    @BeforeEach
    void instances() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) missing");
        Assumptions.assumeTrue(Lab.runningAsRoot(), "already not root");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String n : List.of("msn-a", "msn-b")) {
            Path d = Files.createDirectories(root.resolve("postfix-" + n));
            Files.writeString(d.resolve("main.cf"), "");
        }
        env = Map.of("MFSHELL_CONFIG_ROOT", root.toString(), "MFSHELL_STATE_DIR", root.resolve("state").toString(),
                "MFSHELL_AUDIT_LOG", root.resolve("audit.log").toString());
    }

    @Test
    void whatNeedsRootIsRefusedInOneLine() {
        for (List<String> argv : List.of(List.of("mailq"), List.of("mailq", "msn-a"), List.of("instances"),
                List.of("release", "msn-a", "--all", "--yes"), List.of("hold", "msn-a", "--all", "--yes"),
                List.of("flush", "msn-a", "--to", "msn-b", "--domain", "hotmail.com", "--yes"),
                List.of("flush", "--status"), List.of("reroutes"), List.of("health"), List.of("show", "msn-a", "ABCDEF12345"),
                List.of("warmup", "status", "msn"))) {
            ExecResult r = MfshellProcess.run(NOBODY, env, null, argv.toArray(String[]::new));
            assertEquals(1, r.exitCode(), argv + ": " + r.stderr());
            assertEquals("", r.stdout(), argv.toString());
            assertEquals(1, r.stderr().lines().count(), argv + ": " + r.stderr());
            assertEquals("mfshell: " + argv.get(0) + " needs root (Postfix's queues and configuration and mfshell's "
                    + "state are root's): run it as root (sudo mfshell " + argv.get(0) + "); as uid 65534 you can run "
                    + "stats, version, relay-map, ips, relays, help and warmup plan with --existing and --host\n", r.stderr(), argv.toString());
        }
        assertTrue(Files.notExists(root.resolve("state")), "nothing written");
    }

    @Test
    void whatDoesNotNeedRootStillRuns() throws Exception {
        Path log = Path.of(NonRootTest.class.getResource("/stats/real-postfix/real-postfix.log").toURI());
        ExecResult r = MfshellProcess.run(NOBODY, env, null, "stats", "--format", "mf", "--instance", "msn-b",
                "--log", log.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith("postfix-msn-b:total:10\n"), r.stdout());
        r = MfshellProcess.run(NOBODY, env, null, "warmup", "plan", "msn", "--new-ip", "216.66.15.9", "--existing",
                "209.51.172.9", "--host", "rustin.mayfirst.org");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("msn.smtp.mayfirst.org.\t600\tIN\tA\t216.66.15.9"), r.stdout());
        r = MfshellProcess.run(NOBODY, env, null, "relay-map", "--group", "msn");
        assertEquals(0, r.exitCode(), r.stderr());
    }
}
