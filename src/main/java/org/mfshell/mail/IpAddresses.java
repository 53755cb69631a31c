package org.mfshell.mail;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;

/**
 * The one IP address rule: IPv4/IPv6 address literals (dotted quad without leading zeros, IPv6
 * literals), the address side of Postfix's {@code mynetworks}, map nexthops, and the forms a DNS
 * zone line wants (record type, reverse name). Only literals are accepted: nothing here ever asks
 * DNS (InetAddress is given pre-checked text). Used by flush and warmup alike.
 *
 * <p>Errors: {@link UsageException} for text that is not an address literal, naming the option.
 */
public final class IpAddresses {
    private static final Pattern V4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern V6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpAddresses() {
    }

    public static boolean isIpv4(String s) {
        return s != null && V4.matcher(s).matches();
    }

    public static boolean isIpv6(String s) {
        if (s == null || !V6_CHARS.matcher(s).matches() || !s.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public static boolean isIp(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    /** Validates an address literal ({@code [..]} brackets allowed around IPv6); returns it without brackets. */
    public static String require(String s, String what) {
        String t = s == null ? "" : s;
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (!isIp(t)) {
            throw new UsageException(what + ": '" + s + "' is not an IPv4 or IPv6 address");
        }
        return t;
    }

    /**
     * Validates an address for a zone line (no brackets) and returns it as it goes there: IPv4 as
     * given, IPv6 in Java's full lower-case form.
     */
    public static String requireForZone(String ip, String what) {
        if (isIpv4(ip)) {
            return ip;
        }
        if (isIpv6(ip)) {
            try {
                return InetAddress.getByName(ip).getHostAddress();
            } catch (UnknownHostException e) {
                // fall through to the usage error
            }
        }
        throw new UsageException(what + ": bad IP address " + Quote.quote(ip) + " (e.g. 216.66.15.4 or 2001:db8::25)");
    }

    /** Record type for an address: A or AAAA. */
    public static String recordType(String ip) {
        return isIpv4(ip) ? "A" : "AAAA";
    }

    /** The reverse-zone owner name: {@code 4.15.66.216.in-addr.arpa.} or the ip6.arpa nibble form. */
    public static String reverseName(String ip) {
        if (isIpv4(ip)) {
            String[] o = ip.split("\\.");
            return o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa.";
        }
        try {
            byte[] b = InetAddress.getByName(ip).getAddress();
            StringBuilder sb = new StringBuilder();
            for (int i = b.length - 1; i >= 0; i--) {
                sb.append(Character.forDigit(b[i] & 0xF, 16)).append('.').append(Character.forDigit((b[i] >> 4) & 0xF, 16))
                        .append('.');
            }
            return sb.append("ip6.arpa.").toString();
        } catch (UnknownHostException e) {
            throw new UsageException("bad IP address " + Quote.quote(ip));
        }
    }

    /** The map nexthop for a relay to {@code ip} on port 25: {@code smtp:[1.2.3.4]} or {@code smtp:[ipv6:2001:db8::1]}. */
    public static String nexthop(String ip) {
        return isIpv6(ip) ? "smtp:[ipv6:" + ip + "]" : "smtp:[" + ip + "]";
    }

    /** Result of matching an address against a mynetworks value. */
    public record NetworkMatch(boolean admitted, String matchedEntry, List<String> unevaluated) {
    }

    /**
     * Whether {@code ip} is admitted by a mynetworks list (entries separated by space or comma):
     * {@code net/len}, a bare address, {@code [ipv6]/len}, and {@code !entry} exclusions, first
     * match wins as in Postfix's match lists. Table lookups ({@code type:name}), file names and
     * host names cannot be evaluated here; they are returned in {@code unevaluated}.
     */
    public static NetworkMatch inNetworks(String ip, List<String> entries) {
        List<String> unevaluated = new ArrayList<>();
        byte[] addr = bytes(ip);
        for (String raw : entries) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            boolean negate = e.startsWith("!");
            if (negate) {
                e = e.substring(1);
            }
            String net = e;
            int len = -1;
            int slash = e.lastIndexOf('/');
            if (slash > 0 && e.substring(slash + 1).matches("\\d{1,3}")) {
                net = e.substring(0, slash);
                len = Integer.parseInt(e.substring(slash + 1));
            }
            if (net.startsWith("[") && net.endsWith("]")) {
                net = net.substring(1, net.length() - 1);
            }
            if (!isIp(net)) {
                unevaluated.add(raw);
                continue;
            }
            byte[] n = bytes(net);
            if (n.length != addr.length) {
                continue;
            }
            if (len < 0) {
                len = n.length * 8;
            }
            if (len > n.length * 8) {
                unevaluated.add(raw);
                continue;
            }
            if (prefixEquals(addr, n, len)) {
                return new NetworkMatch(!negate, raw, unevaluated);
            }
        }
        return new NetworkMatch(false, null, unevaluated);
    }

    private static boolean prefixEquals(byte[] a, byte[] b, int len) {
        if (len == 0) {
            return true;
        }
        BigInteger x = new BigInteger(1, a);
        BigInteger y = new BigInteger(1, b);
        int shift = a.length * 8 - len;
        return x.shiftRight(shift).equals(y.shiftRight(shift));
    }

    private static byte[] bytes(String ip) {
        try {
            return InetAddress.getByName(require(ip, "address")).getAddress();
        } catch (UnknownHostException e) {
            throw new UsageException("'" + ip + "' is not an IPv4 or IPv6 address");
        }
    }
}
