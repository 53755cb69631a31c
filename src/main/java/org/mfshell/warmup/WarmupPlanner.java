package org.mfshell.warmup;

import org.mfshell.mail.IpAddresses;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans the wiki's "warm up a new IP address" by the ratio of A records of the relay name. With
 * E existing addresses and N steps, every stage has N*(E+1) records: stage i gives the new IP i
 * of them and spreads the rest evenly over the existing ones, so its share grows i/(N*(E+1))
 * until, at stage N, every IP has an equal share and the records shrink to one per IP. With one
 * existing IP and 3 steps that is 5:1, 4:2, then 1:1. A relay name keeps TTL 600, the host
 * records of the new IP TTL 86400, as the wiki requires.
 *
 * <p>Identical records in one RRset are merged by DNS servers and resolvers (RFC 2181 section 5),
 * so a stage that repeats an address does not give the planned ratio: the plan says so per stage
 * and shows the share DNS will really give. Errors: {@link UsageException} for bad addresses;
 * {@link WarmupException} (which input, in the plan's words) for no existing address, the new
 * address among the existing ones, or a bad step count.
 */
public final class WarmupPlanner {
    public static final int RELAY_TTL = 600;
    public static final int HOST_TTL = 86400;
    public static final int MAX_STEPS = 12;

    public WarmupPlan plan(String relayName, List<String> existing, String newIp, String hostName, int steps,
                           Period every, LocalDate start) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new WarmupException(WarmupException.Problem.STEPS,
                    "a plan has 1 to " + MAX_STEPS + " stages, not " + steps);
        }
        String fresh = IpAddresses.requireForZone(newIp, "new address");
        Set<String> old = new LinkedHashSet<>();
        for (String ip : existing) {
            old.add(IpAddresses.requireForZone(ip, "existing address"));
        }
        if (old.isEmpty()) {
            throw new WarmupException(WarmupException.Problem.NO_EXISTING, "no existing IP for " + relayName);
        }
        if (old.contains(fresh)) {
            throw new WarmupException(WarmupException.Problem.NEW_IP_SERVES, fresh + " already serves " + relayName);
        }
        String owner = fqdn(relayName);
        String host = fqdn(hostName);
        List<String> hostRecords = List.of(
                line(host, HOST_TTL, IpAddresses.recordType(fresh), fresh),
                line(IpAddresses.reverseName(fresh), HOST_TTL, "PTR", host));
        List<String> olds = new ArrayList<>(old);
        int e = olds.size();
        int total = steps * (e + 1);
        List<WarmupPlan.Stage> stages = new ArrayList<>();
        boolean anyCollapse = false;
        for (int i = 1; i <= steps; i++) {
            Map<String, Integer> rec = new LinkedHashMap<>();
            int rest = total - i;
            for (int k = 0; k < e; k++) {
                rec.put(olds.get(k), rest / e + (k < rest % e ? 1 : 0));
            }
            rec.put(fresh, i);
            if (i == steps) {
                // Equal shares: one record per address says the same with the fewest records.
                rec.replaceAll((ip, n) -> 1);
            }
            int sum = rec.values().stream().mapToInt(Integer::intValue).sum();
            Map<String, Double> planned = new LinkedHashMap<>();
            Map<String, Double> effective = new LinkedHashMap<>();
            boolean collapses = false;
            for (Map.Entry<String, Integer> r : rec.entrySet()) {
                planned.put(r.getKey(), (double) r.getValue() / sum);
                effective.put(r.getKey(), 1.0 / rec.size());
                collapses |= r.getValue() > 1;
            }
            anyCollapse |= collapses;
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, Integer> r : rec.entrySet()) {
                for (int n = 0; n < r.getValue(); n++) {
                    lines.add(line(owner, RELAY_TTL, IpAddresses.recordType(r.getKey()), r.getKey()));
                }
            }
            stages.add(new WarmupPlan.Stage(i, start.plus(every.multipliedBy(i - 1)).toString(), rec, planned,
                    effective, collapses, lines));
        }
        List<String> notes = new ArrayList<>();
        notes.add("Before stage 1: add the host records of " + fresh + " (TTL " + HOST_TTL + ", providers check reverse "
                + "DNS), bring the address up on the relay server, and start an instance that binds it.");
        notes.add("Each stage replaces all " + IpAddresses.recordType(fresh) + " records of " + owner + " (TTL "
                + RELAY_TTL + "); bump the zone serial and reload.");
        if (anyCollapse) {
            notes.add("DNS keeps each address once per name (RFC 2181 section 5): where a stage repeats an address, "
                    + "servers and resolvers merge the copies and each address gets an equal share. The planned ratio "
                    + "holds only with as many distinct existing addresses as records (use more existing IPs, or "
                    + "fewer --steps).");
        }
        return new WarmupPlan(owner, fresh, olds, host, steps, Every.format(every), hostRecords, stages, notes);
    }

    /** One BIND zone line: owner, TTL, class, type, data, tab separated. */
    static String line(String owner, int ttl, String type, String data) {
        return owner + "\t" + ttl + "\tIN\t" + type + "\t" + data;
    }

    static String fqdn(String name) {
        return name.endsWith(".") ? name : name + ".";
    }
}
