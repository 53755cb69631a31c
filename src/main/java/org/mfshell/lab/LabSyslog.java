package org.mfshell.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.Rsyslogd;

/**
 * The handmade lab's own syslog daemon: a real rsyslogd (Debian's rsyslog package) with a
 * lab-private configuration, {@code ROOT/etc/rsyslog.conf}, that is Debian 12's rsyslog.conf
 * reduced to its mail rule: {@code mail.* -ROOT/var/log/mail.log}, written in Debian 12's default
 * file format (RFC 3339 time stamps, then the host name). It listens on the unix socket
 * {@code ROOT/dev/log}, not on the host's /dev/log, and the lab's Postfix masters run with a
 * private /dev whose /dev/log links to that socket ({@link org.mfshell.postfix.PrivateMounts}), so
 * several labs, and a syslog daemon of the host, never mix their lines. Programs started outside
 * the lab (postsuper, postqueue, the postfix-script of a reload) log to the host's /dev/log as
 * usual: into the host's mail log when a syslog daemon serves it, nowhere otherwise.
 *
 * <p>Pid file {@code ROOT/run/rsyslogd.pid}, work directory {@code ROOT/var/spool/rsyslog}. Errors:
 * {@link MfshellException} when rsyslogd refuses the configuration, does not start or does not stop.
 */
final class LabSyslog {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Path root;
    private final Rsyslogd rsyslogd;

    LabSyslog(Path root, ProcessRunner runner) {
        this.root = root;
        this.rsyslogd = new Rsyslogd(runner);
    }

    Path socket() {
        return root.resolve("dev").resolve("log");
    }

    Path mailLog() {
        return root.resolve("var").resolve("log").resolve("mail.log");
    }

    Path conf() {
        return root.resolve("etc").resolve("rsyslog.conf");
    }

    Path pidFile() {
        return root.resolve("run").resolve("rsyslogd.pid");
    }

    private Path workDir() {
        return root.resolve("var").resolve("spool").resolve("rsyslog");
    }

    /** The configuration: Debian 12's file settings and mail rule, lab-private paths, no other input or rule. */
    String configText() {
        return "# mfshell lab syslog for " + root + ": Debian 12's /etc/rsyslog.conf reduced to mail,\n"
                + "# listening on the lab's own socket (the lab's Postfix sees it as /dev/log).\n"
                + "global(workDirectory=\"" + workDir() + "\")\n"
                + "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                // No rate limit: a test drain logs hundreds of lines a second from one qmgr.
                + "input(type=\"imuxsock\" Socket=\"" + socket() + "\" CreatePath=\"on\" RateLimit.Interval=\"0\")\n"
                + "$FileOwner root\n"
                + "$FileGroup adm\n"
                + "$FileCreateMode 0640\n"
                + "$DirCreateMode 0755\n"
                + "$Umask 0022\n"
                + "mail.*\t\t\t\t-" + mailLog() + "\n";
    }

    /** Writes the configuration (again, when it changed) and checks it with rsyslogd itself. */
    void write() {
        try {
            Files.createDirectories(conf().getParent());
            Files.createDirectories(workDir());
            Files.createDirectories(mailLog().getParent());
            Files.createDirectories(pidFile().getParent());
            Files.createDirectories(socket().getParent());
            if (!Files.exists(conf()) || !Files.readString(conf()).equals(configText())) {
                LabTools.writeAtomically(conf(), configText());
            }
        } catch (IOException e) {
            throw new MfshellException("cannot write the lab syslog configuration " + conf() + ": " + e.getMessage(), e);
        }
        rsyslogd.check(conf());
    }

    /** Starts rsyslogd unless it runs; returns once its socket exists. */
    void start() {
        if (pid() != 0) {
            return;
        }
        try {
            Files.deleteIfExists(socket());
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new MfshellException("cannot remove the stale " + socket() + ": " + e.getMessage(), e);
        }
        rsyslogd.start(conf(), pidFile());
        Instant deadline = Instant.now().plus(WAIT);
        while (pid() == 0 || !Files.exists(socket())) {
            if (Instant.now().isAfter(deadline)) {
                throw new MfshellException("the lab's rsyslogd (" + conf() + ") did not open " + socket() + " within "
                        + WAIT.toSeconds() + " s");
            }
            sleep(20);
        }
    }

    /**
     * The pid of this lab's rsyslogd, 0 when none runs: the pid file's process must be an rsyslogd
     * started with this lab's configuration.
     */
    long pid() {
        try {
            if (!Files.exists(pidFile())) {
                return 0;
            }
            long pid = Long.parseLong(Files.readString(pidFile(), StandardCharsets.US_ASCII).trim());
            Path proc = Path.of("/proc", Long.toString(pid));
            String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).replace('\0', ' ');
            String comm = Files.readString(proc.resolve("comm"), StandardCharsets.US_ASCII).trim();
            return comm.startsWith("rsyslogd") && cmdline.contains(" " + conf() + " ") ? pid : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Stops this lab's rsyslogd (SIGTERM, which flushes its files) and waits until it has exited. */
    void stop() {
        long pid = pid();
        if (pid == 0) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        Instant deadline = Instant.now().plus(WAIT);
        while (Files.exists(Path.of("/proc", Long.toString(pid))) && pid() != 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new MfshellException("the lab's rsyslogd (pid " + pid + ") did not stop within " + WAIT.toSeconds() + " s");
            }
            sleep(20);
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new MfshellException("cannot remove " + pidFile() + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted");
        }
    }
}
