package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RerouteGraphTest {
    @Test
    void reverseRerouteOfTheSameDomainIsACycle() {
        RerouteGraph g = new RerouteGraph();
        g.add(new RerouteGraph.Edge("msn-b", "msn-a", List.of("hotmail.com"), "journal running"));
        assertEquals(1, g.cycle("msn-a", "msn-b", List.of("hotmail.com")).size());
        assertEquals(1, g.cycle("msn-a", "msn-b", List.of()).size(), "* includes hotmail.com");
        assertTrue(g.cycle("msn-a", "msn-b", List.of("aol.com")).isEmpty(), "disjoint domains do not loop");
    }

    @Test
    void longerCyclesAndSubdomains() {
        RerouteGraph g = new RerouteGraph();
        g.add(new RerouteGraph.Edge("b", "c", List.of(".hotmail.com"), "x"));
        g.add(new RerouteGraph.Edge("c", "a", List.of(), "x"));
        assertEquals(2, g.cycle("a", "b", List.of("mail.hotmail.com")).size());
        assertTrue(g.cycle("a", "b", List.of("outlook.com")).isEmpty());
        assertTrue(g.cycle("a", "c", List.of("x.org")).size() == 1);
    }
}
