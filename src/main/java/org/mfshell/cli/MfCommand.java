package org.mfshell.cli;

import org.mfshell.core.ExitCodes;
import org.mfshell.core.UsageException;
import org.mfshell.core.MfshellException;
import org.mfshell.AppContext;

/**
 * One mfshell command. Implementations are thin: read the parsed arguments, call one service,
 * render. They throw {@link UsageException} for bad input and {@link MfshellException} for
 * failures; {@link Cli} prints the message and maps the exit code.
 */
public interface MfCommand {
    CommandSpec spec();

    /**
     * Whether this run needs root: it reads or changes the Postfix queues (postqueue and postcat
     * serve only root for instances other than the default one; postsuper refuses everyone else)
     * or writes Postfix's configuration and mfshell's root-owned state. {@link Cli} refuses such
     * a run up front for other users, in one line, before anything is read or written. With
     * {@code args} null: whether the command needs root at all (for the list of what runs without).
     */
    default boolean needsRoot(ParsedArgs args) {
        return false;
    }

    /**
     * Reports an error that escaped this command's parsing, root check or run ({@code code} is the
     * exit code {@link Cli} would give) and returns the exit code to use, or -1 to leave both to
     * {@link Cli}: one line on stderr and {@code code}. A monitoring plugin needs its own.
     */
    default int reportError(String message, int code, Io io) {
        return -1;
    }

    /** Runs the command; returns the exit code (normally {@link ExitCodes#OK}). */
    int run(ParsedArgs args, AppContext ctx, Io io) throws Exception;
}
