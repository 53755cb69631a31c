package org.mfshell.shell;

import java.net.InetSocketAddress;
import org.mfshell.mail.IpAddresses;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.dns.DnsClient;
import org.mfshell.health.HealthService;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.TimeArg;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.relay.RelayNames;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;
import org.mfshell.warmup.Every;
import org.mfshell.warmup.WarmupException;
import org.mfshell.warmup.WarmupPlan;
import org.mfshell.warmup.WarmupPlanner;
import org.mfshell.warmup.WarmupService;

/** {@code warmup plan|status RELAYNAME}: the wiki's IP warm-up by the ratio of A records. */
public final class WarmupCommand implements MfCommand {
    private static final CommandSpec SPEC = DnsOptions.addResolver(CommandSpec.builder("warmup")
            .summary("plan or check the warm-up of a new sending IP by the ratio of A records")
            .help("plan: the stages of adding --new-ip to a relay name (msn = msn.smtp.mayfirst.org), e.g. 5 existing "
                    + ": 1 new, then 4 : 2, ..., each with the exact BIND zone lines: the relay name's A records with "
                    + "TTL 600, and before stage 1 the new IP's host and PTR records with TTL 86400. Existing IPs are "
                    + "the bind addresses of the instances of the relay's family (msn-a, msn-b) unless --existing is "
                    + "given. DNS merges identical records of one name, so the plan says where a repeated address "
                    + "will not give the planned ratio. "
                    + "status: the share each address gets from the relay name's real A/AAAA records (looked up "
                    + "through /etc/resolv.conf's servers or --resolver), or from stage --stage of the plan, against "
                    + "the share of sent mail measured per sending IP in the log (connection caching and resolver "
                    + "caching skew the measured share).")
            .argument(ArgSpec.choice("ACTION", "plan or status", true, "plan", "status"))
            .argument(ArgSpec.suggested("RELAYNAME", "provider group (msn, aol, earthlink, therest) or full relay name",
                    true, ProviderGroups.builtIn().names()))
            .option(OptionSpec.value("new-ip", "IP", "the address to warm up (plan: required; status: with --stage)"))
            .option(OptionSpec.value("existing", "IP,...", "existing addresses instead of the instances' bind addresses"))
            .option(OptionSpec.value("steps", "N", "number of stages (default 3)"))
            .option(OptionSpec.value("every", "PERIOD", "time between stages (default 1month), e.g. 2weeks, 14d"))
            .option(OptionSpec.value("start", "DATE", "date of stage 1 (default today), e.g. 2026-12-01"))
            .option(OptionSpec.value("host", "NAME", "host name of the new IP's host record (default: myhostname)"))
            .option(OptionSpec.value("suffix", "DOMAIN", "relay name suffix (default smtp.mayfirst.org)"))
            .option(OptionSpec.value("stage", "K", "status: compare with stage K of the plan instead of equal shares"))
            .option(OptionSpec.value("since", "TIME", "status: window start (default 7d ago): 14d, 2026-11-01"))
            .option(OptionSpec.flag("json", "print as JSON")))
            .example("warmup plan msn --new-ip 216.66.15.9")
            .example("warmup plan therest --new-ip 216.66.15.9 --steps 4 --every 2weeks --host rustin.mayfirst.org")
            .example("warmup plan aol --new-ip 216.66.15.9 --existing 209.51.172.9,216.66.15.4")
            .example("warmup status msn")
            .example("warmup status msn --new-ip 216.66.15.9 --stage 2 --since 14d")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    /** Only a plan given its existing addresses and host name runs without reading the instances. */
    @Override
    public boolean needsRoot(ParsedArgs args) {
        return args == null || !(args.arg(0).orElse("").equals("plan") && args.value("existing").isPresent()
                && args.value("host").isPresent());
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        ProviderGroups groups = ProviderGroups.load();
        RelayNames.Relay relay = RelayNames.parse(args.arg(1).orElseThrow(),
                args.value("suffix").orElse(RelayNames.DEFAULT_SUFFIX), groups);
        int steps = args.intValue("steps").orElse(3);
        Period every = Every.parse(args.value("every").orElse("1month"), "--every");
        List<String> existing = new ArrayList<>();
        for (String ip : args.value("existing").map(s -> s.split(",")).orElse(new String[0])) {
            if (!ip.isBlank()) {
                existing.add(IpAddresses.requireForZone(ip.trim(), "--existing"));
            }
        }
        HealthService health = new HealthService(ctx.instances(), ctx.runner(), groups, s -> s, ctx.mailLog());
        WarmupService service = new WarmupService(ctx.instances(), ctx.runner(), health);
        if (args.arg(0).orElseThrow().equals("plan")) {
            String newIp = args.value("new-ip").orElseThrow(() -> new UsageException("warmup plan: --new-ip IP is required"));
            IpAddresses.requireForZone(newIp, "--new-ip");
            WarmupPlan plan = plan(service, relay, existing, newIp, args.value("host").orElse(null), steps, every,
                    start(args));
            if (args.flag("json")) {
                Json.print(io.out(), plan);
            } else {
                renderPlan(plan, io);
            }
            return ExitCodes.OK;
        }
        Instant now = Instant.now();
        long sinceMs = args.value("since").map(t -> TimeArg.parse(t, "--since", now, java.time.ZoneId.systemDefault()))
                .orElse(now.minus(Duration.ofDays(7)).toEpochMilli());
        WarmupPlan.Stage stage = null;
        if (args.value("stage").isPresent()) {
            int k = args.intValue("stage").orElseThrow();
            String newIp = IpAddresses.requireForZone(args.value("new-ip").orElseThrow(
                    () -> new UsageException("warmup status --stage needs --new-ip IP")), "--new-ip");
            if (existing.isEmpty()) {
                existing = service.serving(relay).stream().map(PostfixInstance::bindAddress)
                        .filter(ip -> !ip.equals(newIp)).toList();
            }
            WarmupPlan plan = plan(service, relay, existing, newIp, relay.name(), steps, every, LocalDate.now());
            if (k < 1 || k > plan.stages().size()) {
                throw new UsageException("--stage: give 1 to " + plan.stages().size() + ", not " + k);
            }
            stage = plan.stages().get(k - 1);
        }
        Duration timeout = DnsOptions.timeout(args);
        List<InetSocketAddress> servers = DnsOptions.servers(args);
        DnsClient dns = DnsClients.create(args, ctx, servers, timeout);
        WarmupService.DnsRecords records = dns.addresses(relay.name());
        DnsClients.save(dns, io);
        WarmupService.Status st = service.status(relay, sinceMs, stage, records);
        if (args.flag("json")) {
            Json.print(io.out(), st);
            return ExitCodes.OK;
        }
        io.out().println(st.relayName() + ": sent mail per sending IP since " + st.since() + ", planned: "
                + st.plannedFrom());
        Table t = new Table("SENDING IP", "INSTANCE", "PLANNED%", "DNS%", "SENT", "MEASURED%").right(2, 3, 4, 5);
        for (WarmupService.IpShare s : st.shares()) {
            t.row(s.ip(), s.instance(), pct(s.planned()), pct(s.effective()), s.sent(), pct(s.measured()));
        }
        t.print(io.out(), io.width());
        for (String n : st.notes()) {
            io.out().println("Note: " + n);
        }
        return ExitCodes.OK;
    }

    private static LocalDate start(ParsedArgs args) {
        String s = args.value("start").orElse(null);
        if (s == null) {
            return LocalDate.now(ZoneOffset.UTC);
        }
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new UsageException("--start: bad date " + Quote.quote(s) + " (use YYYY-MM-DD)");
        }
    }

    /** The service's plan, its domain errors turned into messages naming this command's flags. */
    private static WarmupPlan plan(WarmupService service, RelayNames.Relay relay, List<String> existing, String newIp,
                                   String host, int steps, Period every, LocalDate start) {
        try {
            return service.plan(relay, existing, newIp, host, steps, every, start);
        } catch (WarmupException e) {
            throw new UsageException(switch (e.problem()) {
                case STEPS -> "--steps: give 1 to " + WarmupPlanner.MAX_STEPS + ", not " + steps;
                case NO_EXISTING -> e.getMessage() + ": give --existing IP,...";
                case NEW_IP_SERVES -> "--new-ip " + e.getMessage();
                case NO_HOST -> e.getMessage() + ": give --host NAME";
            });
        }
    }

    static void renderPlan(WarmupPlan p, Io io) {
        io.out().println("Warm-up of " + p.newIp() + " for " + p.relayName() + " (existing: "
                + String.join(", ", p.existing()) + "), " + p.steps() + " stages, one every " + p.every());
        io.out().println();
        io.out().println("Before stage 1, host records of the new IP:");
        p.hostRecords().forEach(l -> io.out().println("  " + l));
        for (WarmupPlan.Stage s : p.stages()) {
            io.out().println();
            StringBuilder ratio = new StringBuilder();
            for (Map.Entry<String, Integer> e : s.records().entrySet()) {
                if (!e.getKey().equals(p.newIp())) {
                    ratio.append(ratio.length() == 0 ? "" : "+").append(e.getValue());
                }
            }
            io.out().println("Stage " + s.number() + " (from " + s.from() + "): " + ratio + " existing : "
                    + s.records().get(p.newIp()) + " new, new IP share " + pct(s.plannedShare().get(p.newIp())) + "%"
                    + (s.collapses() ? " planned, " + pct(s.effectiveShare().get(p.newIp()))
                    + "% after DNS merges repeated records" : ""));
            s.zoneLines().forEach(l -> io.out().println("  " + l));
        }
        io.out().println();
        p.notes().forEach(n -> io.out().println("Note: " + n));
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f", share * 100);
    }
}
