package org.mfshell.health;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.HealthReport.Reason;
import org.mfshell.health.HealthReport.Suggestion;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.InstanceState;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.DeliverySink;
import org.mfshell.log.LogLocator;
import org.mfshell.log.LogSource;
import org.mfshell.log.ReplyAccumulator;
import org.mfshell.log.StatsQuery;
import org.mfshell.log.StatsService;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * Builds the {@code health} report: discovers the instances (sending address, queue sizes),
 * scans their mail logs for the window, groups deliveries by provider group, applies the
 * {@link HealthRules} per instance and group, and suggests a {@code flush} to a sibling when an
 * instance is BLOCKED for a group that a sibling of the same family (msn-a, msn-b) serves with
 * an OK verdict. An instance whose configuration postconf cannot read is a row of its own
 * (state "error", no verdict) and the others are still evaluated. Errors come from discovery and
 * the log scan ({@code MfshellException}, {@code UsageException}); nothing is printed.
 */
public final class HealthService {
    public static final int TOP_REASONS = 3;
    private static final java.util.regex.Pattern DOMAIN =
            java.util.regex.Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    private final InstanceRegistry registry;
    private final ProcessRunner runner;
    private final ProviderGroups groups;
    private final Function<String, String> normalizer;
    private final Path mailLog;

    public HealthService(InstanceRegistry registry, ProcessRunner runner, ProviderGroups groups,
                         Function<String, String> normalizer, Path mailLog) {
        this.registry = registry;
        this.runner = runner;
        this.groups = groups;
        this.normalizer = normalizer;
        this.mailLog = mailLog;
    }

    /** The family of an instance name: the part before the last {@code -x} ({@code msn-a} -> {@code msn}). */
    public static String family(String instance) {
        int dash = instance.lastIndexOf('-');
        return dash > 0 ? instance.substring(0, dash) : instance;
    }

    /** The provider group an instance serves by its name ({@code msn-b} -> msn), or null. */
    public String servedGroup(String instance) {
        String f = family(instance);
        return groups.names().contains(f) ? f : null;
    }

    /** Log deliveries of every instance since {@code sinceMs}, with reasons grouped by provider group. */
    public ReplyAccumulator.Replies scan(List<PostfixInstance> instances, long sinceMs) {
        return scan(instances, sinceMs, k -> false);
    }

    /** As {@link #scan(List, long)}, counting per domain the deferrals whose reason {@code flagged} accepts. */
    public ReplyAccumulator.Replies scan(List<PostfixInstance> instances, long sinceMs,
                                         java.util.function.Predicate<String> flagged) {
        return scan(instances, sinceMs, flagged, sources(sinceMs));
    }

    private ReplyAccumulator.Replies scan(List<PostfixInstance> instances, long sinceMs,
                                          java.util.function.Predicate<String> flagged, List<LogSource> sources) {
        Set<String> names = new LinkedHashSet<>();
        instances.stream().filter(i -> i.state() != InstanceState.ERROR).forEach(i -> names.add(i.syslogName()));
        StatsQuery q = new StatsQuery(StatsQuery.By.INSTANCE, names, sinceMs, null, ZoneId.systemDefault(), groups);
        StatsService stats = new StatsService(runner, java.io.InputStream.nullInputStream());
        return ReplyAccumulator.merge(stats.scan(sources, q, s -> new ReplyAccumulator(q, s, normalizer, flagged)));
    }

    public List<LogSource> sources(long sinceMs) {
        return new LogLocator(registry.configRoot(), runner, mailLog).defaults(sinceMs);
    }

    public HealthReport health(long sinceMs, HealthRules.Loaded rules) {
        List<PostfixInstance> instances = registry.all();
        List<LogSource> sources = sources(sinceMs);
        // Which domains a BLOCKED signature deferred: those are what a flush should move.
        Map<String, Boolean> blocking = new java.util.concurrent.ConcurrentHashMap<>();
        ReplyAccumulator.Replies replies = scan(instances, sinceMs, key -> blocking.computeIfAbsent(key, k -> {
            HealthRules.Signature s = rules.rules().match(k);
            return s != null && s.verdict() == Verdict.BLOCKED;
        }), sources);
        HealthEvaluator eval = new HealthEvaluator(rules.rules());
        List<InstanceHealth> rows = new ArrayList<>();
        for (PostfixInstance inst : instances) {
            rows.add(instanceHealth(inst, replies, eval, rules.rules()));
        }
        List<String> warnings = new ArrayList<>();
        if (rules.warning() != null) {
            warnings.add(rules.warning());
        }
        if (replies.unreadableTimes() > 0) {
            warnings.add(replies.unreadableTimes() + " delivery lines with an unreadable timestamp were skipped");
        }
        return new HealthReport(Instant.ofEpochMilli(sinceMs).toString(), Instant.now().toString(), rules.source(),
                sources.stream().map(LogSource::label).toList(), rows, suggestions(rows, replies), warnings, blocked(rows, replies));
    }

    InstanceHealth instanceHealth(PostfixInstance inst, ReplyAccumulator.Replies replies, HealthEvaluator eval,
                                  HealthRules rules) {
        if (inst.state() == InstanceState.ERROR) {
            return new InstanceHealth(inst.name(), null, null, false, inst.queues(), 0, 0, 0, 0, 0, 0, List.of(), null,
                    List.of(), inst.state().label(), inst.error());
        }
        Map<String, long[]> byDomain = replies.counts().getOrDefault(inst.syslogName(), Map.of());
        Map<String, Map<String, Long>> reasons = replies.reasons().getOrDefault(inst.syslogName(), Map.of());
        Map<String, long[]> byGroup = new TreeMap<>();
        String served = servedGroup(inst.name());
        if (served != null) {
            byGroup.put(served, new long[3]);
        }
        long[] total = new long[3];
        byDomain.forEach((d, c) -> {
            long[] g = byGroup.computeIfAbsent(groups.groupOf(d), k -> new long[3]);
            for (int i = 0; i < 3; i++) {
                g[i] += c[i];
                total[i] += c[i];
            }
        });
        List<GroupHealth> gh = new ArrayList<>();
        Verdict worst = Verdict.OK;
        for (Map.Entry<String, long[]> e : byGroup.entrySet()) {
            long[] c = e.getValue();
            GroupHealth h = eval.evaluate(e.getKey(), c[DeliverySink.SENT], c[DeliverySink.BOUNCED],
                    c[DeliverySink.DEFERRED], reasons.getOrDefault(e.getKey(), Map.of()));
            gh.add(h);
            worst = worst.worst(h.verdict());
        }
        List<Reason> all = new ArrayList<>();
        reasons.forEach((g, m) -> m.forEach((r, n) -> {
            HealthRules.Signature s = rules.match(r);
            all.add(new Reason(r, n, g, s == null ? null : s.name()));
        }));
        all.sort(Comparator.comparingLong(Reason::count).reversed().thenComparing(Reason::reason));
        long sent = total[DeliverySink.SENT];
        long bounced = total[DeliverySink.BOUNCED];
        long deferred = total[DeliverySink.DEFERRED];
        long attempts = sent + bounced + deferred;
        return new InstanceHealth(inst.name(), inst.syslogName(), inst.bindAddress(), inst.running(), inst.queues(),
                sent, bounced, deferred, replies.deferredAttempts().getOrDefault(inst.syslogName(), 0L), attempts == 0 ? 0 : (double) bounced / attempts,
                attempts == 0 ? 0 : (double) deferred / attempts, List.copyOf(all.subList(0, Math.min(TOP_REASONS,
                all.size()))), worst, gh, inst.state().label(), null);
    }

    /**
     * For every instance BLOCKED for a group: the sibling of the same family whose verdict for
     * that group is OK and that sent the most to it, and the group's domains that a BLOCKED
     * signature deferred at the blocked instance (sorted, so the command is stable).
     */
    /** Every (instance, group) BLOCKED with deferred mail of that group, sibling or not. */
    List<HealthReport.Blocked> blocked(List<InstanceHealth> rows, ReplyAccumulator.Replies replies) {
        List<HealthReport.Blocked> out = new ArrayList<>();
        for (InstanceHealth r : rows) {
            for (GroupHealth g : r.groups()) {
                if (g.verdict() == Verdict.BLOCKED) {
                    List<String> domains = blockedDomains(r, g.group(), replies);
                    if (!domains.isEmpty()) {
                        out.add(new HealthReport.Blocked(r.instance(), g.group(), domains));
                    }
                }
            }
        }
        return out;
    }

    /** The domains of {@code group} that a BLOCKED signature deferred at {@code r}, sorted. */
    private List<String> blockedDomains(InstanceHealth r, String group, ReplyAccumulator.Replies replies) {
        List<String> domains = new ArrayList<>();
        replies.flaggedDeferred().getOrDefault(r.syslogName(), Map.of()).forEach((d, n) -> {
            if (DOMAIN.matcher(d).matches() && groups.groupOf(d).equals(group)) {
                domains.add(d);
            }
        });
        return domains.stream().sorted().toList();
    }

    List<Suggestion> suggestions(List<InstanceHealth> rows, ReplyAccumulator.Replies replies) {
        List<Suggestion> out = new ArrayList<>();
        for (InstanceHealth r : rows) {
            for (GroupHealth g : r.groups()) {
                if (g.verdict() != Verdict.BLOCKED) {
                    continue;
                }
                InstanceHealth best = null;
                long bestSent = -1;
                for (InstanceHealth s : rows) {
                    if (s == r || !s.running() || !family(s.instance()).equals(family(r.instance()))) {
                        continue;
                    }
                    GroupHealth sg = s.groups().stream().filter(x -> x.group().equals(g.group())).findFirst().orElse(null);
                    boolean serves = sg != null || g.group().equals(servedGroup(s.instance()));
                    if (!serves || (sg != null && sg.verdict() != Verdict.OK)) {
                        continue;
                    }
                    long sent = sg == null ? 0 : sg.sent();
                    if (sent > bestSent) {
                        best = s;
                        bestSent = sent;
                    }
                }
                if (best == null) {
                    continue;
                }
                List<String> domains = blockedDomains(r, g.group(), replies);
                if (domains.isEmpty()) {
                    continue;
                }
                StringBuilder cmd = new StringBuilder("flush " + r.instance() + " --to " + best.instance());
                domains.forEach(d -> cmd.append(" --domain ").append(d));
                out.add(new Suggestion(r.instance(), g.group(), best.instance(), domains, cmd.toString()));
            }
        }
        return out;
    }
}
