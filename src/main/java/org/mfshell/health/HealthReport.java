package org.mfshell.health;

import java.util.List;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.instance.QueueCounts;

/**
 * What {@code health} found: one row per instance, the flush suggestions, warnings (rules
 * file refused, unreadable timestamps), and every instance BLOCKED for a provider group with the
 * domains of that group a BLOCKED signature deferred there, whether or not a sibling could take
 * them (so a fleet view can suggest an instance on another host). Serialised as it is for {@code --json}.
 */
public record HealthReport(String since, String generated, String rules, List<String> logSources,
                           List<InstanceHealth> instances, List<Suggestion> suggestions, List<String> warnings,
                           List<Blocked> blocked) {

    public HealthReport(String since, String generated, String rules, List<String> logSources,
                        List<InstanceHealth> instances, List<Suggestion> suggestions, List<String> warnings) {
        this(since, generated, rules, logSources, instances, suggestions, warnings, List.of());
    }

    /** {@code instance} is BLOCKED for {@code group}; {@code domains} (sorted) had mail deferred by a BLOCKED signature. */
    public record Blocked(String instance, String group, List<String> domains) {
    }

    /** One normalised reason with its count, the provider group it was seen for, and the signature it matched (or null). */
    public record Reason(String reason, long count, String group, String signature) {
    }

    /**
     * One instance: sending address, queue sizes, counts in the window (deferred: distinct
     * recipients, each once however often retried; deferredAttempts: deferral lines), top
     * reasons, its worst verdict and the verdict of each provider group it delivered to (or serves),
     * and its state ("running", "stopped", "never started", "disabled", "error"). An instance whose
     * configuration postconf cannot read has state "error", the reason in {@code error}, no counts
     * and no verdict (null).
     */
    public record InstanceHealth(String instance, String syslogName, String sendingIp, boolean running,
                                 QueueCounts queue, long sent, long bounced, long deferred, long deferredAttempts,
                                 double bouncedRatio,
                                 double deferredRatio, List<Reason> topReasons, Verdict verdict,
                                 List<GroupHealth> groups, String state, String error) {
        public InstanceHealth(String instance, String syslogName, String sendingIp, boolean running,
                              QueueCounts queue, long sent, long bounced, long deferred, long deferredAttempts,
                              double bouncedRatio, double deferredRatio, List<Reason> topReasons, Verdict verdict,
                              List<GroupHealth> groups) {
            this(instance, syslogName, sendingIp, running, queue, sent, bounced, deferred, deferredAttempts,
                    bouncedRatio, deferredRatio, topReasons, verdict, groups, running ? "running" : "stopped", null);
        }
    }

    /** Move {@code instance}'s deferred mail for {@code domains} to its OK sibling. */
    public record Suggestion(String instance, String group, String sibling, List<String> domains, String command) {
    }
}
