package org.mfshell.shell;

import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.ParsedArgs;

/** {@code version}: mfshell's own version (from the jar manifest), not Spring Shell's. */
public final class VersionCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("version")
            .summary("print mfshell's version")
            .example("version")
            .build();

    public static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        io.out().println("mfshell " + version());
        return ExitCodes.OK;
    }
}
