package org.mfshell.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.Verdict;
import org.mfshell.instance.QueueCounts;

/** How check turns verdicts, queues and thresholds into a state, a status line and perfdata. */
class CheckTest {
    static final long NOW = 1_800_000_000L;

    static CheckThresholds defaults() {
        return thresholds(CheckThresholds.DEFERRED_WARNING, CheckThresholds.DEFERRED_CRITICAL, "14400", "86400");
    }

    static CheckThresholds thresholds(String dw, String dc, String aw, String ac) {
        return new CheckThresholds(Range.parse(dw, "-w"), Range.parse(dc, "-c"), Range.parse(aw, "a"),
                Range.parse(ac, "a"), Range.parse(CheckThresholds.HELD_WARNING, "h"),
                Range.parse(CheckThresholds.HELD_CRITICAL, "h"), Range.parse(CheckThresholds.RATIO_WARNING, "r"),
                Range.parse(CheckThresholds.RATIO_CRITICAL, "r"));
    }

    static InstanceHealth inst(String name, long deferredQ, long hold, GroupHealth... groups) {
        Verdict worst = Verdict.OK;
        for (GroupHealth g : groups) {
            worst = worst.worst(g.verdict());
        }
        return new InstanceHealth(name, "postfix-" + name, "192.0.2.1", true,
                new QueueCounts(0, 0, 0, deferredQ, hold), 0, 0, 0, 0, 0, 0, List.of(), worst, List.of(groups));
    }

    static GroupHealth group(String g, long sent, long deferred, Verdict v, String signature) {
        return new GroupHealth(g, sent, 0, deferred, signature == null ? 0 : deferred, signature == null ? 0 : deferred,
                signature == null ? Map.of() : Map.of(signature, deferred), v, "why");
    }

    static HealthReport report(InstanceHealth... rows) {
        return new HealthReport("s", "g", "built-in", List.of(), List.of(rows), List.of(), List.of());
    }

    @Test
    void blockedIsCriticalWithSignatureAndOldestDeferredFirst() {
        HealthReport r = report(inst("aol-a", 1, 0, group("aol", 10, 0, Verdict.OK, null)),
                inst("msn-a", 50, 0, group("msn", 5, 40, Verdict.BLOCKED, "microsoft-4.7.651")));
        Map<String, DeferredQueue> q = Map.of("msn-a", new DeferredQueue(NOW - (3 * 3600 + 12 * 60),
                Map.of("msn", 50L), Map.of("msn", 40L)));
        Check.Result res = Check.evaluate(r, q, Map.of(), defaults(), 10, NOW);
        assertEquals(CheckState.CRITICAL, res.state());
        String line = res.lines().get(0);
        assertTrue(line.startsWith("MFSHELL CRITICAL - msn-a BLOCKED for msn (microsoft-4.7.651), oldest deferred 3h12m; "
                + "msn-a deferral ratio 88.9% (critical 80%) | "),
                line);
        assertTrue(line.contains(" 'msn-a_deferred'=50;2000;10000;0 "), line);
        assertTrue(line.contains(" 'msn-a_oldest_deferred'=11520s;14400;86400;0 "), line);
        assertTrue(line.contains(" 'msn-a_deferral_ratio'=88.9%;50;80;0;100"), line);
        assertEquals(3, res.lines().size(), "status line and one line per instance");
    }

    @Test
    void blockedButDrainedWithRerouteInForceIsOk() {
        HealthReport r = report(inst("msn-a", 1, 0, group("msn", 5, 40, Verdict.BLOCKED, "microsoft-4.7.651")));
        Map<String, DeferredQueue> q = Map.of("msn-a", new DeferredQueue(NOW - 60, Map.of("msn", 1L), Map.of()));
        Check.Result res = Check.evaluate(r, q, Map.of("msn-a", "msn-b"), defaults(), 10, NOW);
        assertEquals(CheckState.OK, res.state(), res.lines().get(0));
        assertTrue(res.summary().contains("msn-a BLOCKED for msn, drained (reroute to msn-b in force)"), res.summary());
        // Without the reroute, or with blocked mail left, it stays critical.
        assertEquals(CheckState.CRITICAL, Check.evaluate(r, q, Map.of(), defaults(), 10, NOW).state());
        Map<String, DeferredQueue> left = Map.of("msn-a", new DeferredQueue(NOW - 60, Map.of("msn", 1L), Map.of("msn", 1L)));
        assertEquals(CheckState.CRITICAL, Check.evaluate(r, left, Map.of("msn-a", "msn-b"), defaults(), 10, NOW).state());
    }

    @Test
    void thresholdsOnDeferredQueueAndAge() {
        HealthReport r = report(inst("aol-a", 150, 0, group("aol", 100, 1, Verdict.OK, null)));
        Map<String, DeferredQueue> q = Map.of("aol-a", new DeferredQueue(NOW - 7200, Map.of(), Map.of()));
        assertEquals(CheckState.OK, Check.evaluate(r, q, Map.of(), defaults(), 10, NOW).state());
        Check.Result w = Check.evaluate(r, q, Map.of(), thresholds("100", "200", "14400", "86400"), 10, NOW);
        assertEquals(CheckState.WARNING, w.state());
        assertTrue(w.summary().startsWith("aol-a deferred queue 150 (warning 100), oldest deferred 2h"), w.summary());
        assertEquals(CheckState.CRITICAL, Check.evaluate(r, q, Map.of(), thresholds("100", "140", "14400", "86400"),
                10, NOW).state());
        Check.Result age = Check.evaluate(r, q, Map.of(), thresholds("2000", "10000", "3600", "86400"), 10, NOW);
        assertEquals(CheckState.WARNING, age.state());
        assertTrue(age.summary().equals("aol-a oldest deferred 2h (warning 3600)"), age.summary());
        // @ inverts: alert while the queue is inside 100..200.
        assertEquals(CheckState.CRITICAL, Check.evaluate(r, q, Map.of(), thresholds("2000", "@100:200", "14400",
                "86400"), 10, NOW).state());
    }

    @Test
    void degradedIsWarningAndUnreadableInstanceUnknownButCriticalWins() {
        InstanceHealth broken = new InstanceHealth("x-a", null, null, false, QueueCounts.EMPTY, 0, 0, 0, 0, 0, 0,
                List.of(), null, List.of(), "error", "postconf failed");
        HealthReport degraded = report(inst("aol-a", 1, 0, group("aol", 10, 3, Verdict.DEGRADED, "aol-tss04")));
        assertEquals(CheckState.WARNING, Check.evaluate(degraded, Map.of(), Map.of(), defaults(), 100, NOW).state());
        Check.Result unknown = Check.evaluate(report(inst("aol-a", 1, 0), broken), Map.of(), Map.of(), defaults(), 10,
                NOW);
        assertEquals(CheckState.UNKNOWN, unknown.state());
        assertEquals(3, unknown.state().exitCode());
        assertTrue(unknown.summary().contains("x-a unreadable: postconf failed"), unknown.summary());
        HealthReport both = report(inst("msn-a", 5, 0, group("msn", 0, 5, Verdict.BLOCKED, "s3150")), broken);
        Check.Result res = Check.evaluate(both, Map.of(), Map.of(), defaults(), 10, NOW);
        assertEquals(CheckState.CRITICAL, res.state());
        assertTrue(res.summary().startsWith("msn-a BLOCKED for msn (s3150); x-a unreadable"), res.summary());
    }

    @Test
    void ratioNeedsEnoughAttempts() {
        HealthReport r = report(inst("aol-a", 1, 0, group("aol", 1, 9, Verdict.OK, null)));
        assertEquals(CheckState.CRITICAL, Check.evaluate(r, Map.of(), Map.of(), defaults(), 10, NOW).state());
        assertEquals(CheckState.OK, Check.evaluate(r, Map.of(), Map.of(), defaults(), 11, NOW).state());
    }

    @Test
    void ages() {
        assertEquals("40s", Check.age(40));
        assertEquals("5m", Check.age(300));
        assertEquals("3h12m", Check.age(3 * 3600 + 12 * 60 + 5));
        assertEquals("2d4h", Check.age(2 * 86400 + 4 * 3600 + 59));
    }
}
