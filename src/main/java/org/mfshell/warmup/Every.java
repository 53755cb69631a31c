package org.mfshell.warmup;

import java.time.Period;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mfshell.core.UsageException;
import org.mfshell.core.Quote;

/**
 * Reads a calendar step for {@code warmup --every}: {@code 1month}, {@code 2months}, {@code 2w},
 * {@code 14d}, {@code 1week}. Errors: {@link UsageException} naming the option.
 */
public final class Every {
    private static final Pattern P = Pattern.compile("(\\d{1,3})\\s*(d|day|days|w|week|weeks|mo|month|months)");

    private Every() {
    }

    public static Period parse(String text, String what) {
        Matcher m = text == null ? null : P.matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
        if (m == null || !m.matches() || Integer.parseInt(m.group(1)) == 0) {
            throw new UsageException(what + ": bad duration " + Quote.quote(text) + " (use e.g. 1month, 2weeks, 14d)");
        }
        int n = Integer.parseInt(m.group(1));
        return switch (m.group(2)) {
            case "d", "day", "days" -> Period.ofDays(n);
            case "w", "week", "weeks" -> Period.ofWeeks(n);
            default -> Period.ofMonths(n);
        };
    }

    /** Short text of a period as {@link #parse} reads it. */
    public static String format(Period p) {
        if (p.getMonths() > 0) {
            return p.getMonths() + (p.getMonths() == 1 ? " month" : " months");
        }
        int d = p.getDays();
        if (d % 7 == 0) {
            return d / 7 + (d == 7 ? " week" : " weeks");
        }
        return d + (d == 1 ? " day" : " days");
    }
}
