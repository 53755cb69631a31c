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

    /** Runs the command; returns the exit code (normally {@link ExitCodes#OK}). */
    int run(ParsedArgs args, AppContext ctx, Io io) throws Exception;
}
