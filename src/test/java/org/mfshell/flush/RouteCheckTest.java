package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** transport(5)'s lookup order, key-major and map-minor, as src/trivial-rewrite/transport.c does it. */
class RouteCheckTest {
    private final RouteCheck rc = new RouteCheck(false, "+");

    @Test
    void keysInPostfixOrder() {
        assertEquals(List.of("user+list@mail.hotmail.com", "user@mail.hotmail.com", "mail.hotmail.com", ".hotmail.com",
                ".com"), rc.keysOf("User+list@Mail.Hotmail.com"));
        assertEquals(List.of("a@b.example", "b.example", "example"),
                new RouteCheck(true, "").keysOf("a@b.example"), "parent style: parent names without the dot");
    }

    @Test
    void firstMapWinsForTheSameKeyButAMoreSpecificKeyWinsOverMapOrder() {
        LinkedHashMap<String, Map<String, String>> hits = new LinkedHashMap<>();
        hits.put("hash:relay", Map.of("hotmail.com", "mfshell-reroute:[127.0.3.2]", "*", "mfshell-reroute:[127.0.3.2]"));
        hits.put("hash:own", Map.of("hotmail.com", "smtp:[192.0.2.1]", "vip@hotmail.com", "smtp:[192.0.2.9]",
                "example.net", "smtp:[192.0.2.5]"));
        Map<String, RouteCheck.Route> r = rc.resolve(List.of("a@hotmail.com", "vip@hotmail.com", "x@example.net",
                "y@other.org"), hits);
        assertEquals("hash:relay", r.get("a@hotmail.com").map(), "relay map first: its domain key wins");
        assertEquals("hash:own", r.get("vip@hotmail.com").map(), "a full-address key is tried before any domain key");
        assertEquals("smtp:[192.0.2.5]", r.get("x@example.net").value(), "the own map's domain beats the relay map's *");
        assertEquals("*", r.get("y@other.org").key());
    }

    @Test
    void appendedRelayMapIsShadowedAsOnTheHandMadeRelay() {
        LinkedHashMap<String, Map<String, String>> hits = new LinkedHashMap<>();
        hits.put("hash:own", Map.of("example.net", "smtp:[192.0.2.5]"));
        hits.put("hash:relay", Map.of("example.net", "mfshell-reroute:[127.0.3.2]"));
        assertEquals("hash:own", rc.resolve(List.of("u@example.net"), hits).get("u@example.net").map());
        assertNull(rc.resolve(List.of("u@nowhere.test"), hits).get("u@nowhere.test").map(), "no entry: default transport");
    }

    @Test
    void aPatternMapIsAskedOnlyWholeAddressesAndTheWildcard() {
        LinkedHashMap<String, Map<String, String>> hits = new LinkedHashMap<>();
        hits.put("hash:relay", Map.of("*", "mfshell-reroute:[127.0.3.2]"));
        // postmap -q answers every key for a regexp map; trivial-rewrite asks it the address only.
        hits.put("pcre:own", Map.of("hotmail.com", "smtp:[192.0.2.1]", "vip@hotmail.com", "smtp:[192.0.2.9]"));
        Map<String, RouteCheck.Route> r = rc.resolve(List.of("a@hotmail.com", "vip@hotmail.com"), hits);
        assertEquals("hash:relay", r.get("a@hotmail.com").map(), "the domain key is never put to a pcre map");
        assertEquals("pcre:own", r.get("vip@hotmail.com").map(), "the whole address is");
        assertTrue(RouteCheck.isPattern("proxy:regexp:/etc/postfix/t.re"));
    }

    @Test
    void mapsOfAnExpandedTransportMapsValue() {
        assertEquals(List.of("hash:/etc/postfix-aol-a/transport.relay", "hash:/etc/postfix-aol-a/transport", "lmdb:/x"),
                RouteCheck.maps("hash:/etc/postfix-aol-a/transport.relay, /etc/postfix-aol-a/transport lmdb:/x", "hash"));
    }
}
