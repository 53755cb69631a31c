package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.flush.FlushService;
import org.mfshell.health.HealthReport.Suggestion;

class RerouteNotesTest {
    static final FlushService.Reroute HOTMAIL = new FlushService.Reroute("msn-a", "msn-b", "127.0.9.5",
            List.of("hotmail.com"), "2026-12-02T10:02:00Z", "root", "active", null, true);

    @Test
    void rerouteCellNamesTargetAndDomains() {
        RerouteNotes n = new RerouteNotes(List.of(HOTMAIL));
        assertEquals("-> msn-b hotmail.com", n.cell("msn-a", true));
        assertEquals("-", n.cell("msn-b", false));
        assertEquals("ACTIVE", n.cell("aol-a", true), "a reroute the flush journals do not know");
    }

    @Test
    void aSuggestionForAReroutedInstanceSaysWhatIsLeftAndHowToMoveIt() {
        RerouteNotes n = new RerouteNotes(List.of(HOTMAIL));
        Suggestion s = new Suggestion("msn-a", "msn", "msn-b", List.of("hotmail.com", "outlook.com"),
                "flush msn-a --to msn-b --domain hotmail.com --domain outlook.com");
        assertEquals(List.of("msn-a -> msn-b active for hotmail.com since 2026-12-02T10:02:00Z",
                "  outlook.com still deferred at msn-a; a second reroute of one instance is refused, so restore and "
                        + "reroute all of them:",
                "    flush msn-a --restore",
                "    flush msn-a --to msn-b --domain hotmail.com --domain outlook.com"), n.advice(s));
        Suggestion covered = new Suggestion("msn-a", "msn", "msn-b", List.of("hotmail.com"), "x");
        assertEquals("  the blocked domains are rerouted already; nothing more to do", n.advice(covered).get(1));
        assertEquals(List.of(), n.advice(new Suggestion("aol-a", "aol", "aol-b", List.of("aol.com"), "x")));
    }
}
