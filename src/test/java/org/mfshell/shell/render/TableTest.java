package org.mfshell.shell.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tables fitted to a width: headers give way first, numbers are never cut, text gets an ellipsis. */
class TableTest {
    private static Table instances() {
        Table t = new Table("NAME", "SENDING IP", "STATE", "DEFERRED", "INCOMING", "REROUTE").right(3, 4)
                .abbreviate(null, "IP", null, "DEFER", "INC", "RR");
        t.row("earthlink-a", "203.0.113.17", "running", 12345, 0, "msn-b for hotmail.com, outlook.com");
        t.row("msn-a", "203.0.113.4", "stopped", 7, 2, "-");
        return t;
    }

    private static List<String> print(Table t, int width) {
        StringWriter w = new StringWriter();
        t.print(new PrintWriter(w, true), width);
        return w.toString().lines().toList();
    }

    @Test
    void noWidthPrintsEveryCellWhole() {
        List<String> lines = print(instances(), 0);
        assertTrue(lines.get(1).endsWith("msn-b for hotmail.com, outlook.com"), lines.get(1));
        assertTrue(lines.get(0).contains("DEFERRED") && lines.get(0).contains("INCOMING"), lines.get(0));
        assertEquals(lines, print(instances(), 500), "a wide terminal changes nothing");
    }

    @Test
    void aNarrowTerminalCutsTextNotNumbers() {
        for (int width : List.of(80, 60, 50)) {
            List<String> lines = print(instances(), width);
            for (String l : lines) {
                assertTrue(l.length() <= width, width + ": " + l);
            }
            assertTrue(lines.get(1).contains("12345"), lines.get(1));
            assertTrue(lines.get(1).contains("\u2026"), "long text cut with an ellipsis: " + lines.get(1));
        }
        List<String> at60 = print(instances(), 60);
        assertTrue(at60.get(0).contains("DEFER ") && at60.get(0).contains(" INC"), "short headers: " + at60.get(0));
        assertTrue(at60.get(1).startsWith("earthlink-a"), "short columns are kept whole: " + at60.get(1));
    }

    @Test
    void optionalColumnsGoBeforeTextIsCutToNothing() {
        Table t = new Table("INSTANCE", "SENDING IP", "SENT", "BOUNCED", "VERDICT").right(2, 3).optional(1);
        t.row("earthlink-a", "203.0.113.17", 100, 5, "BLOCKED (msn)");
        List<String> lines = print(t, 40);
        assertFalse(lines.get(1).contains("203.0"), lines.get(1));
        assertTrue(lines.get(1).startsWith("earthlink-a") && lines.get(1).endsWith("BLOCKED (msn)"), lines.get(1));
        assertTrue(print(t, 0).get(1).contains("203.0.113.17"));
    }

    @Test
    void aBarIsDrawnForTheRoomItGets() {
        Table t = new Table("NAME", "TOTAL", "").right(1);
        t.row("msn-a", 100, (Table.Fit) cols -> "=".repeat(Math.min(30, cols)));
        assertTrue(print(t, 0).get(1).endsWith("=".repeat(30)));
        String at30 = print(t, 30).get(1);
        assertEquals(30, at30.length(), at30);
        assertFalse(at30.contains("\u2026"), "a bar is shortened, not cut: " + at30);
    }

    @Test
    void barSharesAreRoundedNotForced() {
        // 0.8 % bounced of a 30-cell bar is a quarter cell: no cell of its own.
        assertEquals("=".repeat(30), BarChart.bar(992, 0, 8, 1000, 30, false));
        // Parts in the columns' order, cells adding up to the length.
        String b = BarChart.bar(50, 30, 20, 100, 10, false);
        assertEquals("=====xx~~~", b);
        assertEquals("= sent  x bounced  ~ deferred", BarChart.legend(false));
    }
}
