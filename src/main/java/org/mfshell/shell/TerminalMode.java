package org.mfshell.shell;

import java.time.Duration;
import java.util.List;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/**
 * Puts the controlling terminal into character mode (no line buffering, no echo) so
 * {@code stats --follow} sees a single {@code q}, and restores the saved settings afterwards,
 * also from a shutdown hook on Ctrl-C. Uses {@code stty -F /dev/tty}; if that fails, the
 * terminal is left alone (q then needs Enter).
 */
class TerminalMode {
    static final TerminalMode NONE = new TerminalMode(null, null);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ProcessRunner runner;
    private final String saved;
    private Thread hook;

    private TerminalMode(ProcessRunner runner, String saved) {
        this.runner = runner;
        this.saved = saved;
    }

    static TerminalMode raw(ProcessRunner runner) {
        try {
            ExecResult g = runner.run(List.of("stty", "-F", "/dev/tty", "-g"), TIMEOUT);
            if (!g.ok()) {
                return NONE;
            }
            String saved = g.stdout().trim();
            if (!runner.run(List.of("stty", "-F", "/dev/tty", "-icanon", "-echo", "min", "1"), TIMEOUT).ok()) {
                return NONE;
            }
            TerminalMode m = new TerminalMode(runner, saved);
            m.hook = new Thread(m::restoreNow, "mfshell-tty-restore");
            Runtime.getRuntime().addShutdownHook(m.hook);
            return m;
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    void restore() {
        if (saved == null) {
            return;
        }
        restoreNow();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private void restoreNow() {
        if (saved != null) {
            runner.run(List.of("stty", "-F", "/dev/tty", saved), TIMEOUT);
        }
    }
}
