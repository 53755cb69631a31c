package org.mfshell.postfix;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * util-linux {@code logger --socket-errors=on -t TAG -p PRIORITY [-u SOCKET] -- MESSAGE}: one line to the
 * system log
 * (syslog's /dev/log, which journald reads on a systemd host), or to the Unix socket given; a socket
 * that is missing is an error (logger ignores it otherwise). The
 * caller validates tag and priority and keeps the message on one line.
 * Errors: {@link ProgramMissingException} without logger; {@link MfshellException} with logger's
 * first error line on a non-zero exit or the timeout.
 */
public final class Logger {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ProcessRunner runner;

    public Logger(ProcessRunner runner) {
        this.runner = runner;
    }

    /** {@code socket} may be null (the system's /dev/log). */
    public static List<String> argv(String tag, String priority, String socket, String message) {
        List<String> argv = new ArrayList<>(List.of("logger", "--socket-errors=on", "-t", tag, "-p", priority));
        if (socket != null) {
            argv.add("-u");
            argv.add(socket);
        }
        argv.add("--");
        argv.add(message);
        return argv;
    }

    public void log(String tag, String priority, String socket, String message) {
        ExecResult r = runner.run(argv(tag, priority, socket, message), TIMEOUT);
        if (!r.ok()) {
            String why = r.timedOut() ? "timed out" : !r.stderr().isBlank() ? r.firstErrorLine() : "exit code " + r.exitCode();
            throw new MfshellException("logger failed: " + why);
        }
    }
}
