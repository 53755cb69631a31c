package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnifiedDiffTest {
    @Test
    void oneChangedLineWithContext() {
        String a = "1\n2\n3\n4\n5\n6\n7\n8\n#transport_maps = hash:/x\n";
        String b = "1\n2\n3\n4\n5\n6\n7\n8\ntransport_maps = hash:/x\n";
        assertEquals("--- main.cf\n+++ main.cf\n@@ -6,4 +6,4 @@\n 6\n 7\n 8\n-#transport_maps = hash:/x\n"
                + "+transport_maps = hash:/x\n", UnifiedDiff.diff("main.cf", a, "main.cf", b));
    }

    @Test
    void newFileAndEqualTexts() {
        assertEquals("--- /dev/null\n+++ t\n@@ -0,0 +1,1 @@\n+* smtp:[127.0.0.5]\n",
                UnifiedDiff.diff("t", null, "t", "* smtp:[127.0.0.5]\n"));
        assertEquals("", UnifiedDiff.diff("t", "x\n", "t", "x\n"));
    }

    @Test
    void twoDistantChangesMakeTwoHunks() {
        StringBuilder a = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            a.append(i).append('\n');
        }
        String b = a.toString().replace("2\n", "two\n").replace("19\n", "nineteen\n");
        String d = UnifiedDiff.diff("f", a.toString(), "f", b);
        assertEquals(2, d.split("@@ -").length - 1, d);
    }
}
