package org.mfshell.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.relay.RelayMap;
import org.mfshell.relay.RelayNames;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.core.Quote;

/** {@code relay-map}: prints (or, with --check, validates) a bulk list server's transport.relay. */
public final class RelayMapCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("relay-map")
            .summary("print or check the transport.relay a bulk list server needs")
            .help("Prints the transport map that sends each provider group's domains to its relay name "
                    + "(hotmail.com, outlook.com, live.com, msn.com, ... -> smtp:msn.smtp.mayfirst.org; aol -> aol; "
                    + "earthlink, mindspring, ... -> earthlink), from the provider groups file that stats --by "
                    + "provider uses. Everything else is left to relayhost (therest). --check FILE validates an "
                    + "existing map with the real postmap: it builds a hash map from a copy in a temporary directory "
                    + "and looks every domain up with postmap -q; exit 1 when a domain is missing or goes elsewhere.")
            .option(OptionSpec.value("suffix", "DOMAIN", "relay name suffix (default smtp.mayfirst.org)"))
            .option(OptionSpec.suggested("group", "GROUP", "only this provider group (repeatable)",
                    ProviderGroups.builtIn().names()).asRepeatable())
            .option(OptionSpec.flag("subdomains", "also add .domain lines so subdomains follow their parent"))
            .option(OptionSpec.value("check", "FILE", "validate an existing map instead of printing one", Completion.FILE))
            .option(OptionSpec.flag("json", "print as JSON"))
            .example("relay-map > /etc/postfix/transport.relay")
            .example("relay-map --suffix smtp.example.org --group msn --group aol")
            .example("relay-map --check /etc/postfix/transport.relay")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        ProviderGroups groups = ProviderGroups.load();
        List<String> only = new ArrayList<>();
        for (String g : args.values("group")) {
            RelayNames.requireGroup(g, groups);
            if (g.equals(ProviderGroups.REST)) {
                throw new UsageException("--group therest: everything else has no domain list; set relayhost = therest."
                        + args.value("suffix").orElse(RelayNames.DEFAULT_SUFFIX) + " instead");
            }
            only.add(g);
        }
        RelayMap map = new RelayMap(groups, args.value("suffix").orElse(RelayNames.DEFAULT_SUFFIX));
        List<RelayMap.Entry> entries = map.entries(only, args.flag("subdomains"));
        if (args.value("check").isEmpty()) {
            if (args.flag("json")) {
                Json.print(io.out(), entries);
            } else {
                io.out().print(map.render(entries));
            }
            return ExitCodes.OK;
        }
        Path file = Path.of(args.value("check").get());
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--check " + Quote.quote(file.toString()) + ": no such file");
        }
        RelayMap.CheckResult r = map.check(file, entries, ctx.runner());
        if (args.flag("json")) {
            Json.print(io.out(), r);
            return r.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
        }
        boolean c = io.color();
        for (String w : r.postmapWarnings()) {
            io.out().println("postmap: " + w);
        }
        for (RelayMap.Entry e : r.missing()) {
            io.out().println(Ansi.red(c, "missing") + "  " + e.domain() + "  (want " + e.nexthop() + ")");
        }
        for (RelayMap.Mismatch m : r.wrong()) {
            io.out().println(Ansi.red(c, "wrong") + "    " + m.domain() + " -> " + m.actual() + "  (want " + m.expected() + ")");
        }
        r.extra().forEach((k, v) -> io.out().println(Ansi.yellow(c, "extra") + "    " + k + " -> " + v
                + (k.equals("*") ? "  (catches local mail too)" : "")));
        io.out().println(file + ": " + r.ok().size() + " of " + r.checked() + " domains route as expected"
                + (r.passed() ? ", " + Ansi.green(c, "OK") : ", " + Ansi.red(c, (r.missing().size() + r.wrong().size())
                + " wrong or missing")));
        return r.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
