package org.mfshell.watch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mfshell.health.Verdict;

/**
 * Compares one run's verdicts with what was last notified, with a hold-down: a new verdict becomes
 * a change only once it has been seen continuously for {@code holdDownMs} (from the first run that
 * saw it); when the last notified verdict comes back before that, the candidate is dropped and
 * nothing is notified. A key not observed counts as OK (no deliveries to that group in the window),
 * except for an instance that could not be read: its keys are left as they were. Keys that are OK,
 * notified as OK and without a candidate are forgotten. Pure; never throws.
 */
public final class ChangeDetector {
    private ChangeDetector() {
    }

    /** Per key: the verdict last notified (OK when never), and a different verdict waiting out the hold-down. */
    public record Tracked(Verdict notified, Verdict candidate, long candidateSinceMs) {
        public static final Tracked INITIAL = new Tracked(Verdict.OK, null, 0);
    }

    /** A verdict change to notify: from {@code from} to {@code to}, first seen at {@code sinceMs}. */
    public record Change(String key, Verdict from, Verdict to, long sinceMs, long detectedMs) {
        public String instance() {
            return key.substring(0, key.indexOf('/'));
        }

        public String group() {
            return key.substring(key.indexOf('/') + 1);
        }
    }

    public record Result(Map<String, Tracked> tracked, List<Change> changes) {
    }

    public static Result detect(Map<String, Tracked> previous, Map<String, Verdict> observed,
                                Collection<String> unreadableInstances, long nowMs, long holdDownMs) {
        Map<String, Tracked> next = new TreeMap<>();
        List<Change> changes = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(previous.keySet());
        keys.addAll(observed.keySet());
        for (String key : keys) {
            Tracked prev = previous.getOrDefault(key, Tracked.INITIAL);
            if (unreadableInstances.contains(key.substring(0, key.indexOf('/')))) {
                if (previous.containsKey(key)) {
                    next.put(key, prev);
                }
                continue;
            }
            Verdict seen = observed.getOrDefault(key, Verdict.OK);
            Tracked t;
            if (seen == prev.notified()) {
                t = new Tracked(prev.notified(), null, 0);
            } else if (seen != prev.candidate()) {
                t = new Tracked(prev.notified(), seen, nowMs);
            } else {
                t = prev;
            }
            if (t.candidate() != null && nowMs - t.candidateSinceMs() >= holdDownMs) {
                changes.add(new Change(key, t.notified(), t.candidate(), t.candidateSinceMs(), nowMs));
                t = new Tracked(t.candidate(), null, 0);
            }
            if (t.notified() != Verdict.OK || t.candidate() != null || observed.containsKey(key)) {
                next.put(key, t);
            }
        }
        return new Result(next, changes);
    }
}
