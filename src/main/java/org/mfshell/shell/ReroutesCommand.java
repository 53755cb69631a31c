package org.mfshell.shell;

import java.util.List;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.flush.FlushService;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;

/** {@code reroutes} (also {@code flush --status}): the transport.relay reroutes in force on every instance. */
public final class ReroutesCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("reroutes")
            .summary("list the reroutes (transport.relay) in force on every instance, since when and by whom")
            .help("Shows every instance whose transport_maps includes its transport.relay: the target instance and "
                    + "address, the domains moved ('*' for all), when and by whom (from mfshell's flush journal; "
                    + "reroutes made by hand show the map's time and 'unknown'). An UNFINISHED line is a flush whose "
                    + "mfshell died half-way: roll it back or resume it with flush NAME --rollback|--resume.")
            .option(OptionSpec.flag("json", "print a JSON array for scripts"))
            .example("reroutes")
            .example("reroutes --json")
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
        return print(ctx.flushService().reroutes(), args.flag("json"), io);
    }

    static int print(List<FlushService.Reroute> list, boolean json, Io io) {
        if (json) {
            Json.print(io.out(), list);
            return ExitCodes.OK;
        }
        if (list.isEmpty()) {
            io.out().println("no reroute is active on any instance");
            return ExitCodes.OK;
        }
        Table t = new Table("SOURCE", "TARGET", "VIA", "DOMAINS", "SINCE", "BY", "STATE");
        for (FlushService.Reroute r : list) {
            String state = r.state().equals("UNFINISHED") ? Ansi.red(io.color(), r.state()) : r.state();
            t.row(r.source(), r.target(), r.targetAddress(), r.domains().isEmpty() ? "*" : String.join(",", r.domains()),
                    r.since(), r.by(), state);
        }
        t.print(io.out(), io.width());
        return ExitCodes.OK;
    }
}
