package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

class DomainsTest {
    @Test
    void normalizesCaseRootDotAndIdn() {
        assertEquals("hotmail.com", Domains.require("HotMail.COM."));
        assertEquals("xn--bcher-kva.example", Domains.require("bücher.example"));
        assertEquals(".hotmail.com", Domains.require(".hotmail.com"));
        assertEquals(List.of("hotmail.com", "outlook.com"), Domains.requireAll(List.of("hotmail.com", "outlook.com", "HOTMAIL.com")));
    }

    @Test
    void refusesWhatCouldInjectOrIsNotADomain() {
        for (String bad : List.of("hot mail.com", "hotmail.com\n* smtp:[10.0.0.1]", "hotmail.com\r", "a\tb.com",
                "x".repeat(300) + ".com", "*", "hotmail", "-bad.com", "bad-.com", "a..com", "", "smtp:[1.2.3.4]",
                "hotmail.com smtp:[1.2.3.4]", "a_b.com", ("a".repeat(60) + ".").repeat(5) + "com")) {
            UsageException e = assertThrows(UsageException.class, () -> Domains.require(bad), bad);
            assertTrue(e.getMessage().startsWith("bad domain '"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void matchesLikeTransportFive() {
        List<String> d = List.of("hotmail.com", ".outlook.com");
        assertTrue(Domains.matches("u@HOTMAIL.com", d));
        assertFalse(Domains.matches("u@sub.hotmail.com", d));
        assertTrue(Domains.matches("u@eu.outlook.com", d));
        assertFalse(Domains.matches("u@outlook.com", d));
        assertFalse(Domains.matches("u@example.org", d));
        assertFalse(Domains.matches("postmaster", d));
    }
}
