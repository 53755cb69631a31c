package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

/** Timestamps: classic with year inference (also across New Year), unpadded days, RFC 3339 offsets; --since/--until text. */
class LogTimeTest {
    private static final ZoneId UTC = ZoneId.of("UTC");

    /** Splits a line's leading fields like the scanner and asks LogTime. */
    static long millis(String line, Instant reference, ZoneId zone) {
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).put(bytes);
        int[] f = new int[14];
        int nf = 0;
        int i = 0;
        while (nf < 7 && i < bytes.length) {
            while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t')) {
                i++;
            }
            if (i >= bytes.length) {
                break;
            }
            f[2 * nf] = i;
            while (i < bytes.length && bytes[i] != ' ' && bytes[i] != '\t') {
                i++;
            }
            f[2 * nf + 1] = i;
            nf++;
        }
        boolean rfc = Character.isDigit(line.charAt(0)) && line.charAt(4) == '-';
        return new LogTime(reference, zone).millis(b, f, nf, rfc ? 2 : 4);
    }

    static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void classicTakesTheReferenceYear() {
        Instant ref = Instant.parse("2026-11-29T14:00:00Z");
        assertEquals(at("2026-11-29T13:40:48Z"), millis("Nov 29 13:40:48 h t: m", ref, UTC));
    }

    @Test
    void unpaddedAndPaddedDaysAreTheSame() {
        Instant ref = Instant.parse("2026-08-10T00:00:00Z");
        assertEquals(at("2026-08-03T15:30:49Z"), millis("Aug 3 15:30:49 h t: m", ref, UTC));
        assertEquals(at("2026-08-03T15:30:49Z"), millis("Aug  3 15:30:49 h t: m", ref, UTC));
    }

    @Test
    void decemberLinesReadInJanuaryBelongToTheYearBefore() {
        Instant ref = Instant.parse("2027-01-01T00:10:00Z");
        assertEquals(at("2026-12-31T23:59:59Z"), millis("Dec 31 23:59:59 h t: m", ref, UTC));
        assertEquals(at("2027-01-01T00:00:01Z"), millis("Jan  1 00:00:01 h t: m", ref, UTC));
    }

    @Test
    void lineUpToADayAfterTheReferenceKeepsTheYear() {
        Instant ref = Instant.parse("2026-11-29T14:00:00Z");
        assertEquals(at("2026-11-30T10:00:00Z"), millis("Nov 30 10:00:00 h t: m", ref, UTC));
        assertEquals(at("2025-12-01T10:00:00Z"), millis("Dec  1 10:00:00 h t: m", ref, UTC));
    }

    @Test
    void classicIsLocalTime() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Instant ref = Instant.parse("2026-11-29T14:00:00Z");
        assertEquals(ZonedDateTime.of(2026, 11, 29, 13, 40, 48, 0, paris).toInstant().toEpochMilli(),
                millis("Nov 29 13:40:48 h t: m", ref, paris));
    }

    @Test
    void rfc3339WithOffsetsAndFractions() {
        Instant ref = Instant.now();
        assertEquals(at("2026-11-29T13:40:48.123Z"), millis("2026-11-29T13:40:48.123456+00:00 h t: m", ref, UTC));
        assertEquals(at("2026-11-29T12:40:48Z"), millis("2026-11-29T13:40:48+01:00 h t: m", ref, UTC));
        assertEquals(at("2026-11-29T13:40:48.500Z"), millis("2026-11-29T13:40:48.5Z h t: m", ref, UTC));
    }

    @Test
    void garbageIsMinValue() {
        Instant ref = Instant.now();
        assertEquals(Long.MIN_VALUE, millis("Foo 29 13:40:48 h t: m", ref, UTC));
        assertEquals(Long.MIN_VALUE, millis("Nov 29 13:4:48 h t: m", ref, UTC));
        assertEquals(Long.MIN_VALUE, millis("2026-13-29T13:40:48Z h t: m", ref, UTC));
    }

    @Test
    void timeArguments() {
        Instant now = Instant.parse("2026-11-29T14:00:00Z");
        assertEquals(at("2026-11-29T13:00:00Z"), TimeArg.parse("1h", "--since", now, UTC));
        assertEquals(at("2026-11-22T14:00:00Z"), TimeArg.parse("7d", "--since", now, UTC));
        assertEquals(at("2026-11-29T00:00:00Z"), TimeArg.parse("today", "--since", now, UTC));
        assertEquals(at("2026-11-28T00:00:00Z"), TimeArg.parse("yesterday", "--since", now, UTC));
        assertEquals(at("2026-11-20T00:00:00Z"), TimeArg.parse("2026-11-20", "--since", now, UTC));
        assertEquals(at("2026-11-20T10:30:00Z"), TimeArg.parse("2026-11-20 10:30", "--since", now, UTC));
        assertEquals(at("2026-11-20T09:30:05Z"), TimeArg.parse("2026-11-20T10:30:05+01:00", "--since", now, UTC));
        assertEquals(1764410400000L, TimeArg.parse("@1764410400", "--since", now, UTC));
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> TimeArg.parse("last tuesday", "--until", now, UTC));
        assertEquals(2, e.exitCode());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("--until: cannot read 'last tuesday'"));
    }
}
