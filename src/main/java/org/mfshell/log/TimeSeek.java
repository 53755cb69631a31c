package org.mfshell.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.ZoneId;

/**
 * Finds, by binary search over byte offsets, the part of a plain log file that can hold lines of
 * a time window, so a scan with a lower (and upper) time bound reads only that part. A probe reads
 * a small block at an offset, skips to the next line start and reads that line's timestamp with
 * {@link LogTime} (RFC 3339 or classic, the year inferred from the file's modification time as
 * the scan does); a line without a readable timestamp steps the probe forward a few lines, and
 * when that does not find one the search gives up and the whole file is scanned.
 * <p>
 * The slack rule: syslog lines from several processes are not strictly in time order, so the
 * search looks for {@code since - SLACK_MS} and {@code until + SLACK_MS}. The result equals a
 * full scan's whenever no line is more than {@link #SLACK_MS} older than a line before it in the
 * file; the scan's own time filter still applies to every line it reads. Lines whose timestamp
 * cannot be read are only seen (counted as suspects) inside the scanned part.
 * <p>
 * {@code MFSHELL_LOG_SEEK=off} (or the system property {@code mfshell.log.seek=off}) turns the
 * search off: every plain file is scanned from its start, as .gz files, standard input and the
 * journal (which journalctl bounds with --since/--until) always are.
 */
public final class TimeSeek {
    public static final String ENV = "MFSHELL_LOG_SEEK";
    public static final String PROPERTY = "mfshell.log.seek";
    public static final long SLACK_MS = 5 * 60_000L;
    /** Below this distance between the bounds the search reads lines one by one. */
    private static final int LINEAR = 64 << 10;
    private static final int PROBE = 512;
    private static final int STEPS = 16;

    private final FileChannel ch;
    private final long size;
    private final LogTime time;
    private final ByteBuffer block = ByteBuffer.allocate(8192);
    private final ByteBuffer line = ByteBuffer.allocate(PROBE);
    private final int[] f = new int[8];

    private TimeSeek(FileChannel ch, long size, LogTime time) {
        this.ch = ch;
        this.size = size;
        this.time = time;
    }

    /** False when MFSHELL_LOG_SEEK or the mfshell.log.seek property is "off" (or "0", "false", "no"). */
    public static boolean enabled() {
        String p = System.getProperty(PROPERTY);
        String v = p != null ? p : System.getenv(ENV);
        if (v == null) {
            return true;
        }
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return !(s.equals("off") || s.equals("0") || s.equals("false") || s.equals("no"));
    }

    /**
     * The byte range {@code [start, end)} of the first {@code size} bytes of {@code ch} to scan for
     * lines in {@code [sinceMs, untilMs)} (null: open): both are line starts (or 0 / size). An
     * undecided search leaves its side of the range open.
     */
    public static long[] range(FileChannel ch, long size, LogSource source, ZoneId zone, Long sinceMs, Long untilMs)
            throws IOException {
        long start = 0;
        long end = size;
        if (sinceMs == null && untilMs == null || size == 0) {
            return new long[] {start, end};
        }
        TimeSeek s = new TimeSeek(ch, size, new LogTime(source.reference(), zone));
        if (sinceMs != null) {
            long[] p = s.search(sinceMs - SLACK_MS);
            if (p != null) {
                start = p[0];
            }
        }
        if (untilMs != null) {
            long[] p = s.search(untilMs + SLACK_MS);
            if (p != null) {
                end = Math.max(start, p[1]);
            }
        }
        return new long[] {start, end};
    }

    /**
     * Two line starts for {@code target}: just after the last line read with a time before it, and
     * the first line read with a time at or after it (size when none); null when undecided.
     */
    long[] search(long target) throws IOException {
        long lo = 0;
        long hi = size;
        while (hi - lo > LINEAR) {
            long mid = lo + (hi - lo) / 2;
            long p = lineStartAtOrAfter(mid);
            if (p >= hi) {
                break;
            }
            long q = p;
            long t = Long.MIN_VALUE;
            int steps = 0;
            while (q < hi && (t = stamp(q)) == Long.MIN_VALUE && steps++ < STEPS) {
                q = next(q);
            }
            if (t == Long.MIN_VALUE) {
                if (q >= hi) {
                    hi = p;
                    continue;
                }
                return null;
            }
            if (t < target) {
                lo = q;
            } else {
                hi = p;
            }
        }
        return linear(lo, target);
    }

    /** Reads lines from {@code lo} on until one has a time at or after {@code target}. */
    private long[] linear(long lo, long target) throws IOException {
        long after = lo;
        long at = lo;
        int unreadable = 0;
        while (at < size) {
            long t = stamp(at);
            long n = next(at);
            if (t == Long.MIN_VALUE) {
                if (++unreadable > LINEAR) {
                    return null;
                }
            } else if (t < target) {
                after = n;
            } else {
                return new long[] {after, at};
            }
            at = n;
        }
        return new long[] {after, size};
    }

    /** The timestamp of the line starting at {@code pos}, or Long.MIN_VALUE. */
    private long stamp(long pos) throws IOException {
        line.clear();
        int n = 0;
        while (line.hasRemaining()) {
            int r = ch.read(line, pos + n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
        int le = 0;
        while (le < n && line.get(le) != '\n' && line.get(le) != '\r') {
            le++;
        }
        int nf = 0;
        int i = 0;
        while (nf < 3) {
            while (i < le && blank(line.get(i))) {
                i++;
            }
            if (i >= le) {
                break;
            }
            f[2 * nf] = i;
            while (i < le && !blank(line.get(i))) {
                i++;
            }
            f[2 * nf + 1] = i;
            nf++;
        }
        if (nf < 1) {
            return Long.MIN_VALUE;
        }
        return time.millis(line, f, nf, rfc3339(nf) ? 2 : 4);
    }

    private boolean rfc3339(int nf) {
        if (f[1] - f[0] < 5) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            byte x = line.get(f[0] + i);
            if (x < '0' || x > '9') {
                return false;
            }
        }
        return line.get(f[0] + 4) == '-';
    }

    private static boolean blank(byte x) {
        return x == ' ' || x == '\t';
    }

    /** The start of the line after the one at {@code pos}, or size. */
    private long next(long pos) throws IOException {
        return lineStartAtOrAfter(pos + 1);
    }

    /** The first position >= pos that starts a line (0, or just after a newline), or size. */
    private long lineStartAtOrAfter(long pos) throws IOException {
        if (pos <= 0) {
            return 0;
        }
        long at = pos - 1;
        while (at < size) {
            block.clear();
            int n = ch.read(block, at);
            if (n <= 0) {
                return size;
            }
            n = (int) Math.min(n, size - at);
            for (int i = 0; i < n; i++) {
                if (block.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += n;
        }
        return size;
    }
}
