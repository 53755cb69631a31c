package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * rsyslogd from Debian's rsyslog package: {@code rsyslogd -N1 -f CONF} checks a configuration,
 * {@code rsyslogd -f CONF -i PIDFILE} starts a daemon with it (rsyslogd detaches itself and writes
 * its pid to PIDFILE). Stopping is a SIGTERM to that pid, left to the caller that owns it.
 * Errors: {@link MfshellException} with rsyslogd's first stderr line; a missing rsyslogd is
 * reported with its package by {@link ProcessRunner}.
 */
public final class Rsyslogd {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ProcessRunner runner;

    public Rsyslogd(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> checkArgv(Path conf) {
        return List.of("rsyslogd", "-N1", "-f", conf.toString());
    }

    public static List<String> startArgv(Path conf, Path pidFile) {
        return List.of("rsyslogd", "-f", conf.toString(), "-i", pidFile.toString());
    }

    /** Validates {@code conf} (rsyslogd's own config check); throws with its complaint. */
    public void check(Path conf) {
        ExecResult r = runner.run(checkArgv(conf), TIMEOUT);
        if (!r.ok()) {
            throw new MfshellException("rsyslogd refuses " + conf + ": " + (r.timedOut() ? "timed out" : errorLine(r)));
        }
    }

    /** Starts a daemon with {@code conf}; returns once rsyslogd has detached. */
    public void start(Path conf, Path pidFile) {
        ExecResult r = runner.run(startArgv(conf, pidFile), TIMEOUT);
        if (!r.ok()) {
            throw new MfshellException("rsyslogd -f " + conf + " did not start: " + (r.timedOut() ? "timed out" : errorLine(r)));
        }
    }

    private static String errorLine(ExecResult r) {
        // rsyslogd prints version banner lines before its complaint: report the complaint.
        for (String l : (r.stderr() + "\n" + r.stdout()).split("\n")) {
            if (l.contains("error") || l.contains("could not") || l.contains("invalid")) {
                return l.strip();
            }
        }
        return r.stderr().isBlank() ? "exit code " + r.exitCode() : r.firstErrorLine();
    }
}
