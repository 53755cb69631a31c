package org.mfshell.queue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.QueueMessage;

/**
 * The shape of a queue, like Postfix's qshape: recipients per recipient domain by age, plus the
 * top deferral reasons grouped by {@link ReasonNormalizer}. Fed one message at a time; memory
 * grows with the number of distinct domains and reasons, not with the number of messages.
 *
 * <p>Age columns are qshape's: {@code T} (total), then {@code 5 10 20 40 80 160 320 640 1280}
 * (recipients younger than that many minutes and not in an earlier column) and {@code 1280+}.
 */
public final class QueueSummary {
    /** Upper age limits in minutes of all but the last column. */
    public static final int[] LIMITS = {5, 10, 20, 40, 80, 160, 320, 640, 1280};
    public static final List<String> LABELS = List.of("5", "10", "20", "40", "80", "160", "320", "640", "1280", "1280+");
    private static final int MAX_DOMAINS_PER_REASON = 3;

    private final ReasonNormalizer normalizer;
    private final long now;
    private final Map<String, long[]> domains = new HashMap<>();
    private final long[] total = new long[LABELS.size()];
    private final Map<String, Long> queues = new LinkedHashMap<>();
    private final Map<String, ReasonGroup> reasons = new HashMap<>();
    private long messages;
    private long recipients;
    private long bytes;

    public QueueSummary(ReasonNormalizer normalizer, long nowEpochSeconds) {
        this.normalizer = normalizer;
        this.now = nowEpochSeconds;
        for (String q : InstanceRegistry.QUEUES) {
            queues.put(q, 0L);
        }
    }

    /** Column index for an age in seconds. */
    public static int bucket(long ageSeconds) {
        long minutes = Math.max(0, ageSeconds) / 60;
        for (int i = 0; i < LIMITS.length; i++) {
            if (minutes < LIMITS[i]) {
                return i;
            }
        }
        return LIMITS.length;
    }

    /** Counts one selected message; only recipients accepted by {@code filter} count. */
    public void add(QueueMessage m, QueueFilter filter) {
        messages++;
        bytes += m.messageSize();
        queues.merge(m.queueName(), 1L, Long::sum);
        int b = bucket(now - m.arrivalTime());
        for (QueueMessage.Recipient r : m.recipients()) {
            if (!filter.matchesRecipient(r)) {
                continue;
            }
            recipients++;
            String d = r.domain().isEmpty() ? "(no domain)" : r.domain();
            domains.computeIfAbsent(d, k -> new long[LABELS.size()])[b]++;
            total[b]++;
            if (r.delayReason() != null) {
                String key = normalizer.normalize(r.delayReason());
                ReasonGroup g = reasons.computeIfAbsent(key, k -> new ReasonGroup(k, r.delayReason()));
                g.count++;
                if (g.domains.size() < MAX_DOMAINS_PER_REASON) {
                    g.domains.add(d);
                }
            }
        }
    }

    public long messages() {
        return messages;
    }

    public long recipients() {
        return recipients;
    }

    public long bytes() {
        return bytes;
    }

    /** Messages per queue name, in Postfix's queue order. */
    public Map<String, Long> queues() {
        return queues;
    }

    public DomainRow totalRow() {
        return new DomainRow("TOTAL", total.clone());
    }

    /** Domains, busiest first (ties by name). */
    public List<DomainRow> domains() {
        List<DomainRow> rows = new ArrayList<>();
        domains.forEach((d, c) -> rows.add(new DomainRow(d, c.clone())));
        rows.sort(Comparator.comparingLong(DomainRow::total).reversed().thenComparing(DomainRow::domain));
        return rows;
    }

    /** The {@code n} most frequent reasons, most frequent first. */
    public List<ReasonGroup> topReasons(int n) {
        List<ReasonGroup> list = new ArrayList<>(reasons.values());
        list.sort(Comparator.comparingLong(ReasonGroup::count).reversed().thenComparing(ReasonGroup::reason));
        return list.subList(0, Math.min(n, list.size()));
    }

    public int distinctReasons() {
        return reasons.size();
    }

    /** One domain's recipients per age column. */
    public record DomainRow(String domain, long[] buckets) {
        public long total() {
            long t = 0;
            for (long c : buckets) {
                t += c;
            }
            return t;
        }
    }

    /** Recipients deferred for one normalised reason, with the first original text seen and up to three domains. */
    public static final class ReasonGroup {
        private final String reason;
        private final String example;
        private final Set<String> domains = new LinkedHashSet<>();
        private long count;

        ReasonGroup(String reason, String example) {
            this.reason = reason;
            this.example = example;
        }

        public String reason() {
            return reason;
        }

        public String example() {
            return example;
        }

        public long count() {
            return count;
        }

        public Set<String> domains() {
            return domains;
        }
    }
}
