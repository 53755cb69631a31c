package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Postfix's loop rule (src/smtp/smtp_proto.c, smtp_addr.c, smtp_connect.c) on real reply lines. */
class LoopRuleTest {
    @Test
    void ehloReplyWithTheClientsOwnNameLoopsOnPort25Only() {
        // What Postfix 3.7's smtpd answers to EHLO, first line.
        String ehlo = "250-relay.lab.invalid";
        assertTrue(LoopRule.ehloLoops(ehlo, "relay.lab.invalid", 25));
        assertTrue(LoopRule.ehloLoops(ehlo, "RELAY.lab.INVALID", 25), "case-insensitive, as strcasecmp");
        assertFalse(LoopRule.ehloLoops(ehlo, "relay.lab.invalid", 2525), "no loop detection off port 25");
        assertFalse(LoopRule.ehloLoops("250-msn-b.lab.invalid", "relay.lab.invalid", 25));
        assertFalse(LoopRule.ehloLoops("250-relay.lab.invalid.example", "relay.lab.invalid", 25), "whole word only");
        assertTrue(LoopRule.ehloLoops("250 relay.lab.invalid", "relay.lab.invalid", 25), "one-line reply");
    }

    @Test
    void greetingNamingTheClientIsNoticedButIsNotTheFailure() {
        assertTrue(LoopRule.greetingNamesMe("220 relay.lab.invalid ESMTP Postfix (Debian/GNU)", "relay.lab.invalid"));
        assertFalse(LoopRule.greetingNamesMe("220 msn-b.lab.invalid ESMTP", "relay.lab.invalid"));
        assertEquals("relay.lab.invalid", LoopRule.firstWord("220-relay.lab.invalid ESMTP"));
        assertEquals("", LoopRule.firstWord("220"));
    }

    @Test
    void nextHopOnOneOfTheClientsOwnInterfaces() {
        assertTrue(LoopRule.addressIsMine("127.0.3.2", List.of("127.0.3.2"), 25));
        assertTrue(LoopRule.addressIsMine("127.0.3.2", List.of("[127.0.3.2]"), 25));
        assertTrue(LoopRule.addressIsMine("192.0.2.7", List.of("all"), 25), "all: every address of the host");
        assertTrue(LoopRule.addressIsMine("127.0.0.1", List.of("loopback-only"), 25));
        assertFalse(LoopRule.addressIsMine("127.0.3.2", List.of("loopback-only"), 25));
        assertFalse(LoopRule.addressIsMine("127.0.3.2", List.of("127.0.3.1"), 25));
        assertFalse(LoopRule.addressIsMine("127.0.3.2", List.of("all"), 587));
    }
}
