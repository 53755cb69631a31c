package org.mfshell.core;

/** The process exit codes, mapped in this one place. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command was understood but failed while running (Postfix error, I/O error, rollback). */
    public static final int FAILURE = 1;
    /** Bad input: unknown instance, bad option or value. Nothing was changed. */
    public static final int USAGE = 2;
    /** Stopped by the operator (Ctrl-C), as a shell reports a command killed by SIGINT. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }

    /** Exit code for an exception that escaped a command. */
    public static int of(Throwable t) {
        if (t instanceof MfshellException e) {
            return e.exitCode();
        }
        return FAILURE;
    }
}
