package org.mfshell.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.health.HealthEvaluator.GroupHealth;

/** The verdict rule with the built-in thresholds, case by case. */
class HealthEvaluatorTest {
    private final HealthEvaluator eval = new HealthEvaluator(HealthRules.builtIn());
    private static final String MS = "451 4.7.651 The mail server [<ip>] has been temporarily rate limited due to IP "
            + "reputation. For e-mail delivery information, see https://postmaster.live.com (S775)";

    @Test
    void blockSignaturesInEnoughDeliveriesMeanBlocked() {
        GroupHealth g = eval.evaluate("msn", 10, 0, 4, Map.of(MS, 4L));
        assertEquals(Verdict.BLOCKED, g.verdict());
        assertEquals(4, g.blockedHits());
        assertTrue(g.why().startsWith("block signature microsoft-4.7.651 in 4 of 14"), g.why());
    }

    @Test
    void aFewBlockHitsAmongManyDeliveriesAreDegraded() {
        assertEquals(Verdict.DEGRADED, eval.evaluate("msn", 37, 0, 3, Map.of(MS, 3L)).verdict());
        assertEquals(Verdict.DEGRADED, eval.evaluate("msn", 0, 0, 2, Map.of(MS, 2L)).verdict());
    }

    @Test
    void rareSignatureHitsInALargeWindowStayOk() {
        assertEquals(Verdict.OK, eval.evaluate("msn", 1000, 0, 3, Map.of(MS, 3L)).verdict());
        assertEquals(Verdict.OK, eval.evaluate("msn", 5, 0, 1, Map.of(MS, 1L)).verdict());
    }

    @Test
    void ratiosWithoutSignatures() {
        Map<String, Long> refused = Map.of("connect to <host>: Connection refused", 19L);
        assertEquals(Verdict.BLOCKED, eval.evaluate("aol", 1, 0, 19, refused).verdict());
        assertEquals(Verdict.DEGRADED, eval.evaluate("aol", 70, 0, 30, Map.of("x", 30L)).verdict());
        assertEquals(Verdict.DEGRADED, eval.evaluate("therest", 60, 40, 0, Map.of("550 5.1.1 unknown", 40L)).verdict());
        assertEquals(Verdict.OK, eval.evaluate("therest", 80, 20, 0, Map.of("550 5.1.1 unknown", 20L)).verdict());
    }

    @Test
    void tooFewDeliveriesForRatiosAndNoneAtAll() {
        assertEquals(Verdict.OK, eval.evaluate("aol", 0, 0, 4, Map.of("x", 4L)).verdict());
        GroupHealth none = eval.evaluate("msn", 0, 0, 0, Map.of());
        assertEquals(Verdict.OK, none.verdict());
        assertEquals("no deliveries in the window", none.why());
    }
}
