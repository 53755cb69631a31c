package org.mfshell.watch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.check.Check;
import org.mfshell.check.DeferredQueue;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.Verdict;

/**
 * What one watch run saw for one instance and provider group: the health verdict, whether it is
 * drained (BLOCKED, but a reroute of the instance is in force and its deferred queue holds none of
 * the group's blocked mail, as {@code check} counts it), and the evidence a notice quotes. The
 * verdict watch compares is {@link #effective}: a drained group is OK. Pure; never throws.
 */
public record Observation(String instance, String ip, String group, Verdict verdict, boolean drained, String reroute,
                          String why, Map<String, Long> signatures, long sent, long bounced, long deferred,
                          long queueDeferred, long oldestDeferredSeconds, long blockedInQueue, String suggestion) {

    public String key() {
        return key(instance, group);
    }

    public static String key(String instance, String group) {
        return instance + "/" + group;
    }

    public Verdict effective() {
        return drained ? Verdict.OK : verdict;
    }

    public long attempts() {
        return sent + bounced + deferred;
    }

    /** What a run saw: observations by key, and the instances that could not be read (their verdicts are kept). */
    public record Run(Map<String, Observation> byKey, List<String> unreadable) {
    }

    public static Run of(HealthReport report, Map<String, DeferredQueue> queues, Map<String, String> reroutes,
                         long nowSeconds) {
        Map<String, Observation> out = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (InstanceHealth h : report.instances()) {
            if (h.error() != null) {
                unreadable.add(h.instance());
                continue;
            }
            DeferredQueue dq = queues.getOrDefault(h.instance(), DeferredQueue.EMPTY);
            for (GroupHealth g : h.groups()) {
                if (g.verdict() == null) {
                    continue;
                }
                String suggestion = null;
                for (HealthReport.Suggestion s : report.suggestions()) {
                    if (s.instance().equals(h.instance()) && s.group().equals(g.group())) {
                        suggestion = s.command();
                        break;
                    }
                }
                Observation o = new Observation(h.instance(), h.sendingIp(), g.group(), g.verdict(),
                        Check.drained(g, h.instance(), reroutes, dq), reroutes.get(h.instance()), g.why(),
                        Map.copyOf(g.signatures()), g.sent(), g.bounced(), g.deferred(), h.queue().deferred(),
                        dq.oldestAgeSeconds(nowSeconds), dq.blockedByGroup().getOrDefault(g.group(), 0L), suggestion);
                out.put(o.key(), o);
            }
        }
        return new Run(out, unreadable);
    }
}
