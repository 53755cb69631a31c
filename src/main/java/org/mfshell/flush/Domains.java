package org.mfshell.flush;

import java.util.List;

/**
 * flush's name for the one recipient-domain rule, {@link org.mfshell.mail.Domains}, which mailq
 * and the message actions share: every method delegates there. Errors as there.
 */
public final class Domains {
    private Domains() {
    }

    public static List<String> requireAll(List<String> domains) {
        return org.mfshell.mail.Domains.requireAll(domains);
    }

    public static String require(String raw) {
        return org.mfshell.mail.Domains.require(raw);
    }

    public static boolean matches(String recipient, List<String> domains) {
        return org.mfshell.mail.Domains.matches(recipient, domains);
    }

    public static String domainOf(String address) {
        return org.mfshell.mail.Domains.domainOf(address);
    }
}
