package org.mfshell.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.health.Verdict;

/** The built-in DNSBL lists and code tables, the lists file's errors, --resolver and resolv.conf reading. */
class DnsblListsTest {
    @TempDir
    Path dir;

    @Test
    void builtInListsReadSpamhausCodesAndRefusals() {
        DnsblLists l = DnsblLists.builtIn();
        assertEquals(List.of("zen", "barracuda", "spamcop", "uceprotect1", "psbl"),
                l.lists().stream().map(DnsblLists.Dnsbl::name).toList());
        DnsblLists.Dnsbl zen = l.lists().get(0);
        assertEquals("zen.spamhaus.org", zen.zone());
        assertEquals(Map.of("msn", Verdict.BLOCKED, "aol", Verdict.BLOCKED, "therest", Verdict.BLOCKED,
                "earthlink", Verdict.DEGRADED), zen.usedBy());
        assertTrue(zen.read("127.0.0.2").listed());
        assertEquals("XBL (exploited host, CBL)", zen.read("127.0.0.4").meaning());
        assertEquals("PBL (Spamhaus: end-user range, not for direct mail)", zen.read("127.0.0.11").meaning());
        assertFalse(zen.read("127.255.255.254").listed());
        assertEquals("query refused (public or open resolver)", zen.read("127.255.255.254").meaning());
        assertFalse(zen.read("127.255.255.17").listed(), "the whole 127.255.255.0/24 is a refusal");
        assertNull(zen.read("127.0.0.99"), "a code the table does not know");
        assertNull(l.lists().get(2).read("127.0.0.4"), "spamcop answers only 127.0.0.2");
        assertEquals("4.15.66.216.zen.spamhaus.org", zen.queryName("216.66.15.4"));
        assertEquals("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org",
                zen.queryName("2001:db8::1"));
    }

    @Test
    void anUnknownCodeOrARefusalReadsUnknownNeverListed() {
        DnsblLists.Dnsbl zen = DnsblLists.builtIn().lists().get(0);
        DnsAnswer refused = new DnsAnswer("x", RecordType.A, DnsAnswer.Status.OK, List.of("127.255.255.254"), 60, null,
                false);
        assertEquals("unknown", DnsChecks.listing(zen, refused).status());
        DnsAnswer odd = new DnsAnswer("x", RecordType.A, DnsAnswer.Status.OK, List.of("127.0.0.99"), 60, null, false);
        assertEquals("unknown", DnsChecks.listing(zen, odd).status());
        assertEquals("127.0.0.99 is not in the spamhaus table", DnsChecks.listing(zen, odd).error());
        DnsAnswer mixed = new DnsAnswer("x", RecordType.A, DnsAnswer.Status.OK, List.of("127.0.0.99", "127.0.0.10"), 60,
                null, false);
        assertEquals("listed", DnsChecks.listing(zen, mixed).status());
        assertEquals("unknown", DnsChecks.listing(zen, DnsAnswer.failed("x", RecordType.A, "timeout")).status());
        DnsAnswer nx = new DnsAnswer("x", RecordType.A, DnsAnswer.Status.NXDOMAIN, List.of(), 60, null, false);
        assertEquals("not-listed", DnsChecks.listing(zen, nx).status());
    }

    @Test
    void aBrokenListsFileIsNamedWithItsLine() {
        MfshellException e = assertThrows(MfshellException.class, () -> DnsblLists.parse(new StringReader(
                "# mine\nlist zen zen.example.org spamhaus msn=BLOKKED\n"), "f"));
        assertEquals("f:2: expected GROUP=BLOCKED or GROUP=DEGRADED, not 'msn=BLOKKED'", e.getMessage());
        e = assertThrows(MfshellException.class, () -> DnsblLists.parse(new StringReader(
                "list zen zen.example.org nosuch msn=BLOCKED\n"), "f"));
        assertEquals("f:1: no 'code nosuch ...' lines for list zen", e.getMessage());
        e = assertThrows(MfshellException.class, () -> DnsblLists.parse(new StringReader(
                "code t 127.0.0.2 maybe: x\n"), "f"));
        assertEquals("f:1: the meaning must start with 'listed:' or 'unknown:'", e.getMessage());
        e = assertThrows(MfshellException.class, () -> DnsblLists.parse(new StringReader(
                "list a bad_zone t msn=BLOCKED\n"), "f"));
        assertEquals("f:1: bad zone 'bad_zone'", e.getMessage());
    }

    @Test
    void resolverAddressesAndResolvConf() throws Exception {
        assertEquals(new InetSocketAddress("127.0.72.1", 53), ResolverAddress.parse("127.0.72.1", "--resolver"));
        assertEquals(new InetSocketAddress("127.0.72.1", 5353), ResolverAddress.parse("127.0.72.1:5353", "--resolver"));
        assertEquals(new InetSocketAddress("::1", 5353), ResolverAddress.parse("[::1]:5353", "--resolver"));
        assertEquals(new InetSocketAddress("::1", 53), ResolverAddress.parse("::1", "--resolver"));
        for (String bad : List.of("dns.example.org", "127.0.0.1:0", "127.0.0.1:x", "[::1", "1.2.3.4:53:1", "")) {
            UsageException u = assertThrows(UsageException.class, () -> ResolverAddress.parse(bad, "--resolver"), bad);
            assertTrue(u.getMessage().startsWith("--resolver: bad resolver address '"), u.getMessage());
        }
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "# test\nsearch lab.invalid\nnameserver 127.0.72.1\nnameserver 127.0.72.2\n"
                + "options timeout:1 attempts:2\n");
        assertEquals(List.of(new InetSocketAddress("127.0.72.1", 53), new InetSocketAddress("127.0.72.2", 53)),
                DnsClient.resolvConfServers(conf));
        Files.writeString(conf, "search lab.invalid\n");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 53)), DnsClient.resolvConfServers(conf),
                "resolv.conf(5): no nameserver line means the local one");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 53)), DnsClient.resolvConfServers(dir.resolve("none")));
    }
}
