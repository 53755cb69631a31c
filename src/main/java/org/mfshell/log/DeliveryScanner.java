package org.mfshell.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Byte-level scanner for Postfix delivery lines, the counting rule of mf-mail-stats-print
 * (and of mf-stats.awk, which it matches byte for byte):
 *
 * <ul>
 *   <li>only lines holding {@code " status="} are looked at; the FIRST occurrence on the line
 *       is the one used;</li>
 *   <li>fields are split like awk's default FS (runs of space and tab); when field 1 starts
 *       with four digits and a dash (RFC 3339) the tag is field 3 and the message field 5,
 *       otherwise (classic {@code Nov 29 13:40:48 host}) fields 5 and 7;</li>
 *   <li>the tag must end in {@code /smtp[DIGITS]:}, the message field must start {@code to=};</li>
 *   <li>the nine bytes after {@code " status="} say {@code sent} (then space, comma or end of
 *       line), {@code deferred...} or {@code bounced...};</li>
 *   <li>the group is the tag up to its first {@code /}.</li>
 * </ul>
 *
 * <p>One scanner per thread, reused: it owns a direct buffer of {@code bufferSize} bytes and
 * reads windows into it from a {@link Filler}. Lines are never turned into Strings; the search
 * for {@code " status="} tests eight bytes at a time (SWAR). A line longer than the buffer is
 * followed in a streaming state machine, so memory stays bounded whatever the input; only its
 * first nine fields are kept up to 64 KiB each. Never throws on content; I/O errors propagate.
 *
 * <p>Size: one hot loop and its long-line twin kept in one class on purpose, so the JIT sees the
 * whole byte-level rule together and the two paths cannot drift apart from mf-stats.awk.
 */
public final class DeliveryScanner {
    /** Bytes of padding before the data so the look-behind loads of the search never underflow. */
    private static final int PAD = 8;
    private static final long ONES7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long NL = 0x0A0A0A0A0A0A0A0AL;
    private static final long SP = 0x2020202020202020L;
    private static final long EQ = 0x3D3D3D3D3D3D3D3DL;
    /** " status=" as a little-endian long. */
    private static final long PAT = 0x3D73757461747320L;
    /** Fields split per line: seven for the rule, two more to recognise a shifted layout. */
    private static final int FIELDS = 9;
    private static final byte[] PAT_BYTES = {' ', 's', 't', 'a', 't', 'u', 's', '='};

    /** Where a scanner gets bytes: fill {@code b} from {@code b.position()} up to at most {@code max} bytes; -1 at end. */
    @FunctionalInterface
    public interface Filler {
        int fill(ByteBuffer b, int max) throws IOException;
    }

    private final int size;
    private final ByteBuffer buf;
    private final int[] f = new int[2 * FIELDS];
    private DeliverySink sink;
    private long bytes;
    private LongLine longLine;

    public DeliveryScanner(int bufferSize) {
        if (bufferSize < 64) {
            throw new IllegalArgumentException("buffer too small: " + bufferSize);
        }
        this.size = bufferSize;
        this.buf = ByteBuffer.allocateDirect(PAD + bufferSize + 16).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes read so far by this scanner (for progress). */
    public long bytes() {
        return bytes;
    }

    /** Scans everything {@code in} gives, reporting to {@code sink}. {@code progress} may be null. */
    public void scan(Filler in, DeliverySink sink, java.util.function.LongConsumer progress) throws IOException {
        this.sink = sink;
        this.longLine = null;
        int carry = 0;
        while (true) {
            buf.limit(PAD + size);
            buf.position(PAD + carry);
            int n = in.fill(buf, size - carry);
            buf.limit(buf.capacity());
            boolean end = n < 0;
            if (end) {
                n = 0;
            }
            bytes += n;
            if (progress != null && n > 0) {
                progress.accept(n);
            }
            int filled = PAD + carry + n;
            int start = PAD;
            if (longLine != null) {
                int nl = findNewline(PAD, filled);
                if (nl < 0) {
                    longLine.feed(PAD, filled);
                    carry = 0;
                    if (end) {
                        longLine.finish();
                        longLine = null;
                        return;
                    }
                    continue;
                }
                longLine.feed(PAD, nl);
                longLine.finish();
                longLine = null;
                start = nl + 1;
            }
            if (end) {
                if (filled > start) {
                    // The last line has no newline: give it one so it is a complete line.
                    buf.put(filled, (byte) '\n');
                    processRegion(buf, start, filled + 1);
                }
                return;
            }
            int last = lastNewline(buf, start, filled);
            if (last < 0) {
                if (start == PAD && filled == PAD + size) {
                    longLine = new LongLine(PAD, filled);
                    carry = 0;
                    continue;
                }
                carry = moveTail(start, filled);
                continue;
            }
            processRegion(buf, start, last + 1);
            carry = moveTail(last + 1, filled);
        }
    }

    /** Size of one mapped window of a plain file. */
    private static final long MAP_WINDOW = 32L << 20;

    /**
     * Scans the lines of {@code [start, end)} of a plain file (start at a line start) through
     * memory-mapped windows, so the page cache is read in place without a copy. Each window
     * starts at a line start and is unmapped before the next one, which keeps the resident set
     * bounded by the window size. What does not fit the windows (the file's last bytes, a line
     * longer than a window, or a JVM that cannot unmap) goes through the buffered path.
     */
    public void scanMapped(FileChannel ch, long start, long end, DeliverySink sink,
                           java.util.function.LongConsumer progress) throws IOException {
        this.sink = sink;
        long pos = start;
        long fileSize = ch.size();
        while (UNMAPPER != null && pos < end) {
            long len = Math.min(MAP_WINDOW, end - pos);
            // The search reads up to 15 bytes past a newline: map 16 bytes of the file beyond the
            // window when it has them (a chunk that ends inside the file ends at a line start, so
            // the whole chunk goes through mapped windows); else stop 16 bytes short of its end.
            boolean slack = fileSize - (pos + len) >= 16;
            if (!slack && len <= (1 << 16)) {
                break;
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, slack ? len + 16 : len);
            try {
                m.order(ByteOrder.LITTLE_ENDIAN);
                int limit = slack ? (int) len : (int) len - 16;
                long a = RawBytes.address(m);
                int last = a != 0 ? lastNewlineRaw(a, 0, limit) : lastNewline(m, 0, limit);
                if (last < 0) {
                    break;
                }
                processRegion(m, 0, last + 1);
                pos += last + 1;
                bytes += last + 1;
                if (progress != null) {
                    progress.accept(last + 1);
                }
            } finally {
                unmap(m);
            }
        }
        long[] at = {pos};
        scan((b, max) -> {
            long left = end - at[0];
            if (left <= 0) {
                return -1;
            }
            if (left < max) {
                b.limit(b.position() + (int) left);
            }
            int n = ch.read(b, at[0]);
            if (n < 0) {
                return -1;
            }
            at[0] += n;
            return n;
        }, sink, progress);
    }

    /** sun.misc.Unsafe#invokeCleaner, to unmap a window at once; null when the JVM does not allow it. */
    private static final java.lang.invoke.MethodHandle UNMAPPER = unmapper();

    private static java.lang.invoke.MethodHandle unmapper() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return java.lang.invoke.MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", java.lang.invoke.MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void unmap(MappedByteBuffer m) {
        try {
            UNMAPPER.invokeExact((ByteBuffer) m);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot unmap a log window", e);
        }
    }

    private int moveTail(int from, int filled) {
        int len = filled - from;
        if (len > 0 && from != PAD) {
            ByteBuffer src = buf.duplicate();
            src.limit(filled).position(from);
            ByteBuffer dst = buf.duplicate();
            dst.limit(PAD + len).position(PAD);
            dst.put(src);
        }
        return len;
    }

    /**
     * High bit set in every byte of {@code x} that is zero, and possibly in a 0x01 byte above a
     * zero one: a filter whose false hits the caller's full compare rejects; it misses no zero.
     */
    private static long zeroBytes(long x) {
        return (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
    }

    private static long eqMask(long w, long pat) {
        long x = w ^ pat;
        long y = (x & ONES7) + ONES7;
        return ~(y | x | ONES7);
    }

    /** Scans complete lines in {@code [from, limit)}; the byte at {@code limit - 1} is a newline. */
    private void processRegion(ByteBuffer b, int from, int limit) {
        long a = RawBytes.address(b);
        if (a != 0) {
            processRaw(b, a, from, limit);
            return;
        }
        int resume = from;
        while (true) {
            int c = find(b, resume, limit);
            if (c < 0) {
                return;
            }
            int le = nextNewline(b, c + 8);
            handleLine(b, lineStart(b, c, resume), le, c + 8);
            resume = le + 1;
        }
    }

    /** {@link #processRegion} through raw word loads from the buffer's address {@code a}. */
    private void processRaw(ByteBuffer b, long a, int from, int limit) {
        int resume = from;
        while (true) {
            int c = findRaw(a, resume, limit);
            if (c < 0) {
                return;
            }
            int le = nextNewlineRaw(a, c + 8);
            int nl = lastNewlineRaw(a, resume, c);
            handleLine(b, nl < 0 ? resume : nl + 1, le, c + 8);
            resume = le + 1;
        }
    }

    /**
     * Start of the next {@code " status="} that begins at or after {@code from} and ends by
     * {@code limit}, or -1. Per eight candidate starts: two word loads, a space at the start and
     * an {@code '='} seven bytes on ({@code " delays="}, {@code " client="} and {@code " status="}
     * pass that filter, little else; see {@link #zeroBytes}), then one compare of the eight bytes. Reads up to 15
     * bytes past {@code limit - 8}: the callers' buffers keep 16 bytes of slack.
     */
    private static int findRaw(long a, int from, int limit) {
        int p = from;
        while (p + 8 <= limit) {
            long m = zeroBytes(RawBytes.getLong(a + p) ^ SP) & zeroBytes(RawBytes.getLong(a + p + 7) ^ EQ);
            while (m != 0) {
                int s = p + (Long.numberOfTrailingZeros(m) >>> 3);
                if (s + 8 > limit) {
                    return -1;
                }
                if (RawBytes.getLong(a + s) == PAT) {
                    return s;
                }
                m &= m - 1;
            }
            p += 8;
        }
        return -1;
    }

    private static int nextNewlineRaw(long a, int i) {
        while (true) {
            long m = eqMask(RawBytes.getLong(a + i), NL);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
            i += 8;
        }
    }

    /** Index of the last newline in [from, to), or -1. */
    private static int lastNewlineRaw(long a, int from, int to) {
        int i = to;
        for (; i - 8 >= from; i -= 8) {
            long m = eqMask(RawBytes.getLong(a + i - 8), NL);
            if (m != 0) {
                return i - 8 + 7 - (Long.numberOfLeadingZeros(m) >>> 3);
            }
        }
        for (; i > from; i--) {
            if (RawBytes.getByte(a + i - 1) == '\n') {
                return i - 1;
            }
        }
        return -1;
    }

    /**
     * Start of the next {@code " status="} that begins at or after {@code from} and ends before
     * {@code limit}, or -1. Kept small so the JIT compiles it early: one load and a few
     * operations per eight bytes to find {@code '='}, then one compare of the eight bytes that
     * end there.
     */
    private static int find(ByteBuffer b, int from, int limit) {
        int p = from + 7;
        while (p < limit) {
            long m = eqMask(b.getLong(p), EQ);
            while (m != 0) {
                int eq = p + (Long.numberOfTrailingZeros(m) >>> 3);
                if (eq >= limit) {
                    return -1;
                }
                if (b.getLong(eq - 7) == PAT) {
                    return eq - 7;
                }
                m &= m - 1;
            }
            p += 8;
        }
        return -1;
    }

    private static int nextNewline(ByteBuffer b, int i) {
        while (true) {
            long m = eqMask(b.getLong(i), NL);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
            i += 8;
        }
    }

    /** Index of the first newline in [from, to), or -1. */
    private int findNewline(int from, int to) {
        final ByteBuffer b = this.buf;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long m = eqMask(b.getLong(i), NL);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Index of the last newline in [from, to), or -1. */
    private static int lastNewline(ByteBuffer b, int from, int to) {
        int i = to;
        for (; i - 8 >= from; i -= 8) {
            long m = eqMask(b.getLong(i - 8), NL);
            if (m != 0) {
                return i - 8 + 7 - (Long.numberOfLeadingZeros(m) >>> 3);
            }
        }
        for (; i > from; i--) {
            if (b.get(i - 1) == '\n') {
                return i - 1;
            }
        }
        return -1;
    }

    private static int lineStart(ByteBuffer b, int c, int resume) {
        int nl = lastNewline(b, resume, c);
        return nl < 0 ? resume : nl + 1;
    }

    private static boolean blank(byte x) {
        return x == ' ' || x == '\t';
    }

    private static final long TAB = 0x0909090909090909L;

    /** Splits up to {@code max} fields of [ls, le) into {@link #f}; returns how many. */
    private int fields(ByteBuffer b, int ls, int le, int max) {
        int nf = 0;
        int i = ls;
        while (nf < max) {
            while (i < le && blank(b.get(i))) {
                i++;
            }
            if (i >= le) {
                break;
            }
            f[2 * nf] = i;
            i = fieldEnd(b, i, le);
            f[2 * nf + 1] = i;
            nf++;
        }
        return nf;
    }

    /** First space or tab at or after i, or le; eight bytes at a time. */
    private static int fieldEnd(ByteBuffer b, int i, int le) {
        while (i + 8 <= le) {
            long w = b.getLong(i);
            long m = eqMask(w, SP) | eqMask(w, TAB);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
            i += 8;
        }
        while (i < le && !blank(b.get(i))) {
            i++;
        }
        return i;
    }

    private static boolean rfc3339(ByteBuffer b, int[] f, int nf) {
        if (nf < 1 || f[1] - f[0] < 5) {
            return false;
        }
        int s = f[0];
        for (int i = 0; i < 4; i++) {
            byte x = b.get(s + i);
            if (x < '0' || x > '9') {
                return false;
            }
        }
        return b.get(s + 4) == '-';
    }

    /** True when [s, e) ends in {@code /smtp[DIGITS]:}. */
    static boolean smtpTag(ByteBuffer b, int s, int e) {
        if (e - s < 9 || b.get(e - 1) != ':' || b.get(e - 2) != ']') {
            return false;
        }
        int i = e - 3;
        int digits = 0;
        while (i >= s && b.get(i) >= '0' && b.get(i) <= '9') {
            i--;
            digits++;
        }
        if (digits == 0 || i - 5 < s) {
            return false;
        }
        return b.get(i) == '[' && b.get(i - 1) == 'p' && b.get(i - 2) == 't' && b.get(i - 3) == 'm'
                && b.get(i - 4) == 's' && b.get(i - 5) == '/';
    }

    private static int firstSlash(ByteBuffer b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b.get(i) == '/') {
                return i;
            }
        }
        return e;
    }

    /** The status code of the value at v (line ends at le), or -1. */
    static int status(ByteBuffer b, int v, int le) {
        int n = Math.min(9, le - v);
        if (n >= 4 && b.get(v) == 's' && b.get(v + 1) == 'e' && b.get(v + 2) == 'n' && b.get(v + 3) == 't') {
            if (n == 4) {
                return DeliverySink.SENT;
            }
            byte x = b.get(v + 4);
            return x == ' ' || x == ',' ? DeliverySink.SENT : -1;
        }
        if (n >= 8 && b.get(v) == 'd' && startsWith(b, v, "deferred")) {
            return DeliverySink.DEFERRED;
        }
        if (n >= 7 && b.get(v) == 'b' && startsWith(b, v, "bounced")) {
            return DeliverySink.BOUNCED;
        }
        return -1;
    }

    private static boolean startsWith(ByteBuffer b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b.get(at + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** One line [ls, le) whose first {@code " status="} value starts at v. */
    private void handleLine(ByteBuffer b, int ls, int le, int v) {
        int nf = fields(b, ls, le, 7);
        int tag = rfc3339(b, f, nf) ? 2 : 4;
        int msg = tag + 2;
        if (nf <= tag || !smtpTag(b, f[2 * tag], f[2 * tag + 1])) {
            if (looksLikeDelivery(b, fields(b, ls, le, FIELDS), tag)) {
                sink.suspect(b, ls, le, "delivery line in an unexpected layout");
            }
            return;
        }
        if (nf <= msg || f[2 * msg + 1] - f[2 * msg] < 3 || b.get(f[2 * msg]) != 't'
                || b.get(f[2 * msg] + 1) != 'o' || b.get(f[2 * msg] + 2) != '=') {
            return;
        }
        int st = status(b, v, le);
        if (st < 0) {
            if (!knownOtherStatus(b, v, le)) {
                sink.suspect(b, ls, le, "unreadable status");
            }
            return;
        }
        sink.delivery(b, f, nf, tag, firstSlash(b, f[2 * tag], f[2 * tag + 1]), st);
    }

    /** Statuses that smtp lines legitimately carry but that are not deliveries (address verification). */
    private static boolean knownOtherStatus(ByteBuffer b, int v, int le) {
        // Nine bytes are all the rule looks at (and all a line longer than the buffer keeps).
        return (le - v >= 9 && startsWith(b, v, "deliverab")) || (le - v >= 9 && startsWith(b, v, "undeliver"))
                || (le - v >= 7 && startsWith(b, v, "expired"));
    }

    /** Some field of the first nine ends in /smtp[N]: and the next-but-one starts with to=. */
    private boolean looksLikeDelivery(ByteBuffer b, int nf, int tag) {
        for (int i = 0; i + 2 < nf; i++) {
            if (i != tag && smtpTag(b, f[2 * i], f[2 * i + 1]) && f[2 * i + 5] - f[2 * i + 4] >= 3
                    && b.get(f[2 * i + 4]) == 't' && b.get(f[2 * i + 4] + 1) == 'o' && b.get(f[2 * i + 4] + 2) == '=') {
                return true;
            }
        }
        return false;
    }

    /**
     * A line that did not fit in the buffer, followed byte by byte: awk's field split of the
     * first nine fields (each kept up to 64 KiB), the first {@code " status="} anywhere on the
     * line and the nine bytes after it. At the end of the line these are rebuilt into a short
     * equivalent line (same first nine fields and separators, same first status value) that
     * goes through the normal per-line rule.
     */
    private final class LongLine {
        private static final int FIELD_CAP = 1 << 16;
        private final byte[][] fieldBytes = new byte[FIELDS][];
        private final int[] fieldLen = new int[FIELDS];
        private final byte[] sepBefore = new byte[FIELDS];
        private int nf;
        private boolean inField;
        private byte lastSep;
        private long offset;
        private long fieldsEnd = -1;
        private int matched;
        private long matchAt = -1;
        private final byte[] value = new byte[9];
        private int nvalue;

        LongLine(int from, int to) {
            feed(from, to);
        }

        void feed(int from, int to) {
            ByteBuffer b = buf;
            for (int i = from; i < to; i++, offset++) {
                byte x = b.get(i);
                if (fieldsEnd < 0) {
                    if (blank(x)) {
                        if (inField && nf == FIELDS) {
                            fieldsEnd = offset;
                        }
                        inField = false;
                        lastSep = x;
                    } else if (!inField) {
                        if (nf < FIELDS) {
                            fieldBytes[nf] = new byte[64];
                            sepBefore[nf] = lastSep;
                            nf++;
                            inField = true;
                            append(nf - 1, x);
                        } else if (fieldsEnd < 0) {
                            fieldsEnd = offset;
                        }
                    } else {
                        append(nf - 1, x);
                    }
                }
                if (matchAt >= 0) {
                    if (nvalue < 9) {
                        value[nvalue++] = x;
                    }
                } else if (x == PAT_BYTES[matched]) {
                    if (++matched == 8) {
                        matchAt = offset - 7;
                    }
                } else {
                    matched = x == ' ' ? 1 : 0;
                }
            }
        }

        private void append(int field, byte x) {
            int n = fieldLen[field];
            if (n >= FIELD_CAP) {
                return;
            }
            if (n == fieldBytes[field].length) {
                fieldBytes[field] = java.util.Arrays.copyOf(fieldBytes[field], n * 2);
            }
            fieldBytes[field][n] = x;
            fieldLen[field] = n + 1;
        }

        void finish() {
            if (matchAt < 0) {
                return;
            }
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            for (int k = 0; k < nf; k++) {
                if (sepBefore[k] != 0) {
                    line.write(sepBefore[k]);
                }
                line.write(fieldBytes[k], 0, fieldLen[k]);
            }
            if (fieldsEnd >= 0 && matchAt >= fieldsEnd) {
                line.writeBytes(PAT_BYTES);
                line.write(value, 0, nvalue);
            }
            byte[] l = line.toByteArray();
            ByteBuffer side = ByteBuffer.allocateDirect(PAD + l.length + 16).order(ByteOrder.LITTLE_ENDIAN);
            side.put(PAD, l);
            side.put(PAD + l.length, (byte) '\n');
            int c = -1;
            for (int k = PAD; k + 8 <= PAD + l.length; k++) {
                if (side.getLong(k) == PAT) {
                    c = k;
                    break;
                }
            }
            if (c >= 0) {
                handleLine(side, PAD, PAD + l.length, c + 8);
            }
        }
    }
}
