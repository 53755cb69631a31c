package org.mfshell.mail;

import java.net.IDN;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;

/**
 * The one rule for a recipient domain given on the command line (flush {@code --domain}, mailq's and
 * the message actions' {@code --domain}) before it reaches a map file, argv or a queue match, and the
 * one rule for whether a recipient is in such a domain.
 *
 * <p>A domain: no space, newline or other control character; not an IP address or address literal
 * ({@code 1.2.3.4}, {@code [1.2.3.4]}, {@code 2001:db8::1}, {@code [IPv6:...]}): mail is routed by
 * domain, and an all-digit top label is no domain (RFC 3696 section 2); IDNs converted to punycode
 * (java.net.IDN, UTS 46 mapping off so nothing is silently rewritten); labels of letters, digits and
 * '-' (not at either end), at most 63 characters; at most 253 characters in all; at least two
 * labels. A leading '.' ({@code .hotmail.com}) means the subdomains, as in transport(5). A trailing
 * root dot is dropped. Result is lower case.
 *
 * <p>A recipient is covered by {@code hotmail.com} when its domain is exactly that, and by
 * {@code .hotmail.com} when its domain ends with it (transport(5)).
 *
 * <p>Errors: {@link UsageException} "bad domain 'TEXT': why", the text quoted by {@link Quote}.
 */
public final class Domains {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6ISH = Pattern.compile("(?:ipv6:)?[0-9a-f:.]*:[0-9a-f:.]*", Pattern.CASE_INSENSITIVE);

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

    /** The normalized domain (lower case, punycode, leading '.' kept); bad text is a usage error. */
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
        if (isIpLiteral(raw)) {
            throw bad(raw, "an IP address is not a domain; give the recipient domain (e.g. hotmail.com)");
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
                throw bad(raw, "label " + Quote.quote(l) + " may only hold letters, digits and '-' (not at either end)");
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            throw bad(raw, "the last label is all digits, which no domain has; give the recipient domain (e.g. hotmail.com)");
        }
        return subdomains ? "." + ascii : ascii;
    }

    /** An IPv4 address, an IPv6 address or an SMTP address literal ({@code [1.2.3.4]}, {@code [IPv6:::1]}). */
    static boolean isIpLiteral(String s) {
        String t = s;
        if (t.startsWith("[") && t.endsWith("]") && t.length() > 2) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return IPV4.matcher(t).matches() || IPV6ISH.matcher(t).matches();
    }

    /** Whether a recipient address's domain is covered by one of the normalized {@code domains} (transport(5) rules). */
    public static boolean matches(String recipient, List<String> domains) {
        String domain = domainOf(recipient);
        if (domain == null) {
            return false;
        }
        for (String d : domains) {
            if (covers(d, domain)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the normalized rule {@code rule} ({@code hotmail.com} or {@code .hotmail.com}) covers a
     * recipient domain (any case, trailing root dot allowed).
     */
    public static boolean covers(String rule, String recipientDomain) {
        if (recipientDomain == null || recipientDomain.isEmpty()) {
            return false;
        }
        String domain = recipientDomain.toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return rule.startsWith(".") ? domain.endsWith(rule) : domain.equals(rule);
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
        return new UsageException("bad domain " + Quote.quote(raw) + ": " + why);
    }
}
