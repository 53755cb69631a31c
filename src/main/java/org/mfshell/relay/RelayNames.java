package org.mfshell.relay;

import java.util.Locale;
import java.util.regex.Pattern;
import org.mfshell.core.UsageException;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.core.Quote;

/**
 * The wiki's relay names: one per provider group, {@code GROUP.SUFFIX} ({@code msn.smtp.mayfirst.org}).
 * Reads an operator's RELAYNAME (a group, or a full name whose first label is a group) and
 * checks suffixes. Errors: {@link UsageException} for an unknown group or a bad name.
 */
public final class RelayNames {
    public static final String DEFAULT_SUFFIX = "smtp.mayfirst.org";
    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    private RelayNames() {
    }

    /** A relay name split into its provider group and its full name. */
    public record Relay(String group, String name) {
    }

    public static String requireSuffix(String suffix) {
        String s = suffix == null ? "" : suffix.toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!DOMAIN.matcher(s).matches()) {
            throw new UsageException("--suffix: bad domain " + Quote.quote(suffix) + " (e.g. smtp.mayfirst.org)");
        }
        return s;
    }

    public static String requireGroup(String group, ProviderGroups groups) {
        if (group == null || !groups.names().contains(group)) {
            throw new UsageException("unknown provider group " + Quote.quote(group) + " (known: "
                    + String.join(", ", groups.names()) + ")");
        }
        return group;
    }

    /** {@code msn} -> msn.SUFFIX; {@code msn.smtp.example.org} -> itself (group msn). */
    public static Relay parse(String relayName, String suffix, ProviderGroups groups) {
        String r = relayName == null ? "" : relayName.toLowerCase(Locale.ROOT);
        if (r.endsWith(".")) {
            r = r.substring(0, r.length() - 1);
        }
        if (!r.contains(".")) {
            return new Relay(requireGroup(r, groups), r + "." + requireSuffix(suffix));
        }
        if (!DOMAIN.matcher(r).matches()) {
            throw new UsageException("bad relay name " + Quote.quote(relayName) + " (e.g. msn or msn.smtp.mayfirst.org)");
        }
        return new Relay(requireGroup(r.substring(0, r.indexOf('.')), groups), r);
    }
}
