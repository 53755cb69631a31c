package org.mfshell.shell;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.Io;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.dns.DnsblLists;
import org.mfshell.dns.ResolverAddress;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthRules;
import org.mfshell.health.HealthService;
import org.mfshell.health.Verdict;
import org.mfshell.log.LogLocator;
import org.mfshell.log.TimeArg;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.queue.ReasonNormalizer;
import org.mfshell.relay.RelayNames;

/**
 * The DNS options shared by ips, relays and warmup status (--resolver, --timeout, --no-cache,
 * --lists, --suffix), read into the values {@link DnsClients} builds a client from, and {@link DnsblLists}; and the log verdicts
 * per instance and provider group from {@code health}'s rules. Bad values are usage errors.
 */
final class DnsOptions {
    static final String LISTS_FILE = "mfshell/dnsbl.txt";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private DnsOptions() {
    }

    static CommandSpec.Builder addResolver(CommandSpec.Builder b) {
        return b.option(OptionSpec.value("resolver", "IP[:PORT]", "ask this DNS server instead of /etc/resolv.conf's"))
                .option(OptionSpec.value("timeout", "DURATION",
                        "how long each DNS server may take to answer a query (default 3s, at most 60s)"))
                .option(OptionSpec.flag("no-cache", "neither read nor write the DNS answer cache"));
    }

    static CommandSpec.Builder addAll(CommandSpec.Builder b) {
        return addResolver(b)
                .option(OptionSpec.value("lists", "FILE", "DNSBL lists file instead of /etc/mfshell/dnsbl.txt",
                        Completion.FILE))
                .option(OptionSpec.value("suffix", "DOMAIN", "relay name suffix (default smtp.mayfirst.org)"))
                .option(OptionSpec.value("since", "TIME", "window of the log verdicts (default 1h ago): 6h, 1d"));
    }

    static Duration timeout(ParsedArgs args) {
        Duration t = args.durationValue("timeout").orElse(DEFAULT_TIMEOUT);
        if (t.isZero() || t.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new UsageException("--timeout: give 1s to 60s, not '" + args.value("timeout").orElse("") + "'");
        }
        return t;
    }

    static List<InetSocketAddress> servers(ParsedArgs args) {
        return args.value("resolver").map(r -> List.of(ResolverAddress.parse(r, "--resolver")))
                .orElse(null);
    }

    static String suffix(ParsedArgs args) {
        return RelayNames.requireSuffix(args.value("suffix").orElse(RelayNames.DEFAULT_SUFFIX));
    }

    static DnsblLists lists(ParsedArgs args, AppContext ctx) {
        if (args.value("lists").isPresent()) {
            Path f = Path.of(args.value("lists").get());
            if (!Files.isRegularFile(f)) {
                throw new UsageException("--lists " + f + ": no such file");
            }
            return DnsblLists.load(f);
        }
        return DnsblLists.load(null, ctx.configRoot().resolve(LISTS_FILE));
    }

    static long since(ParsedArgs args) {
        Instant now = Instant.now();
        long ms = args.value("since").map(t -> TimeArg.parse(t, "--since", now, ZoneId.systemDefault()))
                .orElse(now.minus(Duration.ofHours(1)).toEpochMilli());
        if (ms >= now.toEpochMilli()) {
            throw new UsageException("--since: give a time in the past, e.g. 1h");
        }
        return ms;
    }

    /** {@link #logVerdicts} on another thread, so the log scan overlaps the DNS queries. */
    static CompletableFuture<Map<String, Map<String, Verdict>>> logVerdictsAsync(AppContext ctx,
            long sinceMs, Io io) {
        // Its own thread: the common pool has one worker on a 2-core machine.
        return CompletableFuture.supplyAsync(() -> logVerdicts(ctx, sinceMs, io), r -> {
            Thread t = new Thread(r, "log-verdicts");
            t.setDaemon(true);
            t.start();
        });
    }

    /** The result of {@link #logVerdictsAsync}, its error rethrown as it was. */
    static Map<String, Map<String, Verdict>> join(CompletableFuture<Map<String, Map<String, Verdict>>> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** instance -> provider group -> verdict from the mail log, by health's rules. */
    static Map<String, Map<String, Verdict>> logVerdicts(AppContext ctx, long sinceMs, Io io) {
        HealthRules.Loaded rules = HealthRules.load(ctx.configRoot().resolve(HealthCommand.RULES_FILE));
        if (rules.warning() != null) {
            io.err().println("mfshell: warning: " + rules.warning());
        }
        ReasonNormalizer normalizer = new ReasonNormalizer();
        HealthReport report = new HealthService(ctx.instances(), ctx.runner(), ProviderGroups.load(),
                normalizer::normalize, LogLocator.MAIL_LOG).health(sinceMs, rules);
        Map<String, Map<String, Verdict>> out = new LinkedHashMap<>();
        for (HealthReport.InstanceHealth h : report.instances()) {
            Map<String, Verdict> m = new LinkedHashMap<>();
            for (GroupHealth g : h.groups()) {
                m.put(g.group(), g.verdict());
            }
            out.put(h.instance(), m);
        }
        return out;
    }
}
