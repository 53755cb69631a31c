package org.mfshell.flush;

import java.util.List;
import java.util.Locale;

/**
 * Postfix's own "loops back to myself" rule for an SMTP client, as src/smtp reads it (Postfix
 * 3.7 to 3.12, the same code): loop detection is on only when the client talks SMTP to port 25
 * (smtp_connect.c: {@code if (ntohs(port) == IPPORT_SMTP) misc_flags |= SMTP_MISC_FLAG_LOOP_DETECT}).
 * Then
 * <ol>
 *   <li>a next-hop address that is one of the client's own {@code inet_interfaces} or
 *       {@code proxy_interfaces} fails before connecting (smtp_addr.c, smtp_host_addr then
 *       smtp_find_self: 5.4.6 "mail for X loops back to myself");</li>
 *   <li>a 220 greeting whose first word is the client's {@code myhostname} (case-insensitive)
 *       is only logged ("host X greeted me with my own hostname H", smtp_proto.c);</li>
 *   <li>an EHLO reply whose first line's first word is the client's {@code myhostname} fails
 *       the delivery (smtp_proto.c: "replied to HELO/EHLO with my own hostname", then
 *       smtp_site_fail with 5.4.6 for the best MX, as a bracketed [IP] next hop always is, else
 *       4.4.6): the recipient bounces.</li>
 * </ol>
 * The name compared is the client process's {@code myhostname}, after any master.cf
 * {@code -o myhostname=} of its service; {@code smtp_helo_name} plays no part.
 */
public final class LoopRule {
    private LoopRule() {
    }

    /** Whether Postfix's SMTP client turns loop detection on for this port. */
    public static boolean detects(int port) {
        return port == 25;
    }

    /** The first word of an SMTP reply line after its code and separator, or "" ({@code 250-host.example Hello}). */
    public static String firstWord(String replyLine) {
        if (replyLine == null || replyLine.length() < 4) {
            return "";
        }
        String rest = replyLine.substring(4).trim();
        int sp = rest.indexOf(' ');
        int tab = rest.indexOf('\t');
        int end = sp < 0 ? tab : tab < 0 ? sp : Math.min(sp, tab);
        String w = end < 0 ? rest : rest.substring(0, end);
        int eq = w.indexOf('=');
        return eq >= 0 ? w.substring(0, eq) : w;
    }

    /** Rule 3: the EHLO reply names the client's own hostname, so Postfix fails the delivery. */
    public static boolean ehloLoops(String ehloFirstLine, String clientMyhostname, int port) {
        return detects(port) && firstWord(ehloFirstLine).toLowerCase(Locale.ROOT)
                .equals(clientMyhostname.toLowerCase(Locale.ROOT));
    }

    /** Rule 2: the greeting names the client's own hostname (a warning in Postfix's log, not a failure). */
    public static boolean greetingNamesMe(String greetingLine, String clientMyhostname) {
        return firstWord(greetingLine).equalsIgnoreCase(clientMyhostname);
    }

    /**
     * Rule 1: the next hop is one of the client's own addresses. {@code interfaces} are the
     * expanded inet_interfaces and proxy_interfaces words; "all" means every address of the
     * host, which on a relay includes every instance's address, so it counts as a loop.
     */
    public static boolean addressIsMine(String nexthopIp, List<String> interfaces, int port) {
        if (!detects(port)) {
            return false;
        }
        for (String w : interfaces) {
            String a = w.startsWith("[") && w.endsWith("]") ? w.substring(1, w.length() - 1) : w;
            if (a.equals("all") || a.equalsIgnoreCase(nexthopIp)) {
                return true;
            }
            if (a.equals("loopback-only") && (nexthopIp.equals("127.0.0.1") || nexthopIp.equals("::1"))) {
                return true;
            }
        }
        return false;
    }
}
