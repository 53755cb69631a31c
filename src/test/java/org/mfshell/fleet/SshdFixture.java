package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.mfshell.lab.Lab;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * Real OpenSSH hosts on loopback for the fleet tests: one sshd process per host name, each on
 * {@code ADDR:}{@value #PORT} with a host key of its own, one key pair made here that every host
 * accepts for root, and sshd's SetEnv pointing each host's sessions at its own lab
 * (MFSHELL_CONFIG_ROOT, MFSHELL_MAIL_LOG) and its own state directory ({@link #stateDir}). The remote
 * mfshell is a launcher of this build in {@link #bin()}, on the PATH sshd sets. {@link #env()}
 * gives the local mfshell the ssh config (MFSHELL_SSH_CONFIG: every host by name, strict host key
 * checking against the known_hosts written here) and a private XDG_RUNTIME_DIR for ssh's control
 * sockets. Everything lives in one temporary directory, removed by {@link #close}, which also ends
 * the ControlMaster processes and the sshd processes.
 *
 * <p>Use: {@link #requireSshd}, {@link #create}, {@link #start} per host, then {@link #env()}.
 * A failure to start is an assertion failure carrying sshd's own log.
 */
final class SshdFixture implements AutoCloseable {
    static final int PORT = 2222;
    private static final ProcessRunner RUN = new ProcessRunner(Duration.ofSeconds(60));

    private final Path dir;
    private final Map<String, Process> sshd = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();

    private SshdFixture(Path dir) {
        this.dir = dir;
    }

    /** Fails (CI=true) or skips visibly when there is no /usr/sbin/sshd. */
    static void requireSshd() {
        if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
            String msg = "/usr/sbin/sshd not found: install the Debian package 'openssh-server' (scripts/setup-debian.sh)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + " (CI=true: integration tests must run)");
            }
            System.err.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
        }
    }

    /** A fresh directory under /tmp named {@code prefix...} with the client key pair and the mfshell launcher. */
    static SshdFixture create(String prefix) throws IOException {
        requireSshd();
        SshdFixture f = new SshdFixture(Files.createTempDirectory(Path.of("/tmp"), prefix));
        Files.createDirectories(Path.of("/run/sshd"));
        ok(RUN.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mfshell-test", "-f", f.dir.resolve("id").toString())));
        Files.copy(f.dir.resolve("id.pub"), f.dir.resolve("authorized_keys"));
        Path launcher = Files.createDirectories(f.bin()).resolve("mfshell");
        StringBuilder sh = new StringBuilder("#!/bin/sh\nexec");
        for (String a : MfshellProcess.javaCommand()) {
            sh.append(" '").append(a.replace("'", "'\\''")).append("'");
        }
        sh.append(" \"$@\"\n");
        Files.writeString(launcher, sh.toString());
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectories(f.runDir());
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        return f;
    }

    /** The fixture's directory (tests may keep their own files there: a fleet file, an operator's state). */
    Path dir() {
        return dir;
    }

    /** Where the remote mfshell launcher is. */
    Path bin() {
        return dir.resolve("bin");
    }

    /** The PATH a host's sessions get by default: the launcher first, then the system's. */
    String defaultPath() {
        return bin() + ":/usr/sbin:/usr/bin:/sbin:/bin";
    }

    /** The directory of ssh's control sockets (the local mfshell's XDG_RUNTIME_DIR). */
    Path runDir() {
        return dir.resolve("run");
    }

    Path sshConfig() {
        return dir.resolve("ssh_config");
    }

    /** {@code host}'s MFSHELL_STATE_DIR (its journals, locks, audit.log). */
    Path stateDir(String host) {
        return dir.resolve("state-" + host);
    }

    /**
     * Starts sshd for {@code host} on {@code addr}:{@value #PORT}, its sessions pointed at {@code lab}
     * with PATH {@code path}, waits until it listens, and (re)writes the ssh config and known_hosts
     * for every host started so far.
     */
    void start(String host, String addr, Lab lab, String path) throws Exception {
        Path key = dir.resolve("host_" + host);
        ok(RUN.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", host, "-f", key.toString())));
        Path state = Files.createDirectories(stateDir(host));
        String config = String.join("\n",
                "ListenAddress " + addr + ":" + PORT,
                "HostKey " + key,
                "PidFile none",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AllowAgentForwarding no",
                "X11Forwarding no",
                "PrintMotd no",
                "SetEnv PATH=" + path + " MFSHELL_CONFIG_ROOT=" + lab.configRoot() + " MFSHELL_STATE_DIR=" + state
                        + " MFSHELL_AUDIT_LOG=" + state.resolve("audit.log") + " MFSHELL_MAIL_LOG=" + lab.mailLog(),
                "");
        Path file = dir.resolve("sshd_" + host);
        Files.writeString(file, config);
        ok(RUN.run(List.of("/usr/sbin/sshd", "-t", "-f", file.toString())));
        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", file.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(log(host).toFile());
        Process p = pb.start();
        sshd.put(host, p);
        addresses.put(host, addr);
        writeClientConfig();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(addr, PORT), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end || !p.isAlive()) {
                    fail("sshd for " + host + " did not listen on " + addr + ":" + PORT + ": " + Files.readString(log(host)));
                }
                Thread.sleep(100);
            }
        }
    }

    /** Stops {@code host}'s sshd; the host stays in the ssh config (a host that is down). */
    void stop(String host) throws InterruptedException {
        Process p = sshd.remove(host);
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** MFSHELL_SSH_CONFIG and XDG_RUNTIME_DIR for the local mfshell, in a map the caller may add to. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("MFSHELL_SSH_CONFIG", sshConfig().toString());
        env.put("XDG_RUNTIME_DIR", runDir().toString());
        return env;
    }

    /** Every host's sshd log, for a failure message (an sshd that refused the key says why there). */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (String h : addresses.keySet()) {
            try {
                sb.append("\n--- sshd ").append(h).append(":\n").append(Files.readString(log(h)));
            } catch (IOException e) {
                sb.append("\n--- sshd ").append(h).append(": ").append(e.getMessage());
            }
        }
        return sb.toString();
    }

    /** The end of a test class: {@code sshd} closed (if it was made), then each lab down; problems printed, not thrown. */
    static void closeAll(SshdFixture sshd, Lab... labs) {
        if (sshd != null) {
            sshd.close();
        }
        for (Lab l : labs) {
            if (l != null) {
                try {
                    l.down();
                } catch (RuntimeException e) {
                    System.err.println("lab down of " + l.root() + " failed: " + e.getMessage());
                }
            }
        }
    }

    /** Ends the ControlMaster processes the runs left (ControlPersist), the sshd processes, and removes the directory. */
    @Override
    public void close() {
        for (String host : addresses.keySet()) {
            if (sshd.containsKey(host)) {
                RUN.run(List.of("ssh", "-F", sshConfig().toString(), "-o", "ControlPath=" + runDir().resolve("%C"), "-O", "exit", host),
                        Duration.ofSeconds(10));
            }
        }
        for (Process p : sshd.values()) {
            p.destroy();
        }
        for (Process p : sshd.values()) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sshd.clear();
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }

    private Path log(String host) {
        return dir.resolve("sshd_" + host + ".log");
    }

    private void writeClientConfig() throws IOException {
        StringBuilder client = new StringBuilder();
        StringBuilder known = new StringBuilder();
        for (Map.Entry<String, String> e : addresses.entrySet()) {
            String host = e.getKey();
            String addr = e.getValue();
            known.append("[").append(addr).append("]:").append(PORT).append(" ")
                    .append(Files.readString(dir.resolve("host_" + host + ".pub")).strip()).append("\n");
            client.append("Host ").append(host).append("\n")
                    .append("  HostName ").append(addr).append("\n")
                    .append("  Port ").append(PORT).append("\n")
                    .append("  User root\n")
                    .append("  IdentityFile ").append(dir.resolve("id")).append("\n")
                    .append("  IdentitiesOnly yes\n")
                    .append("  StrictHostKeyChecking yes\n")
                    .append("  UserKnownHostsFile ").append(dir.resolve("known_hosts")).append("\n")
                    .append("  GlobalKnownHostsFile /dev/null\n");
        }
        Files.writeString(dir.resolve("known_hosts"), known);
        Files.writeString(sshConfig(), client);
    }

    private static void ok(ExecResult r) {
        assertTrue(r.ok(), r.argv() + ": " + r.stderr());
    }
}
