package org.mfshell.core;

/**
 * The operator stopped a command (Ctrl-C in the interactive shell) while it was waiting or
 * working. Reported as "interrupted" with exit code {@link ExitCodes#INTERRUPTED}; whatever ran
 * below it (child processes, scan threads) has been stopped before this is thrown. Whoever throws
 * it clears the thread's interrupt flag (the exception carries it), so clean-up after it can
 * still wait and run programs.
 */
public class CancelledException extends MfshellException {
    public CancelledException() {
        super("interrupted");
    }

    public CancelledException(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return ExitCodes.INTERRUPTED;
    }
}
