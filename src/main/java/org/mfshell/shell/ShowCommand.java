package org.mfshell.shell;

import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.Postcat;
import org.mfshell.queue.QueueIds;

/** {@code show NAME ID}: a queued message's headers (postcat -h -q), or with {@code --body} the whole queue file. */
public final class ShowCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("show")
            .summary("show a queued message (headers, or everything with --body)")
            .help("Runs postcat -q on the instance's queue: the message headers by default; --body prints the whole "
                    + "queue file: envelope records, headers and body.")
            .argument(ArgSpec.required("NAME", "instance name", Completion.INSTANCE))
            .argument(ArgSpec.required("ID", "queue id", Completion.QUEUE_ID))
            .option(OptionSpec.flag("body", "also the envelope and the body"))
            .example("show msn-a 9DD2720C5DF")
            .example("show msn-a 4jcqkn6sDVzJ9mB --body | less")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public boolean needsRoot(ParsedArgs args) {
        return true;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        String id = QueueIds.require(args.arg(1).orElseThrow());
        InstanceRegistry.InstanceDir d = ctx.instances().find(args.arg(0).orElseThrow());
        String text;
        try {
            text = new Postcat(ctx.runner()).show(d.configDir(), id, args.flag("body"));
        } catch (UsageException e) {
            throw new UsageException("no message " + id + " in the queue of " + d.name());
        }
        io.out().print(text);
        return ExitCodes.OK;
    }
}
