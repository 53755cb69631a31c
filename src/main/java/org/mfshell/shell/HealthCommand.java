package org.mfshell.shell;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.Text;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.dns.DnsChecks;
import org.mfshell.dns.DnsClient;
import org.mfshell.dns.DnsblLists;
import org.mfshell.dns.ListingHealth;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.HealthReport.Reason;
import org.mfshell.health.HealthReport.Suggestion;
import org.mfshell.health.HealthRules;
import org.mfshell.health.HealthService;
import org.mfshell.health.Verdict;
import org.mfshell.log.TimeArg;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.queue.ReasonNormalizer;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;
import org.mfshell.core.Quote;

/** {@code health}: one table of every instance's sending IP, queues, log counts, top reasons and verdict. */
public final class HealthCommand implements MfCommand {
    /** The operator's rules file under the config root (/etc/mfshell/health-rules). */
    public static final String RULES_FILE = "mfshell/health-rules";

    private static final CommandSpec SPEC = DnsOptions.addResolver(CommandSpec.builder("health")
            .summary("verdict per instance: OK, DEGRADED or BLOCKED, with reasons and a flush suggestion")
            .help("For every instance: its sending IP, queue sizes, sent/bounced/deferred in the window with their "
                    + "ratios, the top three normalised deferral or bounce reasons, and a verdict per provider group "
                    + "(msn, aol, earthlink, therest). The verdict comes from rules in one data file: provider block "
                    + "signatures (Microsoft S3150/S3140/4.7.651/5.7.606, DNSBL 'listed', Yahoo/AOL TSS04 and "
                    + "421 4.7.0, 'blocked', 'blacklisted', 'poor reputation') and ratio thresholds. The rules are "
                    + "built in; /etc/mfshell/health-rules or --rules FILE replace them (a file with an error is "
                    + "reported with its line number and the built-in rules are used). When an instance is BLOCKED "
                    + "for a group and a sibling of the same family (msn-a, msn-b) is OK, the flush command that "
                    + "moves its deferred mail there is printed. With --dnsbl, each sending IP is also looked up in "
                    + "the DNS blocklists (as ips does) and a listing makes the instance DEGRADED or BLOCKED for the "
                    + "provider groups that use that list (dnsbl.txt says which).")
            .option(OptionSpec.value("since", "TIME", "window start (default 1h ago): 30m, 6h, 2d, today, 2026-11-29 10:00"))
            .option(OptionSpec.flag("json", "print the report as JSON"))
            .option(OptionSpec.value("rules", "FILE", "verdict rules file instead of /etc/mfshell/health-rules",
                    Completion.FILE))
            .option(OptionSpec.flag("dnsbl", "also check each sending IP in the DNS blocklists and count listings"))
            .option(OptionSpec.value("lists", "FILE", "with --dnsbl: DNSBL lists file instead of /etc/mfshell/dnsbl.txt",
                    Completion.FILE)))
            .example("health")
            .example("health --since 6h")
            .example("health --json --since 1d")
            .example("health --rules /root/health-rules.test")
            .example("health --dnsbl --resolver 127.0.0.53")
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
        Instant now = Instant.now();
        long sinceMs = args.value("since").map(t -> TimeArg.parse(t, "--since", now, ZoneId.systemDefault()))
                .orElse(now.minus(Duration.ofHours(1)).toEpochMilli());
        if (sinceMs >= now.toEpochMilli()) {
            throw new UsageException("--since: give a time in the past, e.g. 1h");
        }
        Path rulesFile;
        if (args.value("rules").isPresent()) {
            rulesFile = Path.of(args.value("rules").get());
            if (!Files.isRegularFile(rulesFile)) {
                throw new UsageException("--rules " + Quote.quote(rulesFile.toString()) + ": no such file");
            }
        } else {
            rulesFile = ctx.configRoot().resolve(RULES_FILE);
        }
        Duration timeout = DnsOptions.timeout(args);
        List<InetSocketAddress> servers = DnsOptions.servers(args);
        if (!args.flag("dnsbl") && (args.value("lists").isPresent() || args.value("resolver").isPresent())) {
            throw new UsageException("--lists and --resolver go with --dnsbl");
        }
        DnsblLists lists = args.flag("dnsbl") ? DnsOptions.lists(args, ctx) : null;
        HealthRules.Loaded rules = HealthRules.load(rulesFile);
        if (rules.warning() != null) {
            io.err().println("mfshell: warning: " + rules.warning());
        }
        ReasonNormalizer normalizer = new ReasonNormalizer();
        HealthService service = new HealthService(ctx.readOnlyInstances(), ctx.runner(), ProviderGroups.load(),
                normalizer::normalize, ctx.mailLog());
        HealthReport report = service.health(sinceMs, rules);
        for (InstanceHealth h : report.instances()) {
            if (h.error() != null) {
                io.err().println("mfshell: " + h.instance() + ": " + h.error());
            }
        }
        if (lists != null) {
            DnsClient dns = DnsClients.create(args, ctx, servers, timeout);
            List<String> ips = report.instances().stream().map(InstanceHealth::sendingIp)
                    .filter(Objects::nonNull).distinct().toList();
            report = ListingHealth.overlay(report, new DnsChecks(dns).listings(ips,
                    lists), lists);
            DnsClients.save(dns, io);
        }
        // The rules warning was printed before the scan; the others (unreadable timestamps) now.
        for (String w : report.warnings()) {
            if (!w.equals(rules.warning())) {
                io.err().println("mfshell: warning: " + w);
            }
        }
        if (args.flag("json")) {
            Json.print(io.out(), report);
            return ExitCodes.OK;
        }
        render(report, args.value("since").orElse("1h"), io, RerouteNotes.of(ctx, io));
        return ExitCodes.OK;
    }

    static void render(HealthReport report, String since, Io io) {
        render(report, since, io, new RerouteNotes(List.of()));
    }

    static void render(HealthReport report, String since, Io io, RerouteNotes reroutes) {
        boolean c = io.color();
        Table t = new Table("INSTANCE", "SENDING IP", "QUEUED", "DEFERRED-Q", "HOLD", "SENT", "BOUNCED", "DEFERRED",
                "BOUNCE%", "DEFER%", "VERDICT").right(2, 3, 4, 5, 6, 7, 8, 9)
                .abbreviate(null, "IP", "QUEUE", "DEF-Q", null, null, "BOUNC", "DEFER", "B%", "D%", null).optional(1);
        for (InstanceHealth h : report.instances()) {
            if (h.error() != null) {
                t.row(h.instance() + " (error)", "-", "-", "-", "-", "-", "-", "-", "-", "-", "error: " + h.error());
                continue;
            }
            t.row(h.instance() + (h.running() ? "" : " (" + h.state() + ")"), h.sendingIp(), h.queue().total(),
                    h.queue().deferred(), h.queue().hold(), h.sent(), h.bounced(), h.deferred(), pct(h.bouncedRatio()),
                    pct(h.deferredRatio()), verdictCell(h, c));
        }
        println(io, "Health since " + (Character.isDigit(since.charAt(0)) && !since.contains("-") ? since + " ago" : since)
                + " (" + report.since() + "; rules: " + report.rules() + ")");
        println(io, "SENT, BOUNCED, DEFERRED count recipients: each deferred recipient once, however often retried");
        t.print(io.out(), io.width());
        boolean any = false;
        for (InstanceHealth h : report.instances()) {
            for (GroupHealth g : h.groups()) {
                if (g.verdict() != null && g.verdict() != Verdict.OK) {
                    if (!any) {
                        io.out().println();
                        io.out().println("Why:");
                        any = true;
                    }
                    println(io, "  " + h.instance() + " " + g.group() + ": " + color(g.verdict(), c) + ", "
                            + g.why());
                }
            }
        }
        any = false;
        for (InstanceHealth h : report.instances()) {
            for (Reason r : h.topReasons()) {
                if (!any) {
                    io.out().println();
                    io.out().println("Top reasons (deferred and bounced, normalised):");
                    any = true;
                }
                println(io, "  " + h.instance() + "  " + r.count() + "x  [" + r.group()
                        + (r.signature() == null ? "" : ", " + r.signature()) + "]  " + r.reason());
            }
        }
        if (!report.suggestions().isEmpty()) {
            io.out().println();
            io.out().println("Suggested:");
            for (Suggestion s : report.suggestions()) {
                List<String> advice = reroutes.advice(s);
                if (!advice.isEmpty()) {
                    println(io, "  " + s.instance() + " is BLOCKED for " + s.group() + "; reroute in force:");
                    advice.forEach(l -> println(io, "    " + l));
                    continue;
                }
                println(io, "  " + s.instance() + " is BLOCKED for " + s.group() + " and " + s.sibling()
                        + " is OK; move its deferred mail with:");
                io.out().println("    " + Ansi.bold(c, s.command()));
            }
        }
    }

    /** One line, wrapped on words to the terminal's width (continuation indented). */
    private static void println(Io io, String line) {
        for (String l : Text.wrap(line, io.width(), "      ")) {
            io.out().println(l);
        }
    }

    private static String verdictCell(InstanceHealth h, boolean c) {
        if (h.verdict() == Verdict.OK) {
            return color(Verdict.OK, c);
        }
        StringBuilder groups = new StringBuilder();
        for (GroupHealth g : h.groups()) {
            if (g.verdict() == h.verdict()) {
                groups.append(groups.length() == 0 ? "" : ",").append(g.group());
            }
        }
        return color(h.verdict(), c) + " (" + groups + ")";
    }

    private static String color(Verdict v, boolean c) {
        return switch (v) {
            case OK -> Ansi.green(c, "OK");
            case DEGRADED -> Ansi.yellow(c, "DEGRADED");
            case BLOCKED -> Ansi.red(c, "BLOCKED");
        };
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f", share * 100);
    }
}
