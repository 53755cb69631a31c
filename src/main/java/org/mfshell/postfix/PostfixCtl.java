package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * {@code postfix -c DIR reload|start|stop|status}. The wrapper prints its own errors only to a
 * terminal, so a failure is reported by exit code with a pointer to the instance's log.
 * Errors: {@link MfshellException}.
 */
public final class PostfixCtl {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final ProcessRunner runner;

    public PostfixCtl(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> argv(Path configDir, String action) {
        return List.of("postfix", "-c", configDir.toString(), action);
    }

    public void reload(Path configDir) {
        check(runner.run(argv(configDir, "reload"), TIMEOUT), "reload", configDir);
    }

    /**
     * Runs {@code postfix -c DIR ACTION} (start, stop, reload) and returns what it did; the caller
     * reads the exit code. With {@code mounts} (may be null) it runs inside that private mount namespace.
     */
    public ExecResult attempt(Path configDir, String action, PrivateMounts mounts) {
        List<String> argv = argv(configDir, action);
        return runner.run(mounts == null ? argv : mounts.wrap(argv), TIMEOUT);
    }

    public boolean running(Path configDir) {
        return runner.run(argv(configDir, "status"), TIMEOUT).exitCode() == 0;
    }

    private static void check(ExecResult r, String action, Path configDir) {
        if (!r.ok()) {
            String why = r.timedOut() ? "timed out" : !r.stderr().isBlank() ? r.firstErrorLine()
                    : "exit code " + r.exitCode() + " (is it running? see its maillog_file or syslog)";
            throw new MfshellException("postfix -c " + configDir + " " + action + " failed: " + why);
        }
    }
}
