package org.mfshell.shell;

import java.util.function.Supplier;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.Text;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.shell.render.Table;
import org.mfshell.core.Quote;

/** {@code help} lists the commands; {@code help CMD} shows usage, options and examples from the command's spec. */
public final class HelpCommand implements MfCommand {
    private final Supplier<java.util.List<MfCommand>> commands;
    private final CommandSpec spec;

    public HelpCommand(Supplier<java.util.List<MfCommand>> commands, java.util.List<String> names) {
        this.commands = commands;
        this.spec = CommandSpec.builder("help")
                .summary("list commands, or show one command's options and examples")
                .argument(new ArgSpec("CMD", "command to explain", false, false, Completion.CHOICE, names))
                .example("help")
                .example("help flush")
                .build();
    }

    @Override
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        if (args.arg(0).isEmpty()) {
            line(io, "mfshell " + VersionCommand.version() + ": commands over the Postfix instances under "
                    + ctx.configRoot(), "  ");
            Table t = new Table("COMMAND", "WHAT IT DOES");
            for (MfCommand c : commands.get()) {
                if (!c.spec().hidden()) {
                    t.row(c.spec().name(), c.spec().summary());
                }
            }
            t.print(io.out(), io.width());
            io.out().println();
            line(io, "help CMD (or CMD --help) shows a command's options and examples. Every command also runs "
                    + "one-shot: mfshell CMD ARGS", "");
            line(io, "In the interactive shell: TAB completes (and describes), history lists past commands, clear "
                    + "clears the screen, Ctrl-C stops the running command or clears the line, quit (or exit, or "
                    + "Ctrl-D) leaves. After a command: | include REGEX, | exclude REGEX, | count filter its "
                    + "output, > FILE saves it; output longer than the screen opens in $PAGER (less; --no-pager "
                    + "or MFSHELL_PAGER=off: never). Tables fit the terminal; --wide after any command shows every cell whole.", "");
            return ExitCodes.OK;
        }
        String name = args.arg(0).get();
        MfCommand cmd = commands.get().stream().filter(c -> c.spec().name().equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("no command " + Quote.quote(name)));
        print(cmd.spec(), io);
        return ExitCodes.OK;
    }

    /** One paragraph, wrapped on words to the terminal's width (whole when piped). */
    private static void line(Io io, String text, String indent) {
        for (String l : Text.wrap(text, io.width(), indent)) {
            io.out().println(l);
        }
    }

    static void print(CommandSpec s, Io io) {
        line(io, s.name() + " - " + s.summary(), "  ");
        io.out().println();
        line(io, "Usage: " + s.usage(), "         ");
        if (!s.help().isEmpty()) {
            io.out().println();
            line(io, s.help(), "");
        }
        if (!s.arguments().isEmpty()) {
            io.out().println();
            io.out().println("Arguments:");
            for (ArgSpec a : s.arguments()) {
                line(io, String.format("  %-22s %s", a.name(), a.help()), " ".repeat(25));
            }
        }
        if (!s.visibleOptions().isEmpty()) {
            io.out().println();
            io.out().println("Options:");
            for (OptionSpec o : s.visibleOptions()) {
                String left = "--" + o.longName() + (o.isFlag() ? "" : " " + o.valueName());
                String help = o.help() + (o.choices().isEmpty() ? "" : " (" + String.join("|", o.choices()) + ")")
                        + (o.repeatable() && !o.help().toLowerCase(java.util.Locale.ROOT).contains("repeat") ? " (repeatable)" : "");
                line(io, String.format("  %-22s %s", left, help), " ".repeat(25));
            }
        }
        if (!s.examples().isEmpty()) {
            io.out().println();
            io.out().println("Examples:");
            for (String e : s.examples()) {
                line(io, "  " + e, "      ");
            }
        }
    }
}
