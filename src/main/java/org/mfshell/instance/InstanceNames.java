package org.mfshell.instance;

import java.util.regex.Pattern;
import org.mfshell.core.UsageException;

/**
 * The one rule for what an instance name may be: lower-case letters, digits, '-', '_' and '.',
 * starting with a letter or digit, at most 64 characters. Nothing else may reach a path or argv.
 */
public final class InstanceNames {
    private static final Pattern SANE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private InstanceNames() {
    }

    public static boolean isSane(String name) {
        return name != null && SANE.matcher(name).matches() && !name.contains("..");
    }

    /** Throws a usage error naming the bad text. */
    public static String require(String name) {
        if (!isSane(name)) {
            throw new UsageException("'" + printable(name) + "' is not a valid instance name "
                    + "(letters, digits, '-', '_' and '.' only)");
        }
        return name;
    }

    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
