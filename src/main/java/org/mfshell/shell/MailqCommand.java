package org.mfshell.shell;

import java.time.Duration;
import java.util.List;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.MfshellException;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.ExecResult;

/** {@code mailq NAME}: the instance's {@code postqueue -c DIR -p} output as it is (the wiki's per-instance alias). */
public final class MailqCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("mailq")
            .summary("show one instance's queue")
            .help("Prints postqueue -c DIR -p of the named instance, like the wiki's per-instance mailq alias.")
            .argument(ArgSpec.required("NAME", "instance name", Completion.INSTANCE))
            .example("mailq msn-a")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        InstanceRegistry.InstanceDir d = ctx.instances().find(args.arg(0).orElseThrow());
        ExecResult r = ctx.runner().run(List.of("postqueue", "-c", d.configDir().toString(), "-p"), Duration.ofMinutes(5));
        io.out().print(r.stdout());
        if (!r.ok()) {
            throw new MfshellException("postqueue failed for " + d.name() + ": " + r.firstErrorLine());
        }
        return ExitCodes.OK;
    }
}
