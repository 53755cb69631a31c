package org.mfshell.mail;

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
    void refusesIpAddressesAndAddressLiterals() {
        for (String ip : List.of("1.2.3.4", "[1.2.3.4]", "1.2.3.4.", ".1.2.3.4", "2001:db8::25", "[2001:db8::25]",
                "[IPv6:2001:db8::25]", "::1", "10.0.0.300", "example.123")) {
            UsageException e = assertThrows(UsageException.class, () -> Domains.require(ip), ip);
            assertTrue(e.getMessage().startsWith("bad domain '" + ip + "': "), e.getMessage());
        }
        assertTrue(assertThrows(UsageException.class, () -> Domains.require("[1.2.3.4]")).getMessage()
                .contains("an IP address is not a domain"));
        assertEquals("123.example", Domains.require("123.example"));
    }

    @Test
    void echoedTextIsQuotedWithControlsEscaped() {
        UsageException e = assertThrows(UsageException.class, () -> Domains.require("hotmail.com\n* smtp:[10.0.0.1]\u001b[2J"));
        assertEquals("bad domain 'hotmail.com\\n* smtp:[10.0.0.1]\\x1b[2J': contains a space or control character",
                e.getMessage());
    }

    @Test
    void coversIsTheRuleMailqAndFlushShare() {
        assertTrue(Domains.covers("hotmail.com", "HOTMAIL.COM."));
        assertFalse(Domains.covers("hotmail.com", "eu.hotmail.com"));
        assertTrue(Domains.covers(".hotmail.com", "eu.hotmail.com"));
        assertFalse(Domains.covers("hotmail.com", ""));
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
