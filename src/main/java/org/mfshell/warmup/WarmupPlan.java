package org.mfshell.warmup;

import java.util.List;
import java.util.Map;

/**
 * A staged warm-up of a new sending IP for a relay name. Each stage lists how many A records
 * each IP gets ({@code records}), the planned share of each IP (records / total), the share DNS
 * will really give once identical records are merged ({@code effectiveShare}: a DNS RRset holds
 * each address once, RFC 2181 section 5), and the exact BIND zone lines for the relay name.
 * {@code hostRecords} are the host (A) and reverse (PTR) records of the new IP, TTL 86400, made
 * before stage 1 and kept.
 */
public record WarmupPlan(String relayName, String newIp, List<String> existing, String hostName, int steps,
                         String every, List<String> hostRecords, List<Stage> stages, List<String> notes) {

    public record Stage(int number, String from, Map<String, Integer> records, Map<String, Double> plannedShare,
                        Map<String, Double> effectiveShare, boolean collapses, List<String> zoneLines) {
        public int total() {
            return records.values().stream().mapToInt(Integer::intValue).sum();
        }
    }
}
