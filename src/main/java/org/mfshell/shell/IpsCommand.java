package org.mfshell.shell;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.UsageException;
import org.mfshell.dns.DnsClient;
import org.mfshell.dns.DnsReport;
import org.mfshell.dns.DnsReport.IpCheck;
import org.mfshell.dns.DnsReport.Listing;
import org.mfshell.dns.DnsReport.RelayRecord;
import org.mfshell.dns.DnsblLists;
import org.mfshell.dns.IpSwitch;
import org.mfshell.dns.IpsService;
import org.mfshell.health.Verdict;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;

/** {@code ips [off|on IP]}: every sending IP's PTR, HELO, relay names, blocklists and verdicts; turning one off or on. */
public final class IpsCommand implements MfCommand {
    private static final CommandSpec SPEC = DnsOptions.addAll(CommandSpec.builder("ips")
            .summary("check each sending IP (PTR, HELO, relay names, DNS blocklists); turn one off or on")
            .help("One row per sending IP (the smtp_bind_address of each instance): its instances and the HELO name "
                    + "each really uses (smtp_helo_name, else myhostname, master.cf overrides of the smtp service "
                    + "included), its PTR, whether the PTR resolves back to it (forward-confirmed reverse DNS) and the "
                    + "TTL of that host record, whether the HELO name resolves to it, the relay names (msn, aol, "
                    + "earthlink, therest under --suffix) that point at it, its DNSBL answers read per list (Spamhaus "
                    + "ZEN, Barracuda, SpamCop, UCEPROTECT level 1, PSBL by default; /etc/mfshell/dnsbl.txt or --lists "
                    + "FILE), and its verdict per provider group: the worst of the mail log's (health's rules) and "
                    + "what its listings mean for that provider. It flags what providers punish: no PTR, a PTR that "
                    + "does not confirm, a HELO name that does not resolve to the IP, a host record TTL under 3600 s, "
                    + "a listing. A refused or timed-out DNSBL query is 'unknown', never 'listed'. "
                    + "off IP: the exact zone lines to remove from the relay names, checked with named-compilezone, "
                    + "refused (exit 1) when a relay name would keep no healthy address; then the flush that moves "
                    + "mail already queued at the IP's instance to a sibling. on IP: the lines that put it back. "
                    + "mfshell does not edit DNS. Answers are cached per TTL in MFSHELL_STATE_DIR/dns-cache.json (0600).")
            .argument(ArgSpec.choice("ACTION", "off or on: print the zone change that turns IP off or back on", false,
                    "off", "on"))
            .argument(ArgSpec.optional("IP", "a sending IP of an instance (with off or on)",
                    Completion.NONE))
            .option(OptionSpec.flag("json", "print the report (or the plan) as JSON")))
            .example("ips")
            .example("ips --resolver 127.0.0.53 --timeout 2s")
            .example("ips --json | jq '.ips[] | select(.flags | length > 0) | .ip'")
            .example("ips off 209.51.172.9")
            .example("ips on 209.51.172.9")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        String action = args.arg(0).orElse(null);
        if (action != null && args.arg(1).isEmpty()) {
            throw new UsageException("ips " + action + ": give the IP to turn " + action + " (e.g. ips " + action
                    + " 209.51.172.9)");
        }
        Duration timeout = DnsOptions.timeout(args);
        List<InetSocketAddress> servers = DnsOptions.servers(args);
        DnsblLists lists = DnsOptions.lists(args, ctx);
        long sinceMs = DnsOptions.since(args);
        ProviderGroups groups = ProviderGroups.load();
        IpsService service = new IpsService(ctx.instances(), ctx.runner(), groups, DnsOptions.suffix(args));
        List<PostfixInstance> instances = service.instances();
        String ip = action == null ? null : service.requireOurs(args.arg(1).get(), "ips " + action, instances);
        var pendingLog = DnsOptions.logVerdictsAsync(ctx, sinceMs, io);
        DnsClient dns = DnsClients.create(args, ctx, servers, timeout);
        DnsReport report = service.report(dns, lists, instances);
        DnsClients.save(dns, io);
        Map<String, Map<String, Verdict>> logVerdicts = DnsOptions.join(pendingLog);
        if (ip != null) {
            IpSwitch plan = service.plan(action.equals("on"), ip, report, instances, logVerdicts);
            if (args.flag("json")) {
                Json.print(io.out(), plan);
            } else {
                renderPlan(plan, io);
            }
            if (!plan.ok()) {
                io.err().println("mfshell: ips " + action + " " + ip + " refused: " + plan.problems().get(0));
                return ExitCodes.FAILURE;
            }
            return ExitCodes.OK;
        }
        if (args.flag("json")) {
            Map<String, Object> out = Json.MAPPER.convertValue(report, LinkedHashMap.class);
            List<Object> rows = new ArrayList<>();
            for (IpCheck c : report.ips()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = Json.MAPPER.convertValue(c, LinkedHashMap.class);
                row.put("verdicts", verdicts(c, groups, logVerdicts));
                rows.add(row);
            }
            out.put("ips", rows);
            Json.print(io.out(), out);
            return ExitCodes.OK;
        }
        render(report, groups, logVerdicts, io);
        return ExitCodes.OK;
    }

    static Map<String, Verdict> verdicts(IpCheck c, ProviderGroups groups, Map<String, Map<String, Verdict>> log) {
        Map<String, Verdict> v = new LinkedHashMap<>();
        for (String g : groups.names()) {
            v.put(g, IpsService.verdict(c, g, log));
        }
        return v;
    }

    static void render(DnsReport report, ProviderGroups groups, Map<String, Map<String, Verdict>> log, Io io) {
        boolean c = io.color();
        Table t = new Table("SENDING IP", "INSTANCES", "HELO", "PTR", "FCRDNS", "HELO->IP", "RELAY NAMES", "DNSBL",
                "VERDICT");
        for (IpCheck ip : report.ips()) {
            String ptr = switch (ip.ptrStatus()) {
                case "ok" -> String.join(",", ip.ptr());
                case "none" -> Ansi.red(c, "none");
                default -> Ansi.yellow(c, "unknown");
            };
            String fc = ip.fcrdns() == null ? (ip.ptrStatus().equals("none") ? "-" : Ansi.yellow(c, "unknown"))
                    : ip.fcrdns() ? "yes" + (ip.hostTtl() != null ? " (" + ip.hostTtl() + "s)" : "") : Ansi.red(c, "no");
            List<String> helo = new ArrayList<>();
            ip.heloResolves().forEach((h, ok) -> helo.add(ok == null ? Ansi.yellow(c, "unknown") : ok ? "yes"
                    : Ansi.red(c, "no")));
            List<String> relays = new ArrayList<>();
            for (RelayRecord r : ip.relays()) {
                relays.add(r.group() + " (" + r.ttl() + "s)");
            }
            t.row(ip.ip(), String.join(",", ip.instances()), String.join(",", new LinkedHashSet<>(
                    ip.helo().values())), ptr, fc, String.join(",", helo), relays.isEmpty() ? "-" : String.join(",", relays),
                    dnsbl(ip, c), verdictCell(verdicts(ip, groups, log), c));
        }
        io.out().println("Sending IPs (resolver " + report.resolver() + ", lists: " + report.lists() + ")");
        t.print(io.out());
        boolean any = false;
        for (IpCheck ip : report.ips()) {
            for (String f : ip.flags()) {
                if (!any) {
                    io.out().println();
                    io.out().println("Flags:");
                    any = true;
                }
                io.out().println("  " + ip.ip() + "  " + f);
            }
        }
        for (IpCheck ip : report.ips()) {
            for (Listing l : ip.listings()) {
                if (l.status().equals("unknown")) {
                    io.out().println("  " + ip.ip() + "  " + l.list() + ": unknown (" + l.error() + ")");
                }
            }
        }
    }

    static String dnsbl(IpCheck ip, boolean c) {
        List<String> listed = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Listing l : ip.listings()) {
            if (l.listed()) {
                listed.add(l.list());
            } else if (l.status().equals("unknown")) {
                unknown.add(l.list());
            }
        }
        List<String> parts = new ArrayList<>();
        if (!listed.isEmpty()) {
            parts.add(Ansi.red(c, "LISTED " + String.join(",", listed)));
        }
        if (!unknown.isEmpty()) {
            parts.add(Ansi.yellow(c, "unknown " + String.join(",", unknown)));
        }
        return parts.isEmpty() ? "clean (" + ip.listings().size() + ")" : String.join("; ", parts);
    }

    static String verdictCell(Map<String, Verdict> v, boolean c) {
        List<String> blocked = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        v.forEach((g, x) -> {
            if (x == Verdict.BLOCKED) {
                blocked.add(g);
            } else if (x == Verdict.DEGRADED) {
                degraded.add(g);
            }
        });
        List<String> parts = new ArrayList<>();
        if (!blocked.isEmpty()) {
            parts.add(Ansi.red(c, "BLOCKED (" + String.join(",", blocked) + ")"));
        }
        if (!degraded.isEmpty()) {
            parts.add(Ansi.yellow(c, "DEGRADED (" + String.join(",", degraded) + ")"));
        }
        return parts.isEmpty() ? Ansi.green(c, "OK") : String.join(" ", parts);
    }

    static void renderPlan(IpSwitch p, Io io) {
        boolean off = p.action().equals("off");
        io.out().println("Turning " + p.ip() + " " + p.action() + " (" + String.join(", ", p.instances()) + ")");
        io.out().println();
        List<String> lines = off ? p.remove() : p.add();
        if (lines.isEmpty()) {
            io.out().println("No zone change.");
        } else {
            io.out().println(off ? "Remove these records from the zone:" : "Add these records to the zone:");
            lines.forEach(l -> io.out().println("  " + l));
        }
        io.out().println();
        io.out().println("Relay names after the change:");
        Table t = new Table("RELAY NAME", "BEFORE", "AFTER", "HEALTHY AFTER");
        for (IpSwitch.RelayChange r : p.relays()) {
            t.row(r.relay(), String.join(",", r.before()), r.after().isEmpty() ? "-" : String.join(",", r.after()),
                    r.healthyAfter().isEmpty() ? "none" : String.join(",", r.healthyAfter()));
        }
        t.print(io.out());
        io.out().println("named-compilezone: " + (p.zoneCompiles() ? "the resulting relay records load"
                : "REFUSED: " + p.zoneMessages()));
        if (!p.reroutes().isEmpty()) {
            io.out().println();
            io.out().println("Then move the mail already queued at " + String.join(", ", p.instances()) + ":");
            p.reroutes().forEach(r -> io.out().println("  " + r));
        }
        for (String n : p.notes()) {
            io.out().println("Note: " + n);
        }
        for (String pr : p.problems()) {
            io.out().println("Problem: " + pr);
        }
        if (p.ok() && !lines.isEmpty()) {
            io.out().println("Resolvers keep the old records for up to their TTL after the zone is reloaded.");
        }
    }
}
