package org.mfshell.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.Period;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

/** Warm-up plans checked stage by stage: records per IP, shares, dates and the exact zone lines. */
class WarmupPlannerTest {
    private final WarmupPlanner planner = new WarmupPlanner();
    private static final LocalDate START = LocalDate.of(2026, 12, 1);

    private static String a(String ip) {
        return "msn.smtp.mayfirst.org.\t600\tIN\tA\t" + ip;
    }

    @Test
    void oneExistingIpThreeStepsIsFiveToOneThenFourToTwoThenEqual() {
        WarmupPlan p = planner.plan("msn.smtp.mayfirst.org", List.of("209.51.172.9"), "216.66.15.9",
                "rustin.mayfirst.org", 3, Period.ofMonths(1), START);
        assertEquals(List.of("rustin.mayfirst.org.\t86400\tIN\tA\t216.66.15.9",
                "9.15.66.216.in-addr.arpa.\t86400\tIN\tPTR\trustin.mayfirst.org."), p.hostRecords());
        assertEquals(3, p.stages().size());

        WarmupPlan.Stage s1 = p.stages().get(0);
        assertEquals(Map.of("209.51.172.9", 5, "216.66.15.9", 1), s1.records());
        assertEquals("2026-12-01", s1.from());
        assertEquals(1.0 / 6, s1.plannedShare().get("216.66.15.9"), 1e-9);
        assertEquals(List.of(a("209.51.172.9"), a("209.51.172.9"), a("209.51.172.9"), a("209.51.172.9"),
                a("209.51.172.9"), a("216.66.15.9")), s1.zoneLines());
        assertTrue(s1.collapses());
        assertEquals(0.5, s1.effectiveShare().get("216.66.15.9"), 1e-9);

        WarmupPlan.Stage s2 = p.stages().get(1);
        assertEquals(Map.of("209.51.172.9", 4, "216.66.15.9", 2), s2.records());
        assertEquals("2027-01-01", s2.from());
        assertEquals(2.0 / 6, s2.plannedShare().get("216.66.15.9"), 1e-9);

        WarmupPlan.Stage s3 = p.stages().get(2);
        assertEquals(Map.of("209.51.172.9", 1, "216.66.15.9", 1), s3.records());
        assertEquals("2027-02-01", s3.from());
        assertEquals(List.of(a("209.51.172.9"), a("216.66.15.9")), s3.zoneLines());
        assertFalse(s3.collapses());
        assertTrue(p.notes().stream().anyMatch(n -> n.contains("RFC 2181")));
    }

    @Test
    void twoExistingIpsSpreadTheirRecordsEvenly() {
        WarmupPlan p = planner.plan("msn.smtp.mayfirst.org.", List.of("209.51.172.9", "216.66.15.4"), "216.66.15.9",
                "rustin.mayfirst.org.", 2, Period.ofWeeks(2), START);
        assertEquals("msn.smtp.mayfirst.org.", p.relayName());
        assertEquals("2 weeks", p.every());
        WarmupPlan.Stage s1 = p.stages().get(0);
        assertEquals(Map.of("209.51.172.9", 3, "216.66.15.4", 2, "216.66.15.9", 1), s1.records());
        assertEquals(6, s1.total());
        assertEquals(1.0 / 6, s1.plannedShare().get("216.66.15.9"), 1e-9);
        WarmupPlan.Stage s2 = p.stages().get(1);
        assertEquals("2026-12-15", s2.from());
        assertEquals(Map.of("209.51.172.9", 1, "216.66.15.4", 1, "216.66.15.9", 1), s2.records());
        assertEquals(1.0 / 3, s2.plannedShare().get("216.66.15.9"), 1e-9);
    }

    @Test
    void fiveDistinctExistingIpsInOneStepGiveTheWikiRatioWithoutRepeats() {
        List<String> old = List.of("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5");
        WarmupPlan p = planner.plan("therest.smtp.mayfirst.org", old, "203.0.113.6", "rustin.mayfirst.org", 1,
                Period.ofMonths(1), START);
        WarmupPlan.Stage s = p.stages().get(0);
        assertEquals(6, s.zoneLines().size());
        assertFalse(s.collapses());
        assertEquals(1.0 / 6, s.plannedShare().get("203.0.113.6"), 1e-9);
        assertEquals(s.plannedShare(), s.effectiveShare());
        assertFalse(p.notes().stream().anyMatch(n -> n.contains("RFC 2181")));
    }

    @Test
    void ipv6GetsAaaaAndIp6ArpaRecords() {
        WarmupPlan p = planner.plan("msn.smtp.mayfirst.org", List.of("2001:db8::1"), "2001:db8::25",
                "rustin.mayfirst.org", 1, Period.ofMonths(1), START);
        assertEquals("rustin.mayfirst.org.\t86400\tIN\tAAAA\t2001:db8:0:0:0:0:0:25", p.hostRecords().get(0));
        assertTrue(p.hostRecords().get(1).startsWith("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.\t86400\tIN\tPTR"),
                p.hostRecords().get(1));
    }

    @Test
    void badInputIsAUsageError() {
        assertThrows(UsageException.class, () -> planner.plan("msn.smtp.mayfirst.org", List.of("209.51.172.9"),
                "216.66.15.256", "h", 3, Period.ofMonths(1), START));
        assertThrows(UsageException.class, () -> planner.plan("msn.smtp.mayfirst.org", List.of("209.51.172.09"),
                "216.66.15.9", "h", 3, Period.ofMonths(1), START));
        assertThrows(UsageException.class, () -> planner.plan("msn.smtp.mayfirst.org", List.of("216.66.15.9"),
                "216.66.15.9", "h", 3, Period.ofMonths(1), START));
        assertThrows(UsageException.class, () -> planner.plan("msn.smtp.mayfirst.org", List.of(),
                "216.66.15.9", "h", 3, Period.ofMonths(1), START));
        assertThrows(UsageException.class, () -> planner.plan("msn.smtp.mayfirst.org", List.of("209.51.172.9"),
                "216.66.15.9", "h", 0, Period.ofMonths(1), START));
        assertThrows(UsageException.class, () -> Every.parse("1fortnight", "--every"));
        assertThrows(UsageException.class, () -> Every.parse("0month", "--every"));
        assertEquals(Period.ofMonths(1), Every.parse("1month", "--every"));
        assertEquals(Period.ofDays(14), Every.parse("2weeks", "--every"));
    }

    /** The planner says what was wrong in its own words; only the command names its flags. */
    @Test
    void errorsNameNoCommandLineFlag() {
        WarmupException steps = assertThrows(WarmupException.class, () -> planner.plan("msn.smtp.mayfirst.org",
                List.of("209.51.172.9"), "216.66.15.9", "h", 13, Period.ofMonths(1), START));
        assertEquals(WarmupException.Problem.STEPS, steps.problem());
        assertEquals("a plan has 1 to 12 stages, not 13", steps.getMessage());
        WarmupException serves = assertThrows(WarmupException.class, () -> planner.plan("msn.smtp.mayfirst.org",
                List.of("216.66.15.9"), "216.66.15.9", "h", 3, Period.ofMonths(1), START));
        assertEquals(WarmupException.Problem.NEW_IP_SERVES, serves.problem());
        WarmupException none = assertThrows(WarmupException.class, () -> planner.plan("msn.smtp.mayfirst.org",
                List.of(), "216.66.15.9", "h", 3, Period.ofMonths(1), START));
        assertEquals(WarmupException.Problem.NO_EXISTING, none.problem());
        for (WarmupException e : List.of(steps, serves, none)) {
            assertFalse(e.getMessage().contains("--"), e.getMessage());
        }
    }
}
