package org.mfshell.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DnsClient against a real NSD (127.0.72.3) and a resolver that never answers (127.0.72.4):
 * answers and negative TTLs as the server gives them, PTR targets, a second server taking over
 * from a silent first one (resolv.conf with two nameserver lines), and the time bound.
 */
class DnsClientTest {
    static DnsServer nsd;
    static DatagramSocket silent;
    static InetSocketAddress silentAddress;

    @BeforeAll
    static void up() throws Exception {
        DnsServer.requireAvailable();
        Path dir = Files.createTempDirectory("mfshell-dnsclient");
        String host = DnsServer.prefix() + ".3";
        nsd = DnsServer.start(dir, host, LabZones.zones("127.0.71", host));
        silent = DnsServer.silentResolver(DnsServer.prefix() + ".4");
        silentAddress = new InetSocketAddress(DnsServer.prefix() + ".4", 53);
    }

    @AfterAll
    static void down() throws Exception {
        if (silent != null) {
            silent.close();
        }
        if (nsd != null) {
            nsd.close();
        }
    }

    @Test
    void answersNegativeTtlsAndPtrTargets() {
        DnsClient c = new DnsClient(List.of(nsd.address()), Duration.ofSeconds(2), null);
        DnsAnswer a = c.query("msn.smtp.lab.invalid", RecordType.A).join();
        assertEquals(DnsAnswer.Status.OK, a.status());
        assertEquals(List.of("127.0.71.4", "127.0.71.5"), a.data().stream().sorted().toList());
        assertEquals(600, a.ttl());
        DnsAnswer nx = c.query("nosuch.lab.invalid.", RecordType.A).join();
        assertEquals(DnsAnswer.Status.NXDOMAIN, nx.status());
        assertEquals(300, nx.ttl(), "min(SOA TTL 3600, SOA minimum 300)");
        DnsAnswer nodata = c.query("msn.smtp.lab.invalid", RecordType.AAAA).join();
        assertEquals(DnsAnswer.Status.NODATA, nodata.status());
        DnsAnswer ptr = c.query("5.71.0.127.in-addr.arpa", RecordType.PTR).join();
        assertEquals(List.of("mail5.lab.invalid"), ptr.data());
        DnsAnswer refused = c.query("example.org", RecordType.A).join();
        assertEquals(DnsAnswer.Status.FAILED, refused.status(), "NSD refuses names outside its zones");
        assertEquals("REFUSED", refused.error());
    }

    @Test
    void aSecondServerAnswersWhenTheFirstIsSilentAndASilentOneEndsInTime() {
        Duration t = Duration.ofSeconds(1);
        DnsClient both = new DnsClient(List.of(silentAddress, nsd.address()), t, null);
        long t0 = System.nanoTime();
        DnsAnswer a = both.query("aol.smtp.lab.invalid", RecordType.A).join();
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(List.of("127.0.71.2"), a.data(), a.toString());
        assertTrue(s < 2 * t.toSeconds() + 1.0, "took " + s + " s");

        DnsClient none = new DnsClient(List.of(silentAddress), t, null);
        t0 = System.nanoTime();
        DnsAnswer f = none.query("aol.smtp.lab.invalid", RecordType.A).join();
        s = (System.nanoTime() - t0) / 1e9;
        assertEquals(DnsAnswer.Status.FAILED, f.status());
        assertEquals("timeout", f.error());
        assertTrue(s >= 0.9 && s < t.toSeconds() + 1.0, "took " + s + " s");
    }
}
