package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mfshell.core.MfshellException;

class RerouteTransportTest {
    // postconf -M smtp/unix as Postfix 3.7 prints the wiki's line.
    static final String BASE = "smtp       unix  -       -       n       -       -       smtp -o smtp_bind_address=127.0.3.1";

    @Test
    void copiesTheBaseServiceAndAddsSoftBounceAndOwnName() {
        String b = RerouteTransport.block(BASE, "msn-a", "msn-b", "mfshell-reroute-msn-a.relay.lab.invalid", "relay.lab.invalid",
                "127.0.3.1", true);
        assertEquals("# mfshell reroute transport for 'flush msn-a --to msn-b'; 'mfshell flush msn-a --restore' removes it\n"
                + "mfshell-reroute unix - - n - - smtp\n"
                + "  -o smtp_bind_address=127.0.3.1\n"
                + "  -o inet_interfaces=127.0.3.1\n"
                + "  -o proxy_interfaces=\n"
                + "  -o soft_bounce=yes\n"
                + "  -o myhostname=mfshell-reroute-msn-a.relay.lab.invalid\n"
                + "  -o smtp_helo_name=relay.lab.invalid\n", b);
        assertTrue(RerouteTransport.block(BASE, "msn-a", "msn-b", null, null, null, false).endsWith("  -o soft_bounce=yes\n"));
    }

    @Test
    void addThenRemoveGivesTheFileBackByteForByte() {
        String master = "smtp      inet  n       -       y       -       -       smtpd\n" + BASE + "\n#last comment\n";
        String block = RerouteTransport.block(BASE, "msn-a", "msn-b", null, null, null, false);
        String with = RerouteTransport.add(master, block);
        assertTrue(with.startsWith(master));
        assertEquals(master, RerouteTransport.remove(with));
        // No trailing newline in the original: add puts one, remove keeps it.
        assertEquals("a\n", RerouteTransport.remove(RerouteTransport.add("a", block)));
        assertThrows(MfshellException.class, () -> RerouteTransport.add(with, block));
        assertThrows(MfshellException.class, () -> RerouteTransport.remove(master));
    }

    @Test
    void refusesABaseThatIsNotAnSmtpClient() {
        assertThrows(MfshellException.class, () -> RerouteTransport.block("relay unix - - n - - lmtp", "a", "b", null, null, null, false));
    }
}
