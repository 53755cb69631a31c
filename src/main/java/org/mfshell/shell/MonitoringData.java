package org.mfshell.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.check.DeferredQueue;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.flush.FlushService;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.HealthRules;
import org.mfshell.health.HealthService;
import org.mfshell.health.Verdict;
import org.mfshell.instance.InstanceState;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.TimeArg;
import org.mfshell.postfix.Postqueue;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.queue.ReasonNormalizer;

/**
 * What {@code check} and {@code metrics} read: the health report over the window given by
 * {@code --since} (default 30m) with the rules of {@code --rules} (a rules file with an error is
 * bad input here), each instance's deferred queue, and the reroutes in force. Strict (check):
 * every failure escapes. Tolerant (metrics): a failing postqueue or reroute journal is counted in
 * {@code errors} and left out. {@code instances}: discovery's, as read once (metrics' counters take
 * their logs from it). Errors: {@code UsageException} for bad options,
 * {@code MfshellException} from discovery and the log scan.
 */
record MonitoringData(HealthReport report, HealthRules rules, Map<String, DeferredQueue> queues,
                      Map<String, String> reroutes, int errors, List<PostfixInstance> instances) {
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(30);

    static MonitoringData gather(ParsedArgs args, AppContext ctx, boolean tolerant) {
        return gather(args.value("since"), args.value("rules"), ctx, tolerant);
    }

    /** As {@link #gather(ParsedArgs, AppContext, boolean)}, from the values of --since and --rules (watch takes them from its config too). */
    static MonitoringData gather(java.util.Optional<String> since, java.util.Optional<String> rulesOption, AppContext ctx,
                                 boolean tolerant) {
        Instant now = Instant.now();
        long sinceMs = since.map(t -> TimeArg.parse(t, "--since", now, ZoneId.systemDefault()))
                .orElse(now.minus(DEFAULT_WINDOW).toEpochMilli());
        if (sinceMs >= now.toEpochMilli()) {
            throw new UsageException("--since: give a time in the past, e.g. 30m");
        }
        Path rulesFile;
        if (rulesOption.isPresent()) {
            rulesFile = Path.of(rulesOption.get());
            if (!Files.isRegularFile(rulesFile)) {
                throw new UsageException("--rules " + Quote.quote(rulesFile.toString()) + ": no such file");
            }
        } else {
            rulesFile = ctx.configRoot().resolve(HealthCommand.RULES_FILE);
        }
        HealthRules.Loaded rules = HealthRules.load(rulesFile);
        if (rules.warning() != null && rulesOption.isPresent()) {
            throw new UsageException(rules.warning());
        }
        ProviderGroups groups = ProviderGroups.load();
        ReasonNormalizer normalizer = new ReasonNormalizer();
        HealthService service = new HealthService(ctx.readOnlyInstances(), ctx.runner(), groups, normalizer::normalize,
                ctx.mailLog());
        HealthReport report = service.health(sinceMs, rules);
        int errors = 0;
        Map<String, Path> dirs = new LinkedHashMap<>();
        List<PostfixInstance> instances = ctx.readOnlyInstances().all();
        for (PostfixInstance i : instances) {
            if (i.state() != InstanceState.ERROR) {
                dirs.put(i.name(), i.configDir());
            }
        }
        Postqueue postqueue = new Postqueue(ctx.runner());
        Map<String, DeferredQueue> queues = new LinkedHashMap<>();
        for (InstanceHealth h : report.instances()) {
            if (h.error() != null) {
                errors++;
                continue;
            }
            if (h.queue().deferred() == 0 || !dirs.containsKey(h.instance())) {
                continue;
            }
            try {
                queues.put(h.instance(), DeferredQueue.read(postqueue, dirs.get(h.instance()), groups, reason -> {
                    HealthRules.Signature s = rules.rules().match(normalizer.normalize(reason));
                    return s != null && s.verdict() == Verdict.BLOCKED;
                }));
            } catch (MfshellException e) {
                if (!tolerant) {
                    throw e;
                }
                errors++;
            }
        }
        Map<String, String> reroutes = new LinkedHashMap<>();
        try {
            for (FlushService.Reroute r : ctx.flushService().reroutes()) {
                if (!r.state().startsWith("off")) {
                    reroutes.put(r.source(), r.target() == null ? "by hand" : r.target());
                }
            }
        } catch (RuntimeException e) {
            if (!tolerant) {
                throw e;
            }
            errors++;
        }
        return new MonitoringData(report, rules.rules(), queues, reroutes, errors, instances);
    }
}
