package org.mfshell.log;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.mfshell.core.Durations;
import org.mfshell.core.UsageException;
import org.mfshell.core.Quote;

/**
 * Reads {@code --since} / {@code --until} values: a duration back from now ({@code 1h},
 * {@code 24h}, {@code 7d}), {@code today}, {@code yesterday}, a date ({@code 2026-11-29}, local
 * midnight), a local date and time ({@code 2026-11-29T10:00}, {@code "2026-11-29 10:00:30"}), an
 * RFC 3339 time with offset, or {@code @EPOCHSECONDS}. Bad text is a {@link UsageException}
 * naming the option.
 */
public final class TimeArg {
    private TimeArg() {
    }

    public static long parse(String text, String option, Instant now, ZoneId zone) {
        String t = text.trim();
        try {
            if (t.equals("now")) {
                return now.toEpochMilli();
            }
            if (t.equals("today") || t.equals("yesterday")) {
                LocalDate d = now.atZone(zone).toLocalDate().minusDays(t.equals("today") ? 0 : 1);
                return d.atStartOfDay(zone).toInstant().toEpochMilli();
            }
            if (t.startsWith("@")) {
                return Long.parseLong(t.substring(1)) * 1000;
            }
            if (!t.isEmpty() && Character.isDigit(t.charAt(0)) && !t.contains("-")) {
                return now.minus(Durations.parse(t, option)).toEpochMilli();
            }
            String iso = t.replace(' ', 'T');
            if (iso.length() == 10) {
                return LocalDate.parse(iso).atStartOfDay(zone).toInstant().toEpochMilli();
            }
            if (iso.endsWith("Z") || iso.matches(".*[+-][0-9]{2}:[0-9]{2}$")) {
                return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(iso).atZone(zone).toInstant().toEpochMilli();
        } catch (NumberFormatException | DateTimeException e) {
            throw new UsageException(option + ": cannot read " + Quote.quote(text) + " (use e.g. 1h, 7d, today, 2026-11-29, "
                    + "'2026-11-29 10:00', 2026-11-29T10:00:00+01:00 or @1764410400)");
        }
    }
}
