package org.mfshell.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.health.Verdict;
import org.mfshell.watch.ChangeDetector.Change;
import org.mfshell.watch.ChangeDetector.Result;
import org.mfshell.watch.ChangeDetector.Tracked;

/** The change detector: changes only on a change, hold-down damping, unreadable instances kept, absent groups OK. */
class ChangeDetectorTest {
    private static final long HOLD = 300_000;
    private static final String K = "msn-a/msn";

    private static Result run(Map<String, Tracked> prev, Verdict seen, long now) {
        return ChangeDetector.detect(prev, seen == null ? Map.of() : Map.of(K, seen), List.of(), now, HOLD);
    }

    @Test
    void noHoldDownNotifiesAtOnceAndOnlyOnce() {
        Result r = ChangeDetector.detect(Map.of(), Map.of(K, Verdict.BLOCKED), List.of(), 1000, 0);
        assertEquals(List.of(new Change(K, Verdict.OK, Verdict.BLOCKED, 1000, 1000)), r.changes());
        Result again = ChangeDetector.detect(r.tracked(), Map.of(K, Verdict.BLOCKED), List.of(), 2000, 0);
        assertEquals(List.of(), again.changes());
        Result back = ChangeDetector.detect(again.tracked(), Map.of(K, Verdict.OK), List.of(), 3000, 0);
        assertEquals(List.of(new Change(K, Verdict.BLOCKED, Verdict.OK, 3000, 3000)), back.changes());
    }

    @Test
    void aChangeMustLastTheHoldDown() {
        Result r1 = run(Map.of(), Verdict.BLOCKED, 0);
        assertEquals(List.of(), r1.changes());
        assertEquals(new Tracked(Verdict.OK, Verdict.BLOCKED, 0), r1.tracked().get(K));
        Result r2 = run(r1.tracked(), Verdict.BLOCKED, HOLD - 1);
        assertEquals(List.of(), r2.changes());
        Result r3 = run(r2.tracked(), Verdict.BLOCKED, HOLD);
        assertEquals(List.of(new Change(K, Verdict.OK, Verdict.BLOCKED, 0, HOLD)), r3.changes());
        assertEquals(new Tracked(Verdict.BLOCKED, null, 0), r3.tracked().get(K));
    }

    @Test
    void aFlapBackWithinTheHoldDownSendsNothing() {
        Result r1 = run(Map.of(), Verdict.BLOCKED, 0);
        Result r2 = run(r1.tracked(), Verdict.OK, 60_000);
        assertEquals(List.of(), r2.changes());
        Result r3 = run(r2.tracked(), Verdict.OK, 10 * HOLD);
        assertEquals(List.of(), r3.changes());
        // A new candidate restarts the clock: BLOCKED again at 11*HOLD is due at 12*HOLD, not earlier.
        Result r4 = run(r3.tracked(), Verdict.BLOCKED, 11 * HOLD);
        Result r5 = run(r4.tracked(), Verdict.BLOCKED, 12 * HOLD - 1);
        assertEquals(List.of(), r5.changes());
        assertEquals(1, run(r5.tracked(), Verdict.BLOCKED, 12 * HOLD).changes().size());
    }

    @Test
    void aDifferentCandidateRestartsTheClock() {
        Result r1 = run(Map.of(), Verdict.DEGRADED, 0);
        Result r2 = run(r1.tracked(), Verdict.BLOCKED, HOLD - 10);
        assertEquals(new Tracked(Verdict.OK, Verdict.BLOCKED, HOLD - 10), r2.tracked().get(K));
        assertEquals(List.of(), run(r2.tracked(), Verdict.BLOCKED, HOLD + 10).changes());
        assertEquals(Verdict.BLOCKED, run(r2.tracked(), Verdict.BLOCKED, 2 * HOLD - 10).changes().get(0).to());
    }

    @Test
    void anAbsentGroupIsOkAndAnUnreadableInstanceKeepsItsVerdict() {
        Map<String, Tracked> blocked = Map.of(K, new Tracked(Verdict.BLOCKED, null, 0));
        Result unreadable = ChangeDetector.detect(blocked, Map.of(), List.of("msn-a"), 10, 0);
        assertEquals(List.of(), unreadable.changes());
        assertEquals(blocked, unreadable.tracked());
        Result absent = ChangeDetector.detect(blocked, Map.of(), List.of(), 10, 0);
        assertEquals(Verdict.OK, absent.changes().get(0).to());
        assertTrue(absent.tracked().isEmpty(), "an OK key not observed is forgotten");
    }

    @Test
    void okOnTheFirstRunIsNoChange() {
        Result r = ChangeDetector.detect(Map.of(), Map.of(K, Verdict.OK, "aol-a/aol", Verdict.OK), List.of(), 0, 0);
        assertEquals(List.of(), r.changes());
        assertEquals(2, r.tracked().size());
    }
}
