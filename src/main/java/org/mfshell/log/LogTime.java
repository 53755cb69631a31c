package org.mfshell.log;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Reads syslog timestamps out of a line's first fields without making Strings: RFC 3339
 * ({@code 2026-11-29T13:40:48.123456+00:00}) and classic ({@code Nov 29 13:40:48}, day padded
 * with a space or not). Classic stamps carry no year: the year is the reference's (the time the
 * newest line of the file can have, its modification time), or the year before when that would
 * put the line more than a day after the reference (a December line read in January).
 * Returns {@link Long#MIN_VALUE} for anything it cannot read.
 */
public final class LogTime {
    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
    private static final long DAY_MS = 86_400_000L;

    private final long referenceMs;
    private final ZoneId zone;
    private long cacheKey = -1;
    private long cacheBase;

    public LogTime(Instant reference, ZoneId zone) {
        this.referenceMs = reference.toEpochMilli();
        this.zone = zone;
    }

    /** Epoch milliseconds of the line whose fields are in {@code f}; {@code tag} is 2 (RFC 3339) or 4 (classic). */
    public long millis(ByteBuffer b, int[] f, int nf, int tag) {
        if (tag == 2) {
            return rfc3339(b, f[0], f[1]);
        }
        if (nf < 3) {
            return Long.MIN_VALUE;
        }
        return classic(b, f[0], f[1], f[2], f[3], f[4], f[5]);
    }

    private static int num(ByteBuffer b, int at, int len) {
        int v = 0;
        for (int i = 0; i < len; i++) {
            int d = b.get(at + i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Parses an RFC 3339 stamp in [s, e). */
    public static long rfc3339(ByteBuffer b, int s, int e) {
        if (e - s < 20 || b.get(s + 4) != '-' || b.get(s + 7) != '-' || b.get(s + 13) != ':' || b.get(s + 16) != ':') {
            return Long.MIN_VALUE;
        }
        byte t = b.get(s + 10);
        if (t != 'T' && t != 't' && t != ' ') {
            return Long.MIN_VALUE;
        }
        int y = num(b, s, 4), mo = num(b, s + 5, 2), d = num(b, s + 8, 2);
        int h = num(b, s + 11, 2), mi = num(b, s + 14, 2), sec = num(b, s + 17, 2);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
            return Long.MIN_VALUE;
        }
        int i = s + 19;
        long ms = 0;
        if (i < e && b.get(i) == '.') {
            i++;
            int digits = 0;
            while (i < e && b.get(i) >= '0' && b.get(i) <= '9') {
                if (digits < 3) {
                    ms = ms * 10 + (b.get(i) - '0');
                }
                digits++;
                i++;
            }
            for (int k = digits; k < 3; k++) {
                ms *= 10;
            }
        }
        int offsetSec;
        if (i < e && (b.get(i) == 'Z' || b.get(i) == 'z')) {
            offsetSec = 0;
        } else if (i + 6 <= e && (b.get(i) == '+' || b.get(i) == '-') && b.get(i + 3) == ':') {
            int oh = num(b, i + 1, 2), om = num(b, i + 4, 2);
            if (oh < 0 || om < 0) {
                return Long.MIN_VALUE;
            }
            offsetSec = (oh * 3600 + om * 60) * (b.get(i) == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        long days = daysFromCivil(y, mo, d);
        return ((days * 86400 + h * 3600L + mi * 60L + sec) - offsetSec) * 1000 + ms;
    }

    private long classic(ByteBuffer b, int ms, int me, int ds, int de, int ts, int te) {
        if (me - ms != 3 || de - ds < 1 || de - ds > 2 || te - ts != 8 || b.get(ts + 2) != ':' || b.get(ts + 5) != ':') {
            return Long.MIN_VALUE;
        }
        int month = -1;
        for (int i = 0; i < 12; i++) {
            if (b.get(ms) == MONTHS.charAt(3 * i) && b.get(ms + 1) == MONTHS.charAt(3 * i + 1)
                    && b.get(ms + 2) == MONTHS.charAt(3 * i + 2)) {
                month = i + 1;
                break;
            }
        }
        int day = num(b, ds, de - ds);
        int h = num(b, ts, 2), mi = num(b, ts + 3, 2), sec = num(b, ts + 6, 2);
        if (month < 0 || day < 1 || day > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
            return Long.MIN_VALUE;
        }
        long key = (month * 100L + day) * 100 + h;
        if (key != cacheKey) {
            long base = hourStart(month, day, h);
            if (base == Long.MIN_VALUE) {
                return base;
            }
            cacheKey = key;
            cacheBase = base;
        }
        return cacheBase + (mi * 60L + sec) * 1000;
    }

    /** Start of that hour in the reference's year (or the year before), local time. */
    private long hourStart(int month, int day, int hour) {
        int year = Instant.ofEpochMilli(referenceMs).atZone(zone).getYear();
        for (int y = year; y >= year - 4; y--) {
            LocalDateTime ldt;
            try {
                ldt = LocalDateTime.of(y, month, day, hour, 0);
            } catch (java.time.DateTimeException e) {
                continue; // 29 Feb outside a leap year
            }
            ZoneOffset off = zone.getRules().getOffset(ldt);
            long ms = ldt.toEpochSecond(off) * 1000;
            if (ms <= referenceMs + DAY_MS) {
                return ms;
            }
        }
        return Long.MIN_VALUE;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
    static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }
}
