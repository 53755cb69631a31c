package org.mfshell.shell;

import java.util.List;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.ParsedArgs;

/**
 * Hidden {@code __complete -- WORD... PARTIAL}: prints the completion candidates for a command
 * line, one per line, from {@link CompletionEngine}. The bash and zsh scripts call it only for
 * values that need a look into a queue (recipient domains, queue ids). Never fails: no
 * candidates is an empty output and exit 0.
 */
public final class CompleteCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("__complete")
            .summary("print completion candidates for the shell completion scripts")
            .argument(ArgSpec.optional("WORDS", "the command line's words, the partly typed one last", Completion.NONE)
                    .asVariadic())
            .hidden()
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        List<String> words = args.positionals();
        if (words.isEmpty()) {
            return ExitCodes.OK;
        }
        List<String> before = words.subList(0, words.size() - 1);
        for (String c : new CompletionEngine(Commands.all(), ctx).complete(before, words.get(words.size() - 1))) {
            io.out().println(c);
        }
        return ExitCodes.OK;
    }
}
