package org.mfshell.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies {@link HealthRules} to one instance's deliveries to one provider group: counts plus
 * normalised reasons in, {@link GroupHealth} (verdict and the reason for it) out. Pure; never
 * throws.
 */
public final class HealthEvaluator {
    private final HealthRules rules;

    public HealthEvaluator(HealthRules rules) {
        this.rules = rules;
    }

    /** The verdict of one group and why. */
    public record GroupHealth(String group, long sent, long bounced, long deferred, long blockedHits,
                              long signatureHits, Map<String, Long> signatures, Verdict verdict, String why) {
        public long attempts() {
            return sent + bounced + deferred;
        }
    }

    public GroupHealth evaluate(String group, long sent, long bounced, long deferred, Map<String, Long> reasons) {
        long blockedHits = 0;
        long hits = 0;
        Map<String, Long> bySignature = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : reasons.entrySet()) {
            HealthRules.Signature s = rules.match(e.getKey());
            if (s == null) {
                continue;
            }
            hits += e.getValue();
            if (s.verdict() == Verdict.BLOCKED) {
                blockedHits += e.getValue();
            }
            bySignature.merge(s.name(), e.getValue(), Long::sum);
        }
        long attempts = sent + bounced + deferred;
        boolean enough = attempts > 0 && attempts >= rules.threshold("min-attempts");
        double deferShare = attempts == 0 ? 0 : (double) deferred / attempts;
        double bounceShare = attempts == 0 ? 0 : (double) bounced / attempts;
        Verdict v = Verdict.OK;
        String why = attempts == 0 ? "no deliveries in the window" : "";
        if (blockedHits > 0 && blockedHits >= rules.threshold("blocked-min-hits")
                && blockedHits >= rules.threshold("blocked-min-share") * attempts) {
            v = Verdict.BLOCKED;
            why = "block signature " + describe(bySignature, rules, Verdict.BLOCKED) + " in " + blockedHits + " of "
                    + attempts + " deliveries";
        } else if (enough && deferShare >= rules.threshold("blocked-deferred")) {
            v = Verdict.BLOCKED;
            why = percent(deferShare) + " deferred";
        } else if (hits > 0 && hits >= rules.threshold("degraded-min-hits")
                && hits >= rules.threshold("degraded-min-share") * attempts) {
            v = Verdict.DEGRADED;
            why = "signature " + describe(bySignature, rules, null) + " in " + hits + " of " + attempts + " deliveries";
        } else if (enough && deferShare >= rules.threshold("degraded-deferred")) {
            v = Verdict.DEGRADED;
            why = percent(deferShare) + " deferred";
        } else if (enough && bounceShare >= rules.threshold("degraded-bounced")) {
            v = Verdict.DEGRADED;
            why = percent(bounceShare) + " bounced";
        }
        return new GroupHealth(group, sent, bounced, deferred, blockedHits, hits, bySignature, v, why);
    }

    private static String describe(Map<String, Long> bySignature, HealthRules rules, Verdict only) {
        List<String> names = new ArrayList<>();
        for (HealthRules.Signature s : rules.signatures()) {
            if (bySignature.containsKey(s.name()) && (only == null || s.verdict() == only)) {
                names.add(s.name());
            }
        }
        return String.join(", ", names);
    }

    static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.0f%%", share * 100);
    }
}
