package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ExecResult;
import org.mfshell.testutil.MfshellProcess;

/**
 * The one-shot contract as a script sees it, on a real child process: stdout carries only the
 * command's output, errors are one line on stderr, exit codes 0/1/2.
 */
class OneShotContractTest {
    @TempDir
    Path root;

    @Test
    void versionGoesToStdoutOnly() {
        ExecResult r = MfshellProcess.run(Map.of(), "version");
        assertEquals(0, r.exitCode());
        assertTrue(r.stdout().matches("mfshell \\S+\n"), r.stdout());
        assertEquals("", r.stderr());
    }

    /** The usual spellings: --help, -h, --version, CMD --help, CMD -h; all exit 0 with the text on stdout. */
    @Test
    void helpAndVersionFlagsExitZero() {
        Map<String, String> env = Map.of("MFSHELL_CONFIG_ROOT", root.toString());
        for (String flag : List.of("--help", "-h")) {
            ExecResult r = MfshellProcess.run(env, flag);
            assertEquals(0, r.exitCode(), flag + ": " + r.stderr());
            assertTrue(r.stdout().contains("COMMAND") && r.stdout().contains("mailq"), r.stdout());
            assertEquals("", r.stderr());
        }
        ExecResult v = MfshellProcess.run(env, "--version");
        assertEquals(0, v.exitCode(), v.stderr());
        assertTrue(v.stdout().matches("mfshell \\S+\n"), v.stdout());
        for (String flag : List.of("--help", "-h")) {
            ExecResult r = MfshellProcess.run(env, "stats", flag);
            assertEquals(0, r.exitCode(), "stats " + flag + ": " + r.stderr());
            assertTrue(r.stdout().startsWith("stats - "), r.stdout());
            assertTrue(r.stdout().contains("--since TIME"), r.stdout());
        }
        // Piped help keeps whole lines (nothing is wrapped for a terminal that is not there).
        ExecResult r = MfshellProcess.run(env, "help", "flush");
        assertTrue(r.stdout().lines().anyMatch(l -> l.length() > 100), r.stdout());
    }

    /** A near miss gets the word meant, in the same one line. */
    @Test
    void typosGetDidYouMean() {
        Map<String, String> env = Map.of("MFSHELL_CONFIG_ROOT", root.toString());
        ExecResult r = MfshellProcess.run(env, "mialq");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("mfshell: unknown command 'mialq'; did you mean mailq?"), r.stderr());
        r = MfshellProcess.run(env, "stats", "--sinse", "1h");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("did you mean --since?"), r.stderr());
        r = MfshellProcess.run(env, "frobnicate");
        assertTrue(!r.stderr().contains("did you mean"), r.stderr());
    }

    @Test
    void unknownCommandAndBadOptionExitTwoWithOneLine() {
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", root.toString()), "frobnicate");
        assertEquals(2, r.exitCode());
        assertEquals("", r.stdout());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("mfshell: unknown command 'frobnicate'"), r.stderr());

        r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", root.toString()), "instances", "--jsn");
        assertEquals(2, r.exitCode());
        assertEquals("", r.stdout());
        // instances gained --follow and --interval (issue 14's live view); the line still names them all.
        assertTrue(r.stderr().startsWith("mfshell: instances: unknown option '--jsn' (known: --json, --follow, --interval)"),
                r.stderr());
        assertTrue(r.stderr().endsWith("did you mean --json?\n"), r.stderr());
    }

    @Test
    void missingOrEmptyConfigRootIsOneClearLine() {
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", root.resolve("nope").toString()), "instances");
        assertEquals(2, r.exitCode());
        assertEquals("", r.stdout());
        assertEquals("mfshell: config root " + root.resolve("nope")
                + " does not exist or is not a directory (set MFSHELL_CONFIG_ROOT or --config-root)\n", r.stderr());

        r = MfshellProcess.run(Map.of(), "--config-root", root.toString(), "instances", "--json");
        assertEquals(2, r.exitCode());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().startsWith("mfshell: no Postfix instance under " + root), r.stderr());
    }

    @Test
    void unknownInstanceListsKnownOnes() throws Exception {
        for (String n : List.of("msn-a", "msn-b")) {
            Path d = Files.createDirectories(root.resolve("postfix-" + n));
            Files.writeString(d.resolve("main.cf"), "");
        }
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", root.toString()), "mailq", "msn-x");
        assertEquals(2, r.exitCode());
        assertEquals("", r.stdout());
        assertEquals("mfshell: unknown instance 'msn-x' (known: msn-a, msn-b)\n", r.stderr());
    }

    /**
     * An unreadable instance directory: as root, file modes do not bind, so the child runs with
     * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set (setpriv).
     */
    @Test
    void unreadableDirIsWarnedAboutAndSkipped() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) missing");
        Path ok = Files.createDirectories(root.resolve("postfix-msn-a"));
        Files.writeString(ok.resolve("main.cf"), "");
        Path locked = Files.createDirectories(root.resolve("postfix-msn-b"));
        Files.writeString(locked.resolve("main.cf"), "");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            ExecResult r = MfshellProcess.run(
                    List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"),
                    Map.of("MFSHELL_CONFIG_ROOT", root.toString()), null, "mailq", "msn-b");
            assertEquals(1, r.exitCode(), r.stderr());
            assertEquals("mfshell: instance 'msn-b' cannot be used: " + locked + ": directory not readable, ignored\n",
                    r.stderr());
            r = MfshellProcess.run(
                    List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"),
                    Map.of("MFSHELL_CONFIG_ROOT", root.toString()), null, "instances", "--json");
            assertTrue(r.stderr().contains("mfshell: warning: " + locked + ": directory not readable, ignored"),
                    r.stderr());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
