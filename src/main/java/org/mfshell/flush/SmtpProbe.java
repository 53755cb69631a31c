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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.core.MfshellException;

/**
 * Talks SMTP to a target the way the source's SMTP client will, without sending mail: connects
 * from the source's sending address, reads the 220 greeting, says EHLO with the client's HELO
 * name, then MAIL FROM and one RCPT TO per address, RSET and QUIT (no DATA). Only address
 * literals are used, so no DNS.
 *
 * <p>Errors: {@link MfshellException} naming the address and what went wrong (refused, timeout,
 * a non-220 greeting, an unusable EHLO reply). Refusals of MAIL or RCPT are not errors: they come
 * back in the {@link Transcript}.
 */
public final class SmtpProbe {
    private SmtpProbe() {
    }

    /** What the server answered. {@code ehloFirstLine} is the reply's first line, e.g. {@code 250-msn-b.example}. */
    public record Transcript(String where, String greeting, String ehloFirstLine, String mailReply,
                             Map<String, String> rcptReplies, boolean boundToSource) {
        /** Recipients whose RCPT TO was not accepted (2xx), with the reply. */
        public Map<String, String> refused() {
            Map<String, String> out = new LinkedHashMap<>();
            rcptReplies.forEach((r, reply) -> {
                if (!reply.startsWith("2")) {
                    out.put(r, reply);
                }
            });
            return out;
        }

        public boolean mailAccepted() {
            return mailReply == null || mailReply.startsWith("2");
        }
    }

    /** Returns the greeting's last line, e.g. {@code 220 msn-b.lab.invalid ESMTP Postfix}. */
    public static String banner(String ip, int port, String fromIp, Duration timeout) {
        return talk(ip, port, fromIp, null, null, List.of(), timeout).greeting();
    }

    /**
     * The whole dialogue. {@code heloName} null stops after the greeting; {@code sender} null
     * stops after EHLO. {@code sender} "" is the null sender {@code <>}.
     */
    public static Transcript talk(String ip, int port, String fromIp, String heloName, String sender,
                                  List<String> recipients, Duration timeout) {
        String where = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
        try (Socket s = new Socket()) {
            boolean bound = false;
            if (fromIp != null) {
                try {
                    s.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
                    bound = true;
                } catch (IOException e) {
                    // Not an address of this host: connect from the default address (said in the transcript).
                }
            }
            s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            List<String> greeting = reply(in);
            if (greeting.isEmpty()) {
                throw new MfshellException("no SMTP greeting from " + where + " (connection closed)");
            }
            String greetLast = greeting.get(greeting.size() - 1);
            if (!greetLast.startsWith("220")) {
                send(out, "QUIT");
                throw new MfshellException("SMTP server at " + where + " does not accept mail: " + greetLast);
            }
            if (heloName == null) {
                send(out, "QUIT");
                return new Transcript(where, greetLast, null, null, Map.of(), bound);
            }
            send(out, "EHLO " + heloName);
            List<String> ehlo = reply(in);
            if (ehlo.isEmpty() || !ehlo.get(0).startsWith("250")) {
                send(out, "QUIT");
                throw new MfshellException("SMTP server at " + where + " refused EHLO " + heloName + ": "
                        + (ehlo.isEmpty() ? "connection closed" : ehlo.get(ehlo.size() - 1)));
            }
            String mailReply = null;
            Map<String, String> rcpt = new LinkedHashMap<>();
            if (sender != null) {
                send(out, "MAIL FROM:<" + sender + ">");
                mailReply = last(reply(in));
                if (mailReply.startsWith("2")) {
                    for (String r : recipients) {
                        send(out, "RCPT TO:<" + r + ">");
                        rcpt.put(r, last(reply(in)));
                    }
                }
                send(out, "RSET");
                reply(in);
            }
            send(out, "QUIT");
            return new Transcript(where, greetLast, ehlo.get(0), mailReply, rcpt, bound);
        } catch (SocketTimeoutException e) {
            throw new MfshellException("no SMTP answer from " + where + " within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new MfshellException("no SMTP server answers at " + where + ": " + e.getMessage());
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String last(List<String> reply) {
        return reply.isEmpty() ? "(connection closed)" : reply.get(reply.size() - 1);
    }

    /** One reply: lines until one whose fourth character is not '-'. */
    private static List<String> reply(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        return lines;
    }
}
