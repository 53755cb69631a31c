package org.mfshell.check;

import java.math.BigDecimal;
import java.util.function.ToDoubleFunction;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;

/**
 * A threshold range in the Monitoring Plugins syntax ({@code [@]start:end}): {@code 10} alerts
 * outside 0..10, {@code 10:} below 10, {@code ~:10} above 10, {@code 10:20} outside 10..20, and
 * {@code @10:20} inside 10..20 (ends included). The end points are read by a converter, so a
 * range of durations ({@code 1h:}) reads the same way as one of numbers. A malformed range is a
 * {@link UsageException} naming the option.
 */
public record Range(double start, double end, boolean inside, String text) {

    /** Parses plain numbers. */
    public static Range parse(String text, String option) {
        return parse(text, option, s -> number(s, option, text));
    }

    /** Parses with {@code value} turning one end point (never empty, never "~") into a number. */
    public static Range parse(String text, String option, ToDoubleFunction<String> value) {
        if (text == null || text.isEmpty()) {
            throw bad(option, text, "empty range");
        }
        String t = text;
        boolean inside = t.startsWith("@");
        if (inside) {
            t = t.substring(1);
        }
        int colon = t.indexOf(':');
        if (t.indexOf(':', colon + 1) >= 0) {
            throw bad(option, text, "more than one ':'");
        }
        double start;
        double end;
        if (colon < 0) {
            start = 0;
            end = endPoint(t, option, text, value);
        } else {
            String s = t.substring(0, colon);
            String e = t.substring(colon + 1);
            start = s.equals("~") ? Double.NEGATIVE_INFINITY : s.isEmpty() ? 0 : endPoint(s, option, text, value);
            end = e.isEmpty() ? Double.POSITIVE_INFINITY : endPoint(e, option, text, value);
        }
        if (start > end) {
            throw bad(option, text, "start is greater than end");
        }
        return new Range(start, end, inside, text);
    }

    /** Whether {@code v} raises the alert this range stands for. */
    public boolean alerts(double v) {
        boolean within = v >= start && v <= end;
        return inside == within;
    }

    /** The range with plain numbers as end points, for perfdata ({@code 3600:}, {@code ~:10}, {@code @1:5}). */
    public String perfdata() {
        String s = start == Double.NEGATIVE_INFINITY ? "~" : fmt(start);
        String e = end == Double.POSITIVE_INFINITY ? "" : fmt(end);
        String body = !inside && start == 0 && end != Double.POSITIVE_INFINITY ? e : s + ":" + e;
        return (inside ? "@" : "") + body;
    }

    static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static double endPoint(String s, String option, String text, ToDoubleFunction<String> value) {
        if (s.equals("~")) {
            throw bad(option, text, "'~' stands only for the start");
        }
        return value.applyAsDouble(s);
    }

    private static double number(String s, String option, String text) {
        if (!s.matches("-?\\d+(\\.\\d+)?")) {
            throw bad(option, text, Quote.quote(s) + " is not a number");
        }
        return Double.parseDouble(s);
    }

    private static UsageException bad(String option, String text, String why) {
        return new UsageException(option + ": bad range " + Quote.quote(text == null ? "" : text) + ": " + why
                + " (use e.g. 10, 10:, ~:10, 10:20, @10:20)");
    }
}
