package org.mfshell.flush;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.mfshell.core.MfshellException;

/**
 * Checks that an SMTP server answers: connects (optionally from a given local address, the way
 * the source instance will), reads the 220 greeting (multi-line allowed), says QUIT. Only
 * address literals are used, so no DNS.
 *
 * <p>Errors: {@link MfshellException} naming the address and what went wrong (refused, timeout,
 * a non-220 greeting).
 */
public final class SmtpProbe {
    private SmtpProbe() {
    }

    /** Returns the greeting's last line, e.g. {@code 220 msn-b.lab.invalid ESMTP Postfix}. */
    public static String banner(String ip, int port, String fromIp, Duration timeout) {
        String where = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
        try (Socket s = new Socket()) {
            if (fromIp != null) {
                try {
                    s.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
                } catch (IOException e) {
                    // Not an address of this host (a test box): connect from the default address.
                }
            }
            s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            String last = null;
            while ((line = in.readLine()) != null) {
                last = line;
                if (line.length() < 4 || line.charAt(3) != '-') {
                    break;
                }
            }
            OutputStream out = s.getOutputStream();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (last == null) {
                throw new MfshellException("no SMTP greeting from " + where + " (connection closed)");
            }
            if (!last.startsWith("220")) {
                throw new MfshellException("SMTP server at " + where + " does not accept mail: " + last);
            }
            return last;
        } catch (SocketTimeoutException e) {
            throw new MfshellException("no SMTP answer from " + where + " within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new MfshellException("no SMTP server answers at " + where + ": " + e.getMessage());
        }
    }
}
