package org.mfshell.shell;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.ExitCodes;
import org.mfshell.dns.DnsClient;
import org.mfshell.dns.DnsReport;
import org.mfshell.dns.DnsReport.IpCheck;
import org.mfshell.dns.DnsReport.RelayAddress;
import org.mfshell.dns.DnsReport.RelayName;
import org.mfshell.dns.DnsblLists;
import org.mfshell.dns.IpsService;
import org.mfshell.health.Verdict;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;

/** {@code relays}: each relay name's A/AAAA records, the instance behind each address, its state, verdict and share. */
public final class RelaysCommand implements MfCommand {
    private static final CommandSpec SPEC = DnsOptions.addAll(CommandSpec.builder("relays")
            .summary("each relay name's addresses, with the instance, state, verdict and share of each")
            .help("One row per address of each relay name (msn, aol, earthlink, therest under --suffix, default "
                    + "smtp.mayfirst.org): its record's TTL, the instance on this host that sends from it, that "
                    + "instance's state, its verdict for the relay's provider group (the mail log by health's rules and "
                    + "its DNSBL listings), and the share of the name's connections it gets (each distinct address "
                    + "an equal share). Flags a relay name with an address that belongs to no running instance here, "
                    + "and one whose addresses are all BLOCKED.")
            .option(OptionSpec.flag("json", "print as JSON")))
            .example("relays")
            .example("relays --suffix smtp.example.org --resolver 127.0.0.53")
            .example("relays --json")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    /** One row of the report: a relay name's address with what stands behind it. */
    public record Row(String relay, String group, String address, long ttl, double share, List<String> instances,
                      String state, Verdict verdict) {
    }

    /** One relay name with its rows and flags. */
    public record Relay(String name, String group, String status, String error, List<Row> addresses,
                        List<String> flags) {
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        Duration timeout = DnsOptions.timeout(args);
        List<InetSocketAddress> servers = DnsOptions.servers(args);
        DnsblLists lists = DnsOptions.lists(args, ctx);
        long sinceMs = DnsOptions.since(args);
        ProviderGroups groups = ProviderGroups.load();
        IpsService service = new IpsService(ctx.instances(), ctx.runner(), groups, DnsOptions.suffix(args));
        List<PostfixInstance> instances = service.instances();
        var pendingLog = DnsOptions.logVerdictsAsync(ctx, sinceMs, io);
        DnsClient dns = DnsClients.create(args, ctx, servers, timeout);
        DnsReport report = service.report(dns, lists, instances);
        DnsClients.save(dns, io);
        Map<String, Map<String, Verdict>> log = DnsOptions.join(pendingLog);
        List<Relay> relays = relays(report, log);
        if (args.flag("json")) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("resolver", report.resolver());
            out.put("relays", relays);
            Json.print(io.out(), out);
            return ExitCodes.OK;
        }
        boolean c = io.color();
        Table t = new Table("RELAY NAME", "ADDRESS", "TTL", "SHARE%", "INSTANCE", "STATE", "VERDICT").right(2, 3);
        for (Relay r : relays) {
            if (r.addresses().isEmpty()) {
                t.row(r.name(), r.status().equals("unknown") ? Ansi.yellow(c, "unknown") : Ansi.red(c, r.status()),
                        "-", "-", "-", "-", "-");
            }
            for (Row row : r.addresses()) {
                t.row(r.name(), row.address(), row.ttl(), String.format(Locale.ROOT, "%.1f", row.share() * 100),
                        row.instances().isEmpty() ? Ansi.red(c, "none here") : String.join(",", row.instances()),
                        row.state().equals("running") ? Ansi.green(c, "running") : Ansi.red(c, row.state()),
                        row.verdict() == null ? "-" : IpsCommand.verdictCell(Map.of(r.group(), row.verdict()), c));
            }
        }
        io.out().println("Relay names (resolver " + report.resolver() + ")");
        t.print(io.out());
        boolean any = false;
        for (Relay r : relays) {
            for (String f : r.flags()) {
                if (!any) {
                    io.out().println();
                    io.out().println("Flags:");
                    any = true;
                }
                io.out().println("  " + r.name() + "  " + f);
            }
        }
        return ExitCodes.OK;
    }

    static List<Relay> relays(DnsReport report, Map<String, Map<String, Verdict>> log) {
        Map<String, IpCheck> checks = new LinkedHashMap<>();
        report.ips().forEach(i -> checks.put(i.ip(), i));
        List<Relay> out = new ArrayList<>();
        for (RelayName r : report.relays()) {
            List<Row> rows = new ArrayList<>();
            List<String> flags = new ArrayList<>();
            boolean allBlocked = !r.addresses().isEmpty();
            for (RelayAddress a : r.addresses()) {
                IpCheck check = checks.get(a.address());
                Verdict v = a.instances().isEmpty() ? null : IpsService.verdict(check, r.group(), log);
                String state = a.instances().isEmpty() ? "not ours" : a.running() ? "running" : "stopped";
                rows.add(new Row(r.name(), r.group(), a.address(), a.ttl(), a.share(), a.instances(), state, v));
                if (!a.running()) {
                    flags.add(a.address() + " belongs to no running instance here"
                            + (a.instances().isEmpty() ? "" : " (" + String.join(",", a.instances()) + " stopped)"));
                }
                allBlocked &= v == Verdict.BLOCKED;
            }
            if (allBlocked) {
                flags.add("every address is BLOCKED for " + r.group());
            }
            if (r.status().equals("unknown")) {
                flags.add("records unknown (" + r.error() + ")");
            } else if (r.addresses().isEmpty()) {
                flags.add("no A/AAAA records (" + r.status() + ")");
            }
            out.add(new Relay(r.name(), r.group(), r.status(), r.error(), rows, flags));
        }
        return out;
    }
}
