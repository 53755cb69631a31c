package org.mfshell.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

class IpAddressesTest {
    @Test
    void literalsOnly() {
        assertTrue(IpAddresses.isIpv4("216.66.15.4"));
        assertFalse(IpAddresses.isIpv4("216.66.15.256"));
        assertFalse(IpAddresses.isIpv4("216.66.15"));
        assertTrue(IpAddresses.isIpv6("2001:db8::1"));
        assertTrue(IpAddresses.isIpv6("::1"));
        assertFalse(IpAddresses.isIpv6("localhost"));
        assertFalse(IpAddresses.isIp("msn.smtp.mayfirst.org"));
        assertEquals("2001:db8::1", IpAddresses.require("[2001:db8::1]", "x"));
        assertThrows(UsageException.class, () -> IpAddresses.require("1.2.3.4\n", "x"));
    }

    @Test
    void nexthopIsBracketed() {
        assertEquals("smtp:[216.66.15.4]", IpAddresses.nexthop("216.66.15.4"));
        assertEquals("smtp:[ipv6:2001:db8::1]", IpAddresses.nexthop("2001:db8::1"));
    }

    @Test
    void mynetworksCidrFirstMatchWins() {
        assertTrue(IpAddresses.inNetworks("127.0.6.4", List.of("127.0.0.0/8")).admitted());
        assertEquals("127.0.6.4", IpAddresses.inNetworks("127.0.6.4", List.of("10.0.0.0/8", "127.0.6.4")).matchedEntry());
        assertFalse(IpAddresses.inNetworks("209.51.172.9", List.of("127.0.0.0/8", "[::1]/128")).admitted());
        assertTrue(IpAddresses.inNetworks("209.51.172.9", List.of("209.51.172.0/24")).admitted());
        assertFalse(IpAddresses.inNetworks("209.51.173.9", List.of("209.51.172.0/24")).admitted());
        assertFalse(IpAddresses.inNetworks("10.1.2.3", List.of("!10.1.2.0/24", "10.0.0.0/8")).admitted());
        assertTrue(IpAddresses.inNetworks("2001:db8::5", List.of("[2001:db8::]/32")).admitted());
        assertTrue(IpAddresses.inNetworks("1.2.3.4", List.of("0.0.0.0/0")).admitted());
        IpAddresses.NetworkMatch m = IpAddresses.inNetworks("1.2.3.4", List.of("hash:/etc/postfix/network_table", "mail.example"));
        assertFalse(m.admitted());
        assertEquals(2, m.unevaluated().size());
    }
}
