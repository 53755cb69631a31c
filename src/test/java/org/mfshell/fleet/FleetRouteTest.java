package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

/** Which host a fleet line goes to, and whether it is merged, passed through or handed to the local one-shot path. */
class FleetRouteTest {
    private static final List<String> FLEET = List.of("rustin", "cleveland", "root@cleveland.example.org");

    private static FleetRoute.Route route(String... words) {
        return FleetRoute.of(FLEET, List.of(words));
    }

    @Test
    void hostInstanceGoesToThatHostWithThePrefixTakenOff() {
        FleetRoute.Route r = route("mailq", "cleveland:msn-a", "--json");
        assertEquals(FleetRoute.Kind.ONE_HOST, r.kind());
        assertEquals("cleveland", r.host());
        assertEquals(List.of("mailq", "msn-a", "--json"), r.words());

        r = route("flush", "cleveland:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes");
        assertEquals(FleetRoute.Kind.ONE_HOST, r.kind());
        assertEquals("cleveland", r.host());
        assertEquals(List.of("flush", "msn-a", "--to", "msn-b", "--domain", "hotmail.com", "--yes"), r.words());

        r = route("flush", "rustin:msn-a", "--to=rustin:msn-b");
        assertEquals(List.of("flush", "msn-a", "--to=msn-b"), r.words());
        assertEquals("rustin", r.host());
    }

    @Test
    void theLongestHostWinsAndAnUnknownPrefixIsAPlainWord() {
        FleetRoute.Route r = route("show", "root@cleveland.example.org:msn-a", "ABC123");
        assertEquals("root@cleveland.example.org", r.host());
        assertEquals(List.of("show", "msn-a", "ABC123"), r.words());
        assertEquals("cleveland", FleetRoute.hostOf(FLEET, "cleveland:x"));
        assertNull(FleetRoute.hostOf(FLEET, "cleveland:"));
        assertNull(FleetRoute.hostOf(FLEET, "elsewhere:msn-a"));
        assertNull(FleetRoute.hostOf(FLEET, "10:00"));
        FleetRoute.Route t = route("health", "--since", "10:00");
        assertEquals(FleetRoute.Kind.MERGED, t.kind());
        assertEquals(List.of("health", "--since", "10:00"), t.words());
    }

    @Test
    void twoHostsGoToTheLocalOneShotPathUnchanged() {
        FleetRoute.Route r = route("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com");
        assertEquals(FleetRoute.Kind.CROSS_HOST, r.kind());
        assertNull(r.host());
        assertEquals(List.of("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com"), r.words());
    }

    @Test
    void noHostNamedMergesOrNeedsOneHost() {
        for (String cmd : FleetRoute.MERGED) {
            assertEquals(FleetRoute.Kind.MERGED, route(cmd, "--json").kind(), cmd);
        }
        assertEquals(FleetRoute.Kind.MERGED, route("mailq").kind());
        UsageException e = assertThrows(UsageException.class, () -> route("mailq", "msn-a"));
        assertTrue(e.getMessage().startsWith("--on: mailq runs on one host at a time (got 3: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("name the instance as HOST:INSTANCE, e.g. rustin:msn-a"), e.getMessage());
        assertThrows(UsageException.class, () -> route("hold", "msn-a", "ABC", "--yes"));
        FleetRoute.Route one = FleetRoute.of(List.of("rustin"), List.of("hold", "msn-a", "ABC", "--yes"));
        assertEquals(FleetRoute.Kind.ONE_HOST, one.kind());
        assertEquals("rustin", one.host());
        assertEquals(List.of("hold", "msn-a", "ABC", "--yes"), one.words());
        UsageException n = assertThrows(UsageException.class, () -> route("lab", "up"));
        assertTrue(n.getMessage().startsWith("--on: 'lab' is not run across hosts"), n.getMessage());
        assertThrows(UsageException.class, () -> FleetRoute.of(FLEET, List.of()));
    }
}
