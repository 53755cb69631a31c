package org.mfshell.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.dns.DnsReport.Listing;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.Verdict;

/**
 * Feeds DNSBL listings into {@code health}'s verdicts without changing how health reads the log:
 * for each instance, every provider group it serves or delivered to gets the worse of its log
 * verdict and what the listings of its sending IP mean for that group (the list's
 * GROUP=BLOCKED|DEGRADED in dnsbl.txt), with the listing named in the reason. Unknown answers
 * (refused, timeout) change nothing. Pure; never throws.
 */
public final class ListingHealth {
    private ListingHealth() {
    }

    public static HealthReport overlay(HealthReport report, Map<String, List<Listing>> byIp, DnsblLists lists) {
        List<InstanceHealth> rows = new ArrayList<>();
        for (InstanceHealth h : report.instances()) {
            List<Listing> listed = byIp.getOrDefault(h.sendingIp(), List.of()).stream().filter(Listing::listed).toList();
            if (listed.isEmpty()) {
                rows.add(h);
                continue;
            }
            List<GroupHealth> groups = new ArrayList<>();
            Verdict worst = Verdict.OK;
            for (GroupHealth g : h.groups()) {
                Verdict v = Verdict.OK;
                List<String> why = new ArrayList<>();
                for (Listing l : listed) {
                    Verdict lv = lists.lists().stream().filter(d -> d.name().equals(l.list())).findFirst()
                            .map(d -> d.usedBy().get(g.group())).orElse(null);
                    if (lv != null) {
                        v = v.worst(lv);
                        why.add("listed on " + l.list() + " (" + String.join(", ", l.meanings()) + ")");
                    }
                }
                GroupHealth out = g;
                if (v != Verdict.OK) {
                    String reason = (g.verdict() != Verdict.OK && !g.why().isEmpty() ? g.why() + "; " : "")
                            + String.join("; ", why);
                    out = new GroupHealth(g.group(), g.sent(), g.bounced(), g.deferred(), g.blockedHits(),
                            g.signatureHits(), g.signatures(), g.verdict().worst(v), reason);
                }
                groups.add(out);
                worst = worst.worst(out.verdict());
            }
            rows.add(new InstanceHealth(h.instance(), h.syslogName(), h.sendingIp(), h.running(), h.queue(), h.sent(),
                    h.bounced(), h.deferred(), h.deferredAttempts(), h.bouncedRatio(), h.deferredRatio(), h.topReasons(),
                    worst, groups));
        }
        return new HealthReport(report.since(), report.generated(), report.rules(), report.logSources(), rows,
                report.suggestions(), report.warnings(), report.blocked());
    }
}
