package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.dns.DnsReport;
import org.mfshell.dns.DnsReport.IpCheck;
import org.mfshell.dns.DnsReport.RelayAddress;
import org.mfshell.dns.DnsReport.RelayName;
import org.mfshell.health.Verdict;

/** The flags of {@code relays} from a report: every address BLOCKED, an address of no running instance, no records. */
class RelaysCommandTest {
    private static IpCheck ip(String ip, String instance, Map<String, Verdict> listing) {
        return new IpCheck(ip, List.of(instance), Map.of(instance, instance + ".example"), List.of(), "none", null, null,
                null, Map.of(), List.of(), List.of(), listing, List.of());
    }

    @Test
    void flagsARelayNameWhoseAddressesAreAllBlockedOrNotRunning() {
        DnsReport report = new DnsReport("127.0.0.1:53", 3000, "test", List.of(
                ip("192.0.2.4", "msn-a", Map.of("msn", Verdict.BLOCKED)), ip("192.0.2.5", "msn-b", Map.of())),
                List.of(new RelayName("msn.smtp.example", "msn", "ok", null, List.of(
                                new RelayAddress("192.0.2.4", 600, 0.5, List.of("msn-a"), true),
                                new RelayAddress("192.0.2.5", 600, 0.5, List.of("msn-b"), true))),
                        new RelayName("aol.smtp.example", "aol", "ok", null, List.of(
                                new RelayAddress("192.0.2.9", 600, 1.0, List.of(), false))),
                        new RelayName("earthlink.smtp.example", "earthlink", "nxdomain", null, List.of()),
                        new RelayName("therest.smtp.example", "therest", "unknown", "timeout", List.of())));
        // msn-b's log says BLOCKED for msn too: every msn address is then BLOCKED.
        List<RelaysCommand.Relay> r = RelaysCommand.relays(report, Map.of("msn-b", Map.of("msn", Verdict.BLOCKED)));
        assertEquals(List.of("every address is BLOCKED for msn"), r.get(0).flags());
        assertEquals(List.of("192.0.2.9 belongs to no running instance here"), r.get(1).flags());
        assertEquals(List.of("no A/AAAA records (nxdomain)"), r.get(2).flags());
        assertEquals(List.of("records unknown (timeout)"), r.get(3).flags());
        assertEquals(List.of(), RelaysCommand.relays(report, Map.of()).get(0).flags(), "msn-b OK: msn keeps one");
    }
}
