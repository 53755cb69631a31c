package org.mfshell.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.Verdict;

/**
 * Turns a {@code health} report, the deferred queues and the reroutes in force into one
 * Monitoring Plugins result: a state, the status line (problems of the worst state first),
 * long-output lines (one per instance) and perfdata per instance. A BLOCKED provider group counts
 * as handled (no alert) when a reroute of that instance is in force and its deferred queue holds
 * no recipient of that group deferred by a block signature any more; its deliveries then leave the deferral ratio too. An
 * instance whose configuration cannot be read is UNKNOWN. Pure; never throws.
 */
public final class Check {
    public static final String NAME = "MFSHELL";

    /** The outcome: state, first line without the perfdata, long output, perfdata. */
    public record Result(CheckState state, String summary, List<String> details, List<String> perfdata) {
        /** The whole plugin output: status line with perfdata, then the long output. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(NAME + " " + state + " - " + summary + (perfdata.isEmpty() ? "" : " | " + String.join(" ", perfdata)));
            out.addAll(details);
            return out;
        }
    }

    private record Problem(CheckState state, String instance, String text) {
    }

    private Check() {
    }

    /**
     * @param queues    deferred queue per instance name (absent: empty)
     * @param reroutes  instance name to where its reroute in force sends mail
     * @param minAttempts fewer delivery attempts than this in the window: no ratio alert
     */
    public static Result evaluate(HealthReport report, Map<String, DeferredQueue> queues, Map<String, String> reroutes,
                                  CheckThresholds t, double minAttempts, long nowSeconds) {
        List<Problem> problems = new ArrayList<>();
        List<String> details = new ArrayList<>();
        List<String> perf = new ArrayList<>();
        List<String> handledNotes = new ArrayList<>();
        long deferredTotal = 0;
        long oldestAll = 0;
        for (InstanceHealth h : report.instances()) {
            String name = h.instance();
            if (h.error() != null) {
                problems.add(new Problem(CheckState.UNKNOWN, name, name + " unreadable: " + h.error()));
                details.add(name + ": error: " + h.error());
                continue;
            }
            DeferredQueue dq = queues.getOrDefault(name, DeferredQueue.EMPTY);
            long age = dq.oldestAgeSeconds(nowSeconds);
            long deferred = h.queue().deferred();
            long held = h.queue().hold();
            deferredTotal += deferred;
            oldestAll = Math.max(oldestAll, age);
            long ratioDeferred = 0;
            long ratioAttempts = 0;
            List<String> verdicts = new ArrayList<>();
            for (GroupHealth g : h.groups()) {
                boolean handled = drained(g, name, reroutes, dq);
                if (handled) {
                    String note = name + " BLOCKED for " + g.group() + ", drained (reroute to " + reroutes.get(name)
                            + " in force)";
                    handledNotes.add(note);
                    verdicts.add(g.group() + " BLOCKED, drained");
                    continue;
                }
                ratioDeferred += g.deferred();
                ratioAttempts += g.attempts();
                if (g.verdict() == Verdict.BLOCKED) {
                    problems.add(new Problem(CheckState.CRITICAL, name, name + " BLOCKED for " + g.group() + " ("
                            + evidence(g) + ")"));
                } else if (g.verdict() == Verdict.DEGRADED) {
                    problems.add(new Problem(CheckState.WARNING, name, name + " DEGRADED for " + g.group() + " ("
                            + evidence(g) + ")"));
                }
                if (g.verdict() != null && g.verdict() != Verdict.OK) {
                    verdicts.add(g.group() + " " + g.verdict());
                }
            }
            double ratio = ratioAttempts == 0 ? 0 : 100.0 * ratioDeferred / ratioAttempts;
            level(problems, name, "deferred queue " + deferred, deferred, t.deferredWarning(), t.deferredCritical(), "");
            level(problems, name, "oldest deferred " + age(age), age, t.ageWarning(), t.ageCritical(), "");
            level(problems, name, "held " + held, held, t.heldWarning(), t.heldCritical(), "");
            if (ratioAttempts > 0 && ratioAttempts >= minAttempts) {
                level(problems, name, "deferral ratio " + pct(ratio) + "%", ratio, t.ratioWarning(), t.ratioCritical(),
                        "%");
            }
            details.add(name + (h.sendingIp() == null ? "" : " " + h.sendingIp()) + ": " + h.state() + ", queue "
                    + h.queue().total() + " (deferred " + deferred + ", hold " + held + "), oldest deferred "
                    + (age == 0 ? "-" : age(age)) + ", deferral " + pct(ratio) + "% of " + ratioAttempts
                    + " attempts, " + (verdicts.isEmpty() ? "OK" : String.join(", ", verdicts)));
            String l = label(name);
            perf.add(l + "_deferred'=" + deferred + ";" + t.deferredWarning().perfdata() + ";"
                    + t.deferredCritical().perfdata() + ";0");
            perf.add(l + "_oldest_deferred'=" + age + "s;" + t.ageWarning().perfdata() + ";"
                    + t.ageCritical().perfdata() + ";0");
            perf.add(l + "_hold'=" + held + ";" + t.heldWarning().perfdata() + ";" + t.heldCritical().perfdata() + ";0");
            perf.add(l + "_queue'=" + h.queue().total() + ";;;0");
            perf.add(l + "_deferral_ratio'=" + pct(ratio) + "%;" + t.ratioWarning().perfdata() + ";"
                    + t.ratioCritical().perfdata() + ";0;100");
        }
        CheckState state = CheckState.OK;
        for (Problem p : problems) {
            state = state.worst(p.state());
        }
        String summary;
        if (problems.isEmpty()) {
            summary = report.instances().size() + " instances OK, " + deferredTotal + " deferred"
                    + (oldestAll == 0 ? "" : ", oldest deferred " + age(oldestAll))
                    + (handledNotes.isEmpty() ? "" : "; " + String.join("; ", handledNotes));
        } else {
            List<String> parts = new ArrayList<>();
            for (CheckState s : List.of(CheckState.CRITICAL, CheckState.WARNING, CheckState.UNKNOWN)) {
                List<String> seen = new ArrayList<>();
                for (Problem p : problems) {
                    if (p.state() != s) {
                        continue;
                    }
                    String text = p.text();
                    if (!seen.contains(p.instance()) && !text.contains("oldest deferred")) {
                        long age = queues.getOrDefault(p.instance(), DeferredQueue.EMPTY).oldestAgeSeconds(nowSeconds);
                        if (age > 0) {
                            text += ", oldest deferred " + age(age);
                        }
                    }
                    seen.add(p.instance());
                    parts.add(text);
                }
            }
            parts.addAll(handledNotes);
            summary = String.join("; ", parts);
        }
        return new Result(state, summary, details, perf);
    }

    /**
     * A BLOCKED group counts as handled: a reroute of {@code instance} is in force and its deferred
     * queue holds no recipient of that group deferred by a block signature.
     */
    public static boolean drained(GroupHealth g, String instance, Map<String, String> reroutes, DeferredQueue dq) {
        return g.verdict() == Verdict.BLOCKED && reroutes.containsKey(instance)
                && dq.blockedByGroup().getOrDefault(g.group(), 0L) == 0;
    }

    private static void level(List<Problem> problems, String name, String what, double value, Range warn, Range crit,
                              String unit) {
        if (crit.alerts(value)) {
            problems.add(new Problem(CheckState.CRITICAL, name, name + " " + what + " (critical " + crit.text() + unit + ")"));
        } else if (warn.alerts(value)) {
            problems.add(new Problem(CheckState.WARNING, name, name + " " + what + " (warning " + warn.text() + unit + ")"));
        }
    }

    private static String evidence(GroupHealth g) {
        if (!g.signatures().isEmpty()) {
            return String.join(", ", g.signatures().keySet());
        }
        return g.why();
    }

    /** A perfdata label opener: quoted, quotes doubled, '=' (which ends a label) replaced. */
    private static String label(String name) {
        return "'" + name.replace("'", "''").replace('=', '_');
    }

    /** 3h12m, 2d4h, 5m, 40s. */
    public static String age(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        long d = seconds / 86400;
        long h = seconds % 86400 / 3600;
        long m = seconds % 3600 / 60;
        if (d > 0) {
            return d + "d" + (h > 0 ? h + "h" : "");
        }
        if (h > 0) {
            return h + "h" + (m > 0 ? m + "m" : "");
        }
        return m + "m";
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
