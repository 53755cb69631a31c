package org.mfshell.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.mfshell.core.UsageException;
import org.mfshell.mail.IpAddresses;

/**
 * Reads {@code --resolver IP[:PORT]}: {@code 127.0.0.53}, {@code 127.0.0.53:5353}, {@code ::1},
 * {@code [::1]:5353}. Names are refused (resolving a resolver's name needs a resolver). Errors:
 * {@link UsageException} naming the option.
 */
public final class ResolverAddress {
    private ResolverAddress() {
    }

    public static InetSocketAddress parse(String text, String what) {
        String host = text == null ? "" : text.trim();
        int port = 53;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw bad(text, what);
            }
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw bad(text, what);
                }
                port = port(rest.substring(1), text, what);
            }
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            port = port(host.substring(host.indexOf(':') + 1), text, what);
            host = host.substring(0, host.indexOf(':'));
        }
        String ip;
        try {
            ip = IpAddresses.requireForZone(host, what);
        } catch (UsageException e) {
            throw bad(text, what);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw bad(text, what);
        }
    }

    private static int port(String p, String text, String what) {
        try {
            int n = Integer.parseInt(p);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the usage error below
        }
        throw bad(text, what);
    }

    private static UsageException bad(String text, String what) {
        return new UsageException(what + ": bad resolver address '" + text + "' (IP or IP:PORT, e.g. 127.0.0.53 or "
                + "[::1]:5353)");
    }
}
