package org.mfshell.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.flush.InstanceLock;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * Issue 12.2: modes do not depend on the umask. A child JVM started under {@code umask 000}
 * (and one under 077) writes every kind of file mfshell writes (StateProbe); the state and
 * audit trees must come out 0700/0600, a new map 0644, a changed file and its backup with the
 * original's mode. And an empty or relative MFSHELL_STATE_DIR, given to the real mfshell, is
 * refused with exit 2 and makes nothing in the current directory.
 */
class UmaskTest {
    @TempDir
    Path tmp;

    private ExecResult probeUnder(String umask, Path root) throws Exception {
        Path config = root.resolve("etc/postfix-msn-a");
        Files.createDirectories(config);
        Files.writeString(config.resolve("main.cf"), "old\n");
        Files.setPosixFilePermissions(config.resolve("main.cf"), PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(config.resolve("secret.cf"), "old\n");
        Files.setPosixFilePermissions(config.resolve("secret.cf"), PosixFilePermissions.fromString("rw-------"));
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
        argv.addAll(MfshellProcess.javaCommand().subList(0, MfshellProcess.javaCommand().size() - 1));
        argv.addAll(List.of(StateProbe.class.getName(), "write-all", root.resolve("state").toString(),
                root.resolve("log/mfshell/audit.log").toString(), config.toString()));
        ExecResult r = new ProcessRunner().run(argv, Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.stderr());
        return r;
    }

    /** Every path under {@code dir} (itself included) with its mode, without following links. */
    private static Map<String, String> modes(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                out.put(dir.relativize(p).toString().replace(File.separatorChar, '/'),
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
        return out;
    }

    @Test
    void stateAndAuditFilesArePrivateAndConfigFilesKeepTheirModesUnderAnyUmask() throws Exception {
        for (String umask : List.of("000", "077")) {
            Path root = tmp.resolve("u" + umask);
            probeUnder(umask, root);
            Map<String, String> state = modes(root.resolve("state"));
            String lock = InstanceLock.lockFile(root.resolve("state"), "/etc/postfix-msn-b").getFileName().toString();
            assertTrue(lock.matches("etc_postfix-msn-b-[0-9a-f]{16}\\.lock"), lock);
            assertEquals(Map.of("", "rwx------", "flush", "rwx------", "flush/.reserve", "rw-------",
                    "flush/msn-a.json", "rw-------", "flush/msn-a.saved", "rwx------", "flush/msn-a.saved/main.cf", "rw-------",
                    "locks", "rwx------", "locks/msn-a.lock", "rw-------", "locks/" + lock, "rw-------"), state, "umask " + umask);
            assertEquals(Map.of("", "rwx------", "mfshell", "rwx------", "mfshell/audit.log", "rw-------"),
                    modes(root.resolve("log")), "umask " + umask);
            Map<String, String> config = modes(root.resolve("etc/postfix-msn-a"));
            assertEquals("rw-r--r--", config.get("transport.relay"), "a new map, umask " + umask);
            assertEquals("rw-r-----", config.get("main.cf"), "umask " + umask);
            assertEquals("rw-------", config.get("secret.cf"), "umask " + umask);
            List<String> backups = config.keySet().stream().filter(n -> n.endsWith(".bak")).toList();
            assertEquals(2, backups.size(), config.toString());
            for (String b : backups) {
                assertEquals(config.get(b.substring(0, b.indexOf(".mfshell-"))), config.get(b), "backup " + b + " keeps the mode");
            }
            assertFalse(config.keySet().stream().anyMatch(n -> n.contains("tmp")), config.toString());
        }
    }

    @Test
    void anEmptyOrRelativeStateDirIsRefusedByTheRealCommand() throws Exception {
        Path cwd = tmp.resolve("cwd");
        Files.createDirectories(cwd.resolve("etc"));
        for (String value : List.of("", "state")) {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(MfshellProcess.javaCommand()));
            pb.command().addAll(List.of("flush", "msn-a", "--rollback", "--yes"));
            pb.directory(cwd.toFile());
            pb.environment().put("MFSHELL_STATE_DIR", value);
            pb.environment().put("MFSHELL_CONFIG_ROOT", cwd.resolve("etc").toString());
            pb.environment().put("MFSHELL_AUDIT_LOG", tmp.resolve("audit.log").toString());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertEquals(2, p.waitFor(), "'" + value + "': " + out + err);
            String expected = value.isEmpty()
                    ? "MFSHELL_STATE_DIR is empty: set it to an absolute path or unset it for the default"
                    : "MFSHELL_STATE_DIR must be an absolute path, not \"state\"";
            assertTrue(err.strip().endsWith(expected) && err.strip().lines().count() == 1, "'" + value + "': " + err);
            try (Stream<Path> s = Files.list(cwd)) {
                assertEquals(List.of(cwd.resolve("etc")), s.toList(), "nothing made in the current directory");
            }
        }
    }
}
