package org.mfshell.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses operator durations: {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, {@code 2w}, or combinations like {@code 1h30m}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhdw])");

    private Durations() {
    }

    public static Duration parse(String text, String what) {
        if (text == null || text.isEmpty()) {
            throw bad(text, what);
        }
        Matcher m = PART.matcher(text);
        int pos = 0;
        long seconds = 0;
        while (pos < text.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw bad(text, what);
            }
            long n = Long.parseLong(m.group(1));
            seconds += switch (m.group(2)) {
                case "s" -> n;
                case "m" -> n * 60;
                case "h" -> n * 3600;
                case "d" -> n * 86400;
                default -> n * 7 * 86400;
            };
            pos = m.end();
        }
        return Duration.ofSeconds(seconds);
    }

    private static UsageException bad(String text, String what) {
        return new UsageException(what + ": bad duration " + Quote.quote(text) + " (use e.g. 90s, 15m, 2h, 7d)");
    }
}
