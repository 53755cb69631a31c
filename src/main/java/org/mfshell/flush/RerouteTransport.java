package org.mfshell.flush;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * The source's own transport for rerouted mail, appended to its master.cf: a copy of the SMTP
 * client service the source sends with (same columns and {@code -o} options, so the same
 * smtp_bind_address), plus
 * <ul>
 *   <li>only when preflight found that Postfix's client would take the target's address for
 *       its own (smtp_addr.c, smtp_find_self: a next hop among inet_interfaces or
 *       proxy_interfaces; Debian's {@code inet_interfaces = all} on a relay whose instances'
 *       addresses are all on its interfaces makes every sibling "me"): {@code -o inet_interfaces=}
 *       the source's sending address (an address of this host: Postfix refuses any other)
 *       and/or an empty {@code -o proxy_interfaces=}. That is the truth for this client process:
 *       the source's smtpd listens on its master.cf addresses, not on the target's, and
 *       preflight checks that;</li>
 *   <li>{@code -o soft_bounce=yes}: a refusal by the target (5xx, or Postfix's own 5.4.6 loop
 *       verdict) keeps the message queued in the source instead of bouncing it to the list's
 *       sender (src/global/bounce.c logs it as SOFTBOUNCE and defers); the drain stops on it;</li>
 *   <li>when the target's EHLO reply names the source's own myhostname (one box, one hostname,
 *       as postmulti leaves it), {@code -o myhostname=} a name of its own for this hop only, so
 *       Postfix's loop rule ({@link LoopRule}) does not fire, and {@code -o smtp_helo_name=} the
 *       source's HELO name as it was, so the target sees the same HELO as before.</li>
 * </ul>
 * Nothing of the target changes: its banner, HELO name and PTR, which providers see, stay as
 * they are. The block is marked with a comment line naming the flush, so it can be found and
 * removed if someone edited master.cf after mfshell.
 *
 * <p>Errors: {@link MfshellException} when the base service line cannot be read, or the block to
 * remove is not there.
 */
public final class RerouteTransport {
    public static final String NAME = "mfshell-reroute";
    static final String MARK = "# mfshell reroute transport";

    private RerouteTransport() {
    }

    /**
     * The master.cf lines for the transport. {@code baseLine} is the base service as
     * {@code postconf -M} prints it; {@code ownName} null keeps the source's myhostname.
     */
    public static String block(String baseLine, String source, String target, String ownName, String heloName,
                               String inetInterfaces, boolean clearProxyInterfaces) {
        String[] f = baseLine.trim().split("\\s+");
        if (f.length < 8 || !f[1].equals("unix") || !f[7].equals("smtp")) {
            throw new MfshellException("the SMTP client service to copy is not an 'unix ... smtp' line: " + baseLine);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(MARK).append(" for 'flush ").append(source).append(" --to ").append(target)
                .append("'; 'mfshell flush ").append(source).append(" --restore' removes it\n");
        sb.append(NAME);
        for (int i = 1; i < 8; i++) {
            sb.append(' ').append(f[i]);
        }
        sb.append('\n');
        List<String> args = new ArrayList<>(Arrays.asList(f).subList(8, f.length));
        // Keep the base service's arguments as postconf printed them, one -o per line.
        StringBuilder cur = null;
        List<String> lines = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") && cur != null && !inBraces(cur)) {
                lines.add(cur.toString());
                cur = null;
            }
            cur = cur == null ? new StringBuilder(a) : cur.append(' ').append(a);
        }
        if (cur != null) {
            lines.add(cur.toString());
        }
        if (inetInterfaces != null) {
            lines.add("-o inet_interfaces=" + inetInterfaces);
        }
        if (clearProxyInterfaces) {
            lines.add("-o proxy_interfaces=");
        }
        lines.add("-o soft_bounce=yes");
        if (ownName != null) {
            lines.add("-o myhostname=" + ownName);
            lines.add("-o smtp_helo_name=" + heloName);
        }
        for (String l : lines) {
            sb.append("  ").append(l).append('\n');
        }
        return sb.toString();
    }

    private static boolean inBraces(StringBuilder sb) {
        int open = 0;
        for (int i = 0; i < sb.length(); i++) {
            if (sb.charAt(i) == '{') {
                open++;
            } else if (sb.charAt(i) == '}') {
                open--;
            }
        }
        return open > 0;
    }

    /** Whether master.cf has a service named {@value #NAME} (on any line, any white space after the name). */
    public static boolean present(String masterCf) {
        return masterCf != null && java.util.regex.Pattern.compile("(?m)^" + NAME + "\\s").matcher(masterCf).find();
    }

    /** master.cf with the block appended (after a newline if the file does not end with one). */
    public static String add(String masterCf, String block) {
        if (present(masterCf)) {
            throw new MfshellException("master.cf already has a service named " + NAME
                    + " (a reroute is active, or one was left behind): run 'flush SRC --restore' first");
        }
        String base = masterCf.isEmpty() || masterCf.endsWith("\n") ? masterCf : masterCf + "\n";
        return base + block;
    }

    /** master.cf without mfshell's block (the marker line, the service line and its continuation lines). */
    public static String remove(String masterCf) {
        List<String> lines = new ArrayList<>(Arrays.asList(masterCf.split("\n", -1)));
        boolean trailingNewline = masterCf.endsWith("\n");
        if (trailingNewline) {
            lines.remove(lines.size() - 1);
        }
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(NAME + " ")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            throw new MfshellException("master.cf has no " + NAME + " service to remove");
        }
        int end = start;
        while (end + 1 < lines.size() && !lines.get(end + 1).isEmpty() && Character.isWhitespace(lines.get(end + 1).charAt(0))) {
            end++;
        }
        if (start > 0 && lines.get(start - 1).startsWith(MARK)) {
            start--;
        }
        for (int i = end; i >= start; i--) {
            lines.remove(i);
        }
        String s = String.join("\n", lines);
        return trailingNewline && !lines.isEmpty() ? s + "\n" : s;
    }

    /** The name the transport's client uses for this hop when the source's own would loop. */
    public static String ownName(String source, String myhostname) {
        // One DNS label of at most 63 characters, not ending in '-': Postfix checks myhostname with
        // valid_hostname and a reroute smtp process would die on a bad one.
        String label = (NAME + "-" + source);
        if (label.length() > 63) {
            label = label.substring(0, 63);
        }
        while (label.endsWith("-")) {
            label = label.substring(0, label.length() - 1);
        }
        return label + "." + myhostname;
    }
}
