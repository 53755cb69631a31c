package org.mfshell.flush;

import java.net.IDN;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.mfshell.core.UsageException;

/**
 * The one rule for a recipient domain given on the command line before it reaches a map file,
 * argv or a queue match: no space, newline or other control character; IDNs converted to
 * punycode (java.net.IDN, UTS 46 mapping off so nothing is silently rewritten); labels of
 * letters, digits and '-' (not at either end), at most 63 characters; at most 253 characters
 * in all; at least two labels. A leading '.' ({@code .hotmail.com}) means the subdomains, as in
 * transport(5). A trailing root dot is dropped. Result is lower case.
 *
 * <p>Errors: {@link UsageException} quoting the bad text (control characters shown as '?').
 */
public final class Domains {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    private Domains() {
    }

    /** Validates and normalizes every domain, dropping duplicates, keeping order. */
    public static List<String> requireAll(List<String> domains) {
        Set<String> out = new LinkedHashSet<>();
        for (String d : domains) {
            out.add(require(d));
        }
        return new ArrayList<>(out);
    }

    public static String require(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw bad(raw, "empty");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw bad(raw, "contains a space or control character");
            }
        }
        String d = raw;
        boolean subdomains = d.startsWith(".");
        if (subdomains) {
            d = d.substring(1);
        }
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty()) {
            throw bad(raw, "no domain name");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw bad(raw, "not a valid domain name (" + e.getMessage() + ")");
        }
        if (ascii.length() > 253) {
            throw bad(raw, "longer than 253 characters");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw bad(raw, "needs at least two labels, like hotmail.com");
        }
        for (String l : labels) {
            if (l.isEmpty()) {
                throw bad(raw, "has an empty label");
            }
            if (l.length() > 63) {
                throw bad(raw, "has a label longer than 63 characters");
            }
            if (!LABEL.matcher(l).matches()) {
                throw bad(raw, "label '" + l + "' may only hold letters, digits and '-' (not at either end)");
            }
        }
        return subdomains ? "." + ascii : ascii;
    }

    /** Whether a recipient address's domain is covered by one of the normalized {@code domains} (transport(5) rules). */
    public static boolean matches(String recipient, List<String> domains) {
        String domain = domainOf(recipient);
        if (domain == null) {
            return false;
        }
        for (String d : domains) {
            if (d.startsWith(".") ? domain.endsWith(d) : domain.equals(d)) {
                return true;
            }
        }
        return false;
    }

    /** Lower-case domain part of an address, or null when it has none. */
    public static String domainOf(String address) {
        if (address == null) {
            return null;
        }
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            return null;
        }
        String d = address.substring(at + 1).toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private static UsageException bad(String raw, String why) {
        String shown = raw == null ? "" : raw;
        StringBuilder sb = new StringBuilder();
        for (char c : shown.toCharArray()) {
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        String s = sb.length() > 80 ? sb.substring(0, 77) + "..." : sb.toString();
        return new UsageException("bad domain '" + s + "': " + why);
    }
}
