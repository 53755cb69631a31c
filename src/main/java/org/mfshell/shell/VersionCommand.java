package org.mfshell.shell;

import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.ParsedArgs;

/**
 * {@code version}: mfshell's own version (from the jar manifest), not Spring Shell's; with
 * {@code --json} also the revision of the JSON shapes, which {@code --on} checks on each remote, and
 * which global options for {@code --on} it takes ({@code json_shapes_option}: {@code --json-shapes N};
 * {@code operator_option}: {@code --operator USER@HOST}).
 */
public final class VersionCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("version")
            .summary("print mfshell's version")
            .option(org.mfshell.cli.OptionSpec.flag("json", "print {\"version\": ..., \"json_shapes\": N} for scripts and --on"))
            .example("version")
            .example("version --json")
            .build();

    /** The revision of the commands' JSON shapes; raised when a shape changes incompatibly. */
    public static final int JSON_SHAPES = 1;

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
        if (args.flag("json")) {
            org.mfshell.shell.render.Json.printLine(io.out(), new java.util.TreeMap<>(java.util.Map.of("version", version(), "json_shapes", JSON_SHAPES,
                    "json_shapes_option", true, "operator_option", true)));
            return ExitCodes.OK;
        }
        io.out().println("mfshell " + version());
        return ExitCodes.OK;
    }
}
