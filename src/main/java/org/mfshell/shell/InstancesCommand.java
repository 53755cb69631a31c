package org.mfshell.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.core.ExitCodes;
import java.time.Duration;
import org.mfshell.cli.Io;
import org.mfshell.core.UsageException;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.instance.DiscoveryWarning;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.InstanceState;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;

/**
 * {@code instances}: every discovered instance with its sending IP, state, queues and reroute.
 * A never-started or disabled instance is a normal row. An instance whose configuration
 * postconf cannot read gets a row whose state is {@code error: ...} and one stderr line; the
 * others are still listed and the exit code stays 0 (the listing is complete and says what is
 * wrong where; {@code mailq NAME}, {@code flush NAME} and the like exit 1 on that instance).
 */
public final class InstancesCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("instances")
            .summary("list every Postfix instance with its sending IP, state and queues")
            .help("Discovers /etc/postfix-* (or MFSHELL_CONFIG_ROOT), postmulti's multi_instance_directories and the "
                    + "default instance, and asks postconf about each: sending address (smtp_bind_address of the "
                    + "smtp service), listen addresses (services that master_service_disable turns off listen "
                    + "nowhere), state (running, stopped, disabled, never started, or error when postconf cannot "
                    + "read the instance), queue counts and whether a transport.relay reroute is active. Values are "
                    + "Postfix's expanded ones (postconf -x). A symlinked postfix-* directory leading to another "
                    + "instance is listed as its alias; as root, a directory another user could change is refused "
                    + "with a warning.")
            .option(OptionSpec.flag("json", "print a JSON array of objects for scripts"))
            .option(OptionSpec.flag("follow", "a live view refreshed in place (q or Ctrl-C stops)"))
            .option(OptionSpec.value("interval", "DURATION", "refresh interval for --follow (default 2s)"))
            .example("instances")
            .example("instances --json | jq '.[] | select(.queues.deferred > 100) | .name'")
            .example("instances --follow")
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
    public int run(ParsedArgs args, AppContext ctx, Io io) throws Exception {
        if (args.flag("follow")) {
            if (args.flag("json")) {
                throw new UsageException("instances: --follow is for people; --json is for scripts (not both)");
            }
            Duration every = LiveView.interval(args.durationValue("interval"), "instances");
            return LiveView.run(io, "mfshell instances --follow", every, into -> table(ctx, into));
        }
        if (args.value("interval").isPresent()) {
            throw new UsageException("instances: --interval goes with --follow");
        }
        return table(ctx, io, args.flag("json"));
    }

    private static void table(AppContext ctx, Io io) {
        table(ctx, io, false);
    }

    private static int table(AppContext ctx, Io io, boolean json) {
        InstanceRegistry.Discovery found = ctx.readOnlyInstances().discover();
        for (DiscoveryWarning w : found.warnings()) {
            io.err().println("mfshell: warning: " + w);
        }
        for (PostfixInstance i : found.broken()) {
            io.err().println("mfshell: " + i.name() + ": " + i.error());
        }
        List<PostfixInstance> all = found.instances();
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (PostfixInstance i : all) {
                out.add(toJson(i));
            }
            Json.print(io.out(), out);
            return ExitCodes.OK;
        }
        boolean c = io.color();
        RerouteNotes reroutes = RerouteNotes.of(ctx, io, all);
        Table t = new Table("NAME", "SENDING IP", "LISTEN", "STATE", "DEFERRED", "ACTIVE", "HOLD", "INCOMING", "REROUTE")
                .right(4, 5, 6, 7).abbreviate(null, "IP", null, null, "DEFER", "ACT", null, "INC", "RR");
        for (PostfixInstance i : all) {
            String state = switch (i.state()) {
                case RUNNING -> Ansi.green(c, "running");
                case STOPPED -> Ansi.red(c, "stopped");
                case ERROR -> Ansi.red(c, i.stateText());
                default -> i.state().label();
            };
            String deferred = Long.toString(i.queues().deferred());
            if (i.state() == InstanceState.ERROR) {
                t.row(i.name(), "-", "-", state, "-", "-", "-", "-", "-");
                continue;
            }
            t.row(i.name(), i.bindAddress(), i.listen().isEmpty() ? "-" : String.join(",", i.listen()), state,
                    i.queues().deferred() > 0 ? Ansi.yellow(c, deferred) : deferred,
                    i.queues().active(), i.queues().hold(), i.queues().incoming() + i.queues().maildrop(),
                    i.rerouteActive() || reroutes.of(i.name()) != null
                            ? Ansi.yellow(c, reroutes.cell(i.name(), i.rerouteActive())) : "-");
        }
        t.print(io.out(), io.width());
        return ExitCodes.OK;
    }

    static Map<String, Object> toJson(PostfixInstance i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", i.name());
        m.put("configDir", i.configDir().toString());
        m.put("realConfigDir", i.realConfigDir().toString());
        m.put("aliases", i.aliases());
        m.put("state", i.state().label());
        m.put("error", i.error());
        m.put("queueDir", i.queueDir() == null ? null : i.queueDir().toString());
        m.put("syslogName", i.syslogName());
        m.put("bindAddress", i.bindAddress());
        m.put("listen", i.listen());
        m.put("running", i.running());
        m.put("pid", i.pid());
        m.put("transportMaps", i.transportMaps());
        m.put("transportMapList", i.transportMapList().stream().map(Object::toString).toList());
        m.put("transportMapsState", i.transportMapsState().name().toLowerCase());
        m.put("rerouteActive", i.rerouteActive());
        m.put("maillogFile", i.maillogFile());
        m.put("mynetworks", i.mynetworks());
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("maildrop", i.queues().maildrop());
        q.put("incoming", i.queues().incoming());
        q.put("active", i.queues().active());
        q.put("deferred", i.queues().deferred());
        q.put("hold", i.queues().hold());
        m.put("queues", q);
        return m;
    }
}
