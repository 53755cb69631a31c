package org.mfshell.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link DeliverySink} for {@code health} and {@code warmup status}: inside the query's time
 * window it counts deliveries per syslog name and recipient domain, and keeps the reply text of
 * each deferred or bounced line (the {@code (...)} after {@code status=}) turned into a reason
 * key by the given normaliser, counted per syslog name and provider group.
 *
 * <p>A deferred recipient is counted once however often it was retried in the window: deferred
 * lines are keyed by syslog name, queue id and recipient, and the latest attempt's reason
 * counts. (A message retried every few minutes would otherwise outweigh everything the
 * instance sent.) {@code deferredAttempts} keeps the line count. Deferred recipients whose
 * reason key the {@code flagged} predicate accepts are also counted per name and domain
 * (health: which domains a block signature deferred). At most {@link #MAX_REASONS} distinct
 * keys are kept per name and group; the rest are counted as {@link #OTHER}. Lines whose time
 * cannot be read are skipped and counted. Not thread-safe: one per scan task, merged with
 * {@link #merge}.
 */
public final class ReplyAccumulator implements DeliverySink {
    public static final int MAX_REASONS = 500;
    public static final String OTHER = "(other reasons)";

    /**
     * Merged result: {@code counts[name][domain] = {sent, deferred, bounced}} (deferred: distinct
     * recipients), reasons per name and group, flagged deferred recipients per name and domain,
     * and deferred lines per name.
     */
    public record Replies(Map<String, Map<String, long[]>> counts,
                          Map<String, Map<String, Map<String, Long>>> reasons,
                          Map<String, Map<String, Long>> flaggedDeferred, Map<String, Long> deferredAttempts,
                          long unreadableTimes) {
    }

    /** The latest deferral of one recipient of one queued message. */
    private record Deferral(long time, String name, String domain, String group, String reason, boolean flagged) {
    }

    private final StatsQuery q;
    private final LogTime time;
    private final Function<String, String> normalizer;
    private final Predicate<String> flagged;
    private final Map<String, Map<String, long[]>> counts = new TreeMap<>();
    private final Map<String, Map<String, Map<String, Long>>> reasons = new TreeMap<>();
    private final Map<String, Deferral> deferrals = new HashMap<>();
    private final Map<String, Long> deferredAttempts = new TreeMap<>();
    private long unreadableTimes;

    public ReplyAccumulator(StatsQuery q, LogSource source, Function<String, String> normalizer) {
        this(q, source, normalizer, k -> false);
    }

    public ReplyAccumulator(StatsQuery q, LogSource source, Function<String, String> normalizer,
                            Predicate<String> flagged) {
        this.q = q;
        this.time = new LogTime(source.reference(), q.zone());
        this.normalizer = normalizer;
        this.flagged = flagged;
    }

    @Override
    public void delivery(ByteBuffer b, int[] f, int nf, int tag, int groupEnd, int status) {
        long t = time.millis(b, f, nf, tag);
        if (q.timeFiltered()) {
            if (t == Long.MIN_VALUE) {
                unreadableTimes++;
                return;
            }
            if ((q.sinceMs() != null && t < q.sinceMs()) || (q.untilMs() != null && t >= q.untilMs())) {
                return;
            }
        }
        String name = text(b, f[2 * tag], groupEnd);
        if (!q.names().isEmpty() && !q.names().contains(name)) {
            return;
        }
        int msgStart = f[2 * (tag + 2)];
        int msgEnd = f[2 * (tag + 2) + 1];
        String domain = StatsAccumulator.domain(b, msgStart, msgEnd);
        if (status == SENT) {
            counts.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(domain, k -> new long[3])[SENT]++;
            return;
        }
        String reply = reply(b, msgEnd);
        String group = q.providers() == null ? domain : q.providers().groupOf(domain);
        String key = reply == null ? "(no reply text)" : normalizer.apply(reply);
        if (status == BOUNCED) {
            counts.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(domain, k -> new long[3])[BOUNCED]++;
            addReason(reasons, name, group, key, 1);
            return;
        }
        deferredAttempts.merge(name, 1L, Long::sum);
        // name, queue id field and to= field identify the recipient of one queued message.
        String id = name + ' ' + text(b, f[2 * (tag + 1)], f[2 * (tag + 1) + 1]) + ' ' + text(b, msgStart, msgEnd);
        Deferral d = new Deferral(t, name, domain, group, key, flagged.test(key));
        deferrals.merge(id, d, ReplyAccumulator::later);
    }

    private static Deferral later(Deferral a, Deferral b) {
        return b.time() >= a.time() ? b : a;
    }

    private static void addReason(Map<String, Map<String, Map<String, Long>>> into, String name, String group,
                                  String key, long n) {
        Map<String, Long> m = into.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(group, k -> new TreeMap<>());
        m.merge(!m.containsKey(key) && m.size() >= MAX_REASONS ? OTHER : key, n, Long::sum);
    }

    /**
     * The text inside the parentheses after {@code status=WORD} on the line that continues at
     * {@code from}, without the closing parenthesis; null when the line has none.
     */
    static String reply(ByteBuffer b, int from) {
        int i = indexOf(b, from, "status=");
        if (i < 0) {
            return null;
        }
        int le = i;
        while (le < b.limit() && b.get(le) != '\n') {
            le++;
        }
        int open = -1;
        for (int k = i; k < le; k++) {
            if (b.get(k) == '(') {
                open = k;
                break;
            }
        }
        if (open < 0) {
            return null;
        }
        int end = le;
        while (end > open && (b.get(end - 1) == '\r' || b.get(end - 1) == ' ')) {
            end--;
        }
        if (end > open + 1 && b.get(end - 1) == ')') {
            end--;
        }
        return text(b, open + 1, end).strip();
    }

    /** Index of {@code s} at or after {@code from} on the same line, or -1. */
    private static int indexOf(ByteBuffer b, int from, String s) {
        int n = s.length();
        for (int i = from; i + n <= b.limit(); i++) {
            byte x = b.get(i);
            if (x == '\n') {
                return -1;
            }
            if (x == s.charAt(0)) {
                int k = 1;
                while (k < n && b.get(i + k) == s.charAt(k)) {
                    k++;
                }
                if (k == n) {
                    return i + n;
                }
            }
        }
        return -1;
    }

    private static String text(ByteBuffer b, int s, int e) {
        byte[] a = new byte[Math.max(0, e - s)];
        for (int k = 0; k < a.length; k++) {
            a[k] = b.get(s + k);
        }
        return new String(a, StandardCharsets.UTF_8);
    }

    @Override
    public void suspect(ByteBuffer b, int lineStart, int lineEnd, String reason) {
        // Suspect lines are reported by stats; health only counts what it can read.
    }

    public static Replies merge(List<ReplyAccumulator> parts) {
        Map<String, Map<String, long[]>> counts = new TreeMap<>();
        Map<String, Map<String, Map<String, Long>>> reasons = new TreeMap<>();
        Map<String, Map<String, Long>> flagged = new TreeMap<>();
        Map<String, Long> attempts = new TreeMap<>();
        Map<String, Deferral> deferrals = new HashMap<>();
        long unreadable = 0;
        for (ReplyAccumulator a : parts) {
            a.counts.forEach((name, byDomain) -> byDomain.forEach((d, c) -> {
                long[] into = counts.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(d, k -> new long[3]);
                for (int i = 0; i < 3; i++) {
                    into[i] += c[i];
                }
            }));
            a.reasons.forEach((name, byGroup) -> byGroup.forEach((g, m) -> m.forEach((k, v) ->
                    addReason(reasons, name, g, k, v))));
            a.deferrals.forEach((id, d) -> deferrals.merge(id, d, ReplyAccumulator::later));
            a.deferredAttempts.forEach((k, v) -> attempts.merge(k, v, Long::sum));
            unreadable += a.unreadableTimes;
        }
        for (Deferral d : deferrals.values()) {
            counts.computeIfAbsent(d.name(), k -> new TreeMap<>()).computeIfAbsent(d.domain(), k -> new long[3])[DEFERRED]++;
            addReason(reasons, d.name(), d.group(), d.reason(), 1);
            if (d.flagged()) {
                flagged.computeIfAbsent(d.name(), k -> new TreeMap<>()).merge(d.domain(), 1L, Long::sum);
            }
        }
        return new Replies(counts, reasons, flagged, attempts, unreadable);
    }
}
