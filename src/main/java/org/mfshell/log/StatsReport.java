package org.mfshell.log;

import java.util.List;
import java.util.Map;

/**
 * Result of a stats scan: rows sorted by key (instance syslog name, domain or provider group),
 * the per-instance rows whatever the grouping, the suspect lines (counts per reason and a few
 * samples), and the first/last counted timestamps when a time window was applied.
 */
public record StatsReport(StatsQuery.By by, List<Row> rows, List<Row> instances, Map<String, Long> suspects,
                          List<String> suspectSamples, Long firstMs, Long lastMs) {

    public record Row(String key, long sent, long bounced, long deferred) {
        public long total() {
            return sent + bounced + deferred;
        }

        public double bouncePercent() {
            return total() == 0 ? 0 : 100.0 * bounced / total();
        }

        public double deferralPercent() {
            return total() == 0 ? 0 : 100.0 * deferred / total();
        }
    }

    public long suspectCount() {
        return suspects.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The mf-mail-stats-print text: per name, sorted, total / bounced / deferred / sent. */
    public String mfText() {
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            sb.append(r.key()).append(":total:").append(r.total()).append('\n');
            sb.append(r.key()).append(":bounced:").append(r.bounced()).append('\n');
            sb.append(r.key()).append(":deferred:").append(r.deferred()).append('\n');
            sb.append(r.key()).append(":sent:").append(r.sent()).append('\n');
        }
        return sb.toString();
    }
}
