package org.mfshell.shell;

import org.jline.terminal.Terminal;
import org.mfshell.postfix.ProcessRunner;

/**
 * Ctrl-C in the interactive shell stops the running command, never the shell. While a command
 * runs the terminal is in its normal mode, so Ctrl-C arrives as SIGINT: JLine hands it to
 * {@link #install}'s handler (JLine's line reader takes it over while it reads a line, and
 * hands it back after), which interrupts the command's thread and stops the programs the
 * command started ({@link ProcessRunner#cancelAll}; those that did not already die of the
 * terminal's SIGINT), so waits end, scans stop at their next block, and the command reports
 * "interrupted". A pager run meanwhile keeps the terminal and its Ctrl-C. Reports no errors.
 */
final class CommandThread {
    private static volatile Thread running;

    private CommandThread() {
    }

    /** Sends the terminal's Ctrl-C to the running command. */
    static void install(Terminal terminal) {
        terminal.handle(Terminal.Signal.INT, s -> interrupt());
    }

    static void interrupt() {
        Thread t = running;
        if (t != null) {
            t.interrupt();
            ProcessRunner.cancelAll();
        }
    }

    /** Runs one command on this thread as the one Ctrl-C stops; the interrupt is cleared after. */
    static void run(Runnable command) {
        running = Thread.currentThread();
        try {
            command.run();
        } finally {
            running = null;
            Thread.interrupted();
        }
    }
}
