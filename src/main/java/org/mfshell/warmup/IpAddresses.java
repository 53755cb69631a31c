package org.mfshell.warmup;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.mfshell.core.UsageException;
import org.mfshell.core.Quote;

/**
 * Checks IP address literals before they reach a zone line: dotted-quad IPv4 (no leading zeros)
 * or an IPv6 literal. Never resolves names. Errors: {@link UsageException} naming the option.
 */
public final class IpAddresses {
    private static final Pattern V4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpAddresses() {
    }

    public static boolean isV4(String ip) {
        return ip != null && V4.matcher(ip).matches();
    }

    /** The address as it goes into a zone line (IPv6 in Java's full lower-case form). */
    public static String require(String ip, String what) {
        if (isV4(ip)) {
            return ip;
        }
        if (ip != null && ip.contains(":") && V6.matcher(ip).matches()) {
            try {
                InetAddress a = InetAddress.getByName(ip);
                if (a instanceof Inet6Address) {
                    return a.getHostAddress();
                }
            } catch (UnknownHostException e) {
                // fall through to the usage error
            }
        }
        throw new UsageException(what + ": bad IP address " + Quote.quote(ip) + " (e.g. 216.66.15.4 or 2001:db8::25)");
    }

    /** Record type for an address: A or AAAA. */
    public static String recordType(String ip) {
        return isV4(ip) ? "A" : "AAAA";
    }

    /** The reverse-zone owner name: {@code 4.15.66.216.in-addr.arpa.} or the ip6.arpa nibble form. */
    public static String reverseName(String ip) {
        if (isV4(ip)) {
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
}
