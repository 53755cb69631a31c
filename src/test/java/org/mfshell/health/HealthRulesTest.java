package org.mfshell.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule file format: the built-in file, an operator's file, and each kind of syntax error with its line. */
class HealthRulesTest {
    @TempDir
    Path dir;

    static final String THRESHOLDS = """
            threshold min-attempts 5
            threshold blocked-min-hits 3
            threshold blocked-min-share 0.2
            threshold degraded-min-hits 1
            threshold degraded-min-share 0.05
            threshold blocked-deferred 0.9
            threshold degraded-deferred 0.2
            threshold degraded-bounced 0.3
            """;

    @Test
    void builtInRulesHaveTheIssueSignaturesAndThresholds() {
        HealthRules r = HealthRules.builtIn();
        assertTrue(r.signatures().size() >= 12);
        assertEquals("microsoft-4.7.651", r.match("451 4.7.651 The mail server [<ip>] has been temporarily rate limited due to IP reputation").name());
        assertEquals(Verdict.BLOCKED, r.match("550 5.7.1 on our block list (S3150)").verdict());
        assertNull(r.match("550 5.1.1 <address>: Recipient address rejected: User unknown"));
        assertEquals(5, r.threshold("min-attempts"));
        assertEquals(0.2, r.threshold("blocked-min-share"));
    }

    @Test
    void operatorFileReplacesTheBuiltInRules() throws Exception {
        Path f = dir.resolve("health-rules");
        Files.writeString(f, "# mine\n\nsignature greylist DEGRADED greylist(ed|ing)\n" + THRESHOLDS);
        HealthRules.Loaded l = HealthRules.load(f);
        assertNull(l.warning());
        assertEquals(f.toString(), l.source());
        assertEquals(1, l.rules().signatures().size());
        assertEquals(Verdict.DEGRADED, l.rules().match("450 4.7.1 Greylisted, try again").verdict());
    }

    @Test
    void eachSyntaxErrorIsNamedWithItsLineNumber() {
        assertError("signature x BLOCKED\n", 1, "expected 'signature NAME BLOCKED|DEGRADED REGEX'");
        assertError("# c\nsignature x BROKEN foo\n", 2, "bad verdict 'BROKEN' (BLOCKED or DEGRADED)");
        assertError("\n\nsignature x BLOCKED (unclosed\n", 3, "bad regular expression for 'x'");
        assertError("signature a/b BLOCKED foo\n", 1, "bad signature name 'a/b'");
        assertError("signature a BLOCKED foo\nsignature a BLOCKED bar\n", 2, "signature 'a' defined twice");
        assertError("threshold min-atempts 5\n", 1, "unknown threshold 'min-atempts'");
        assertError("threshold blocked-min-share 1.5\n", 1, "bad value '1.5' for blocked-min-share (a share between 0 and 1)");
        assertError("threshold min-attempts 2.5\n", 1, "bad value '2.5' for min-attempts (a whole number)");
        assertError("block S3150\n", 1, "unknown rule 'block' (expected 'signature' or 'threshold')");
        assertError("signature a BLOCKED foo\nthreshold min-attempts 5\n", 2, "threshold 'min-attempts' missing".replace("min-attempts", "blocked-min-hits"));
    }

    private static void assertError(String text, int line, String message) {
        HealthRules.RulesSyntaxException e = assertThrows(HealthRules.RulesSyntaxException.class,
                () -> HealthRules.parse(text, "rules"));
        assertEquals(line, e.line());
        assertTrue(e.getMessage().startsWith("rules:" + line + ": " + message), e.getMessage());
    }

    @Test
    void aBrokenFileGivesOneWarningWithItsLineAndTheBuiltInRules() throws Exception {
        Path f = dir.resolve("health-rules");
        Files.writeString(f, "signature ok BLOCKED foo\nsignature bad BLOCKED [a-\n" + THRESHOLDS);
        HealthRules.Loaded l = HealthRules.load(f);
        assertEquals("built-in", l.source());
        assertEquals(HealthRules.builtIn().signatures().size(), l.rules().signatures().size());
        assertTrue(l.warning().startsWith("health rules " + f + ":2: bad regular expression for 'bad'"), l.warning());
        assertTrue(l.warning().endsWith("; using the built-in rules"), l.warning());
        assertEquals(1, l.warning().lines().count());
    }

    @Test
    void aMissingDefaultFileMeansBuiltInWithoutWarning() {
        HealthRules.Loaded l = HealthRules.load(dir.resolve("nope"));
        assertEquals("built-in", l.source());
        assertNull(l.warning());
    }
}
