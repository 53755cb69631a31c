package org.mfshell.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mfshell.core.Durations;
import org.mfshell.core.UsageException;

/** The Monitoring Plugins range syntax, as the guidelines' table gives it. */
class RangeTest {
    @Test
    void plainNumberAlertsOutsideZeroToIt() {
        Range r = Range.parse("10", "-w");
        assertFalse(r.alerts(0));
        assertFalse(r.alerts(10));
        assertTrue(r.alerts(10.5));
        assertTrue(r.alerts(-1));
        assertEquals("10", r.perfdata());
    }

    @Test
    void openEndAlertsBelowStart() {
        Range r = Range.parse("10:", "-w");
        assertTrue(r.alerts(9.99));
        assertFalse(r.alerts(10));
        assertFalse(r.alerts(1e9));
        assertEquals("10:", r.perfdata());
    }

    @Test
    void tildeStartAlertsAboveEnd() {
        Range r = Range.parse("~:10", "-w");
        assertFalse(r.alerts(-1e9));
        assertFalse(r.alerts(10));
        assertTrue(r.alerts(11));
        assertEquals("~:10", r.perfdata());
    }

    @Test
    void boundedAlertsOutside() {
        Range r = Range.parse("10:20", "-w");
        assertTrue(r.alerts(9));
        assertFalse(r.alerts(10));
        assertFalse(r.alerts(15));
        assertFalse(r.alerts(20));
        assertTrue(r.alerts(21));
        assertEquals("10:20", r.perfdata());
    }

    @Test
    void atSignInvertsInsideEndsIncluded() {
        Range r = Range.parse("@10:20", "-w");
        assertFalse(r.alerts(9));
        assertTrue(r.alerts(10));
        assertTrue(r.alerts(15));
        assertTrue(r.alerts(20));
        assertFalse(r.alerts(21));
        assertEquals("@10:20", r.perfdata());
    }

    @Test
    void decimalsAndNegativeStart() {
        Range r = Range.parse("-5.5:2.25", "-c");
        assertTrue(r.alerts(-6));
        assertFalse(r.alerts(-5.5));
        assertTrue(r.alerts(2.3));
        assertEquals("-5.5:2.25", r.perfdata());
    }

    @Test
    void durationsConvertThroughTheGivenReader() {
        Range r = Range.parse("1h:", "--age-warning", s -> Durations.parse(s, "--age-warning").getSeconds());
        assertTrue(r.alerts(3599));
        assertFalse(r.alerts(3600));
        assertEquals("3600:", r.perfdata());
        assertEquals("14400", Range.parse("4h", "--age-warning",
                s -> Durations.parse(s, "--age-warning").getSeconds()).perfdata());
    }

    @Test
    void malformedRangesAreUsageErrorsNamingTheOption() {
        for (String bad : new String[] {"", "abc", "10:5", "1:2:3", "~", "10:~", "@", "1e3", "10 "}) {
            UsageException e = assertThrows(UsageException.class, () -> Range.parse(bad, "--held-warning"), bad);
            assertTrue(e.getMessage().startsWith("--held-warning: bad range"), e.getMessage());
        }
    }
}
