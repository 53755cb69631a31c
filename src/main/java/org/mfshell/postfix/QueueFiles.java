package org.mfshell.postfix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.mfshell.core.MfshellException;

/**
 * Reads an instance's queue the way its showq daemon does, straight from the queue files (root
 * only), and reports each message as {@code postqueue -j} would: same queues in the same order
 * (maildrop, then active, incoming, deferred, hold with their one-letter hash subdirectories,
 * each in directory order), same records (Postfix's record format: a type byte, a length in
 * 7-bit groups, the data; pointer records followed, padding skipped, reading ends at the end
 * record, the message content skipped by its size record), same defer-log reasons listed first
 * and the same duplicate filter, same quoting of local parts and replacement of unprintable
 * bytes. This is showq.c and bounce_log.c of Postfix 3.7, whose output it was checked against
 * on real queues; {@link #verified} names the versions it may be used for.
 *
 * <p>Files are opened without following symlinks; a file that vanishes or is not yet complete
 * (mode not 0700) is skipped, as showq skips it. Unlike one showq pass, a message that moves to
 * another queue during the scan is reported once: a message already reported under its queue id
 * is not reported again, and the queues a message can move back into (active, deferred) are
 * listed once more at the end, and ids not seen yet read then. Queue ids name one file at a time in an
 * instance (short ids: microseconds and inode number; long ids also the seconds), and keep their
 * name when a file moves between queues.
 *
 * <p>Files are read on two threads while the caller's thread consumes the messages in order, so
 * the output order is the single-threaded one. At most a few hundred messages are in flight:
 * memory does not grow with the queue, except for the set of ids seen (some tens of bytes each).
 */
public final class QueueFiles {
    /** The postconf parameters {@link #layout} needs. */
    public static final List<String> PARAMS = List.of("queue_directory", "hash_queue_names", "hash_queue_depth",
            "empty_address_recipient", "smtputf8_enable", "duplicate_filter_limit", "mail_version");
    static final List<String> QUEUES = List.of("maildrop", "active", "incoming", "deferred", "hold");
    private static final List<String> LISTED_AGAIN = List.of("active", "deferred");
    // Small batches keep the messages in flight (and what each young collection copies) few.
    private static final int BATCH = 64;
    private static final int IN_FLIGHT = 8;
    private static final int THREADS = 2;
    private static final int REVERSE_JUMP_LIMIT = 10000;
    private static final ThreadLocal<ByteBuffer> LOG_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(8192));
    private static final ThreadLocal<ByteBuffer> FILE_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(4096));
    private static final String SAFE_CHARS = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

    /** What the reader needs to know about one instance's queue. */
    public record Layout(Path queueDir, Set<String> hashedQueues, int hashDepth, String emptyAddress, boolean utf8,
                         int duplicateFilterLimit, String mailVersion) {
    }

    /** Receives messages in order; returning false stops the scan. */
    public interface Handler {
        boolean message(QueueMessage m);
    }

    private QueueFiles() {
    }

    /** True for the Postfix versions whose showq this reader follows and was checked against: 3.7.x. */
    public static boolean verified(String mailVersion) {
        return mailVersion != null && mailVersion.matches("3\\.7\\.\\d+");
    }

    /** The layout from {@code postconf -x} values of {@link #PARAMS}. */
    public static Layout layout(Map<String, String> v) {
        Set<String> hashed = new HashSet<>();
        for (String q : v.getOrDefault("hash_queue_names", "").split("[,\\s]+")) {
            if (!q.isEmpty()) {
                hashed.add(q.toLowerCase(Locale.ROOT));
            }
        }
        int depth;
        int dup;
        try {
            depth = Integer.parseInt(v.getOrDefault("hash_queue_depth", "1").strip());
            dup = Integer.parseInt(v.getOrDefault("duplicate_filter_limit", "1000").strip());
        } catch (NumberFormatException e) {
            throw new MfshellException("postconf: hash_queue_depth or duplicate_filter_limit is not a number");
        }
        String qd = v.getOrDefault("queue_directory", "");
        if (!qd.startsWith("/") || depth < 1) {
            throw new MfshellException("postconf: unusable queue_directory or hash_queue_depth");
        }
        return new Layout(Path.of(qd), Set.copyOf(hashed), depth, v.getOrDefault("empty_address_recipient", "MAILER-DAEMON"),
                v.getOrDefault("smtputf8_enable", "yes").equalsIgnoreCase("yes"), dup, v.getOrDefault("mail_version", ""));
    }

    /** True when every queue directory exists and is a real directory (a started instance). */
    public static boolean readable(Layout layout) {
        for (String q : QUEUES) {
            if (!Files.isDirectory(layout.queueDir().resolve(q), LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    private record Entry(String queue, Path file, String id) {
    }

    private static final List<QueueMessage> END = Collections.unmodifiableList(new ArrayList<>());

    /** Reads the whole queue, handing each message to {@code handler} in showq's order; returns the number handed over. */
    public static long scan(Layout layout, Handler handler) {
        return scan(layout, m -> { }, handler);
    }

    /**
     * As {@link #scan(Layout, Handler)}, with {@code prepare} called for each message on the
     * reading thread (e.g. to normalise its reasons into a thread-safe cache) before the handler
     * sees it.
     */
    public static long scan(Layout layout, java.util.function.Consumer<QueueMessage> prepare, Handler handler) {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1, r -> {
            Thread t = new Thread(r, "queue-files");
            t.setDaemon(true);
            return t;
        });
        BlockingQueue<Future<List<QueueMessage>>> ordered = new ArrayBlockingQueue<>(IN_FLIGHT);
        Future<?> walker = pool.submit(() -> {
            walk(layout, pool, ordered, prepare);
            return null;
        });
        Set<String> seen = new HashSet<>();
        long n = 0;
        try {
            while (true) {
                List<QueueMessage> batch = ordered.take().get();
                if (batch == END) {
                    break;
                }
                for (QueueMessage m : batch) {
                    if (!seen.add(m.queueId())) {
                        continue;
                    }
                    n++;
                    if (!handler.message(m)) {
                        return n;
                    }
                }
            }
            walker.get();
            // Every file of the first pass has been read and handed over. A message that moved into a
            // queue listed before its old one was missed: those queues are listed again, and what was
            // not seen yet is read here (usually nothing or a few messages).
            List<Entry> again = new ArrayList<>();
            for (String q : LISTED_AGAIN) {
                list(layout.queueDir().resolve(q), q, true, e -> {
                    if (!seen.contains(e.id())) {
                        again.add(e);
                    }
                });
            }
            for (Entry e : again) {
                QueueMessage m = readFile(layout, e.queue(), e.file(), e.id());
                if (m == null || !seen.add(m.queueId())) {
                    continue;
                }
                prepare.accept(m);
                n++;
                if (!handler.message(m)) {
                    return n;
                }
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted while reading the queue");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new MfshellException("reading the queue of " + layout.queueDir() + ": " + c.getMessage(), c);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new MfshellException("reading the queue of " + layout.queueDir() + ": " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void walk(Layout layout, ExecutorService pool, BlockingQueue<Future<List<QueueMessage>>> ordered,
                             java.util.function.Consumer<QueueMessage> prepare) throws Exception {
        List<Entry> batch = new ArrayList<>(BATCH);
        for (String q : QUEUES) {
            list(layout.queueDir().resolve(q), q, !q.equals("maildrop"), e -> {
                batch.add(e);
                if (batch.size() == BATCH) {
                    submit(layout, pool, ordered, prepare, new ArrayList<>(batch));
                    batch.clear();
                }
            });
        }
        if (!batch.isEmpty()) {
            submit(layout, pool, ordered, prepare, new ArrayList<>(batch));
            batch.clear();
        }
        ordered.put(java.util.concurrent.CompletableFuture.completedFuture(END));
    }

    /** Reads {@code entries} on a pool thread; the result goes in line for the consumer, in order. */
    private static void submit(Layout layout, ExecutorService pool, BlockingQueue<Future<List<QueueMessage>>> ordered,
                               java.util.function.Consumer<QueueMessage> prepare, List<Entry> entries)
            throws InterruptedException {
        Future<List<QueueMessage>> f = pool.submit(() -> {
            List<QueueMessage> out = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                QueueMessage m = readFile(layout, e.queue(), e.file(), e.id());
                if (m != null) {
                    prepare.accept(m);
                    out.add(m);
                }
            }
            return out;
        });
        ordered.put(f);
    }

    private interface EntrySink {
        void entry(Entry e) throws Exception;
    }

    /** scan_dir_next / mail_scan_dir_next: directory order, one-letter names are subdirectories entered on the spot. */
    private static void list(Path dir, String queue, boolean recursive, EntrySink sink) throws Exception {
        DirectoryStream<Path> ds;
        try {
            ds = Files.newDirectoryStream(dir);
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return;
        }
        try (ds) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (recursive && name.length() == 1) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        list(p, queue, true, sink);
                    }
                } else if (idOk(name)) {
                    sink.entry(new Entry(queue, p, name));
                }
            }
        }
    }

    /** mail_queue_id_ok: 1 to 255 letters, digits and underscores. */
    static boolean idOk(String id) {
        if (id.isEmpty() || id.length() > 255) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** One queue file as showq_report reports it, or null when showq would skip it. */
    static QueueMessage readFile(Layout layout, String queue, Path file, String id) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
        Set<PosixFilePermission> perms = a.permissions();
        if (!a.isRegularFile() || !perms.contains(PosixFilePermission.OWNER_READ)
                || !perms.contains(PosixFilePermission.OWNER_WRITE) || !perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
            return null;
        }
        boolean expired = perms.contains(PosixFilePermission.GROUP_EXECUTE);
        long mtime = a.lastModifiedTime().to(TimeUnit.SECONDS);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return report(layout, queue, id, new Records(ch, a.size()), a.size(), mtime, expired);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static QueueMessage report(Layout layout, String queue, String id, Records in, long size, long mtime,
                                       boolean expired) throws IOException {
        long arrival = 0;
        long msgSize = size;
        boolean sizeOk = false;
        int senderSeen = 0;
        String sender = null;
        long arrivalReported = 0;
        long sizeReported = 0;
        List<QueueMessage.Recipient> rcpts = new ArrayList<>(2);
        Dup dup = null;
        int type;
        loop:
        while ((type = in.next()) > 0) {
            switch (type) {
                case 'T' -> {
                    if (arrival == 0) {
                        arrival = atol(in.data, in.len);
                    }
                }
                case 'C' -> {
                    if (!sizeOk) {
                        sizeOk = digitsAndSpaces(in.data, in.len) && (msgSize = atol(in.data, in.len)) >= 0;
                        if (!sizeOk) {
                            msgSize = size;
                        }
                    }
                }
                case 'S' -> {
                    String addr = address(layout, in.data, in.len);
                    if (senderSeen++ > 0) {
                        break loop;
                    }
                    sender = addr;
                    arrivalReported = arrival > 0 ? arrival : mtime;
                    sizeReported = msgSize;
                    Path log = deferLog(layout, id);
                    if (log != null) {
                        dup = new Dup();
                        reasons(layout, log, rcpts, dup);
                    }
                }
                case 'R' -> {
                    if (senderSeen == 0) {
                        break loop;
                    }
                    String addr = address(layout, in.data, in.len);
                    if (dup == null || !dup.contains(addr)) {
                        rcpts.add(new QueueMessage.Recipient(addr, null, null, null));
                    }
                }
                case 'M' -> {
                    if (sizeOk) {
                        in.pos += msgSize;
                    }
                }
                default -> {
                }
            }
        }
        if (senderSeen == 0) {
            return null;
        }
        return new QueueMessage(queue, id, arrivalReported, sizeReported, expired, sender,
                Collections.unmodifiableList(rcpts), 0, null);
    }

    /** An envelope address as showq prints it: the null address as empty_address_recipient, quote_822_local, printable. */
    private static String address(Layout layout, byte[] data, int len) {
        int n = cstrlen(data, len);
        byte[] b = n == 0 ? layout.emptyAddress().getBytes(StandardCharsets.UTF_8) : java.util.Arrays.copyOf(data, n);
        b = quote822Local(b);
        printable(b, b.length, layout.utf8());
        return new String(b, StandardCharsets.UTF_8);
    }

    /** quote_822_local with Postfix's default flags (8-bit clean). */
    static byte[] quote822Local(byte[] mbox) {
        int start = 0;
        if (mbox.length > 0 && mbox[0] == '@') {
            int colon = indexOf(mbox, (byte) ':', 0);
            if (colon >= 0) {
                start = colon + 1;
            }
        }
        int end = mbox.length;
        for (int i = mbox.length - 1; i >= start; i--) {
            if (mbox[i] == '@') {
                end = i;
                break;
            }
        }
        if (dotString(mbox, start, end)) {
            return mbox;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(mbox.length + 4);
        out.write(mbox, 0, start);
        out.write('"');
        for (int i = start; i < end; i++) {
            int ch = mbox[i] & 0xff;
            if (ch == '"' || ch == '\\' || ch == '\r') {
                out.write('\\');
            }
            out.write(ch);
        }
        out.write('"');
        out.write(mbox, end, mbox.length - end);
        return out.toByteArray();
    }

    private static boolean dotString(byte[] b, int start, int end) {
        if (start == end || b[start] == '.') {
            return false;
        }
        for (int i = start; i < end; i++) {
            int ch = b[i] & 0xff;
            if (ch == '.' && i + 1 < end && b[i + 1] == '.') {
                return false;
            }
            if (ch == ' ' || ch < 0x20 || ch == 0x7f) {
                return false;
            }
            if (ch == '(' || ch == ')' || ch == '<' || ch == '>' || ch == '@' || ch == ',' || ch == ';' || ch == ':'
                    || ch == '\\' || ch == '"' || ch == '[' || ch == ']') {
                return false;
            }
        }
        return b[end - 1] != '.';
    }

    /** printable(): unprintable ASCII and (with SMTPUTF8 on) bytes that do not start a UTF-8 sequence become '?'. */
    static void printable(byte[] b, int len, boolean utf8) {
        printable(b, 0, len, utf8);
    }

    static void printable(byte[] b, int from, int len, boolean utf8) {
        for (int i = from; i < len; i++) {
            int ch = b[i] & 0xff;
            if (ch < 0x80 && ch >= 0x20 && ch != 0x7f) {
                continue;
            }
            if (utf8 && ch >= 194 && ch <= 254 && i + 1 < len && (b[i + 1] & 0xc0) == 0x80) {
                while (i + 1 < len && (b[i + 1] & 0xc0) == 0x80) {
                    i++;
                }
                continue;
            }
            b[i] = '?';
        }
    }

    /** The defer log of {@code id} (defer/, hashed like mail_queue_dir), or null when there is none. */
    private static Path deferLog(Layout layout, String id) {
        Path dir = layout.queueDir().resolve("defer");
        if (layout.hashedQueues().contains("defer")) {
            String key = id;
            int z = id.lastIndexOf('z');
            if (z >= 10) {
                key = String.format("%05X", safeDecode(id.substring(z - 4, z)));
            }
            for (int i = 0; i < layout.hashDepth(); i++) {
                dir = dir.resolve(i < key.length() ? key.substring(i, i + 1) : "_");
            }
        }
        return dir.resolve(id);
    }

    private static long safeDecode(String s) {
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = SAFE_CHARS.indexOf(s.charAt(i));
            if (d < 0) {
                return 0;
            }
            v = v * 52 + d;
        }
        return v;
    }

    /** bounce_log_read over the whole defer log: its entries, in order, before the queue file's own recipients. */
    private static void reasons(Layout layout, Path log, List<QueueMessage.Recipient> rcpts, Dup dup) {
        int filled;
        byte[] all;
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bb = LOG_BUFFER.get();
            bb.clear();
            // A read that does not fill the buffer has read a regular file to its end: no second read for the EOF.
            while (ch.read(bb) > 0) {
                if (bb.hasRemaining()) {
                    break;
                }
                if (bb.capacity() >= 64 << 20) {
                    break;
                }
                ByteBuffer bigger = ByteBuffer.allocate(bb.capacity() * 2);
                bb.flip();
                bigger.put(bb);
                bb = bigger;
                LOG_BUFFER.set(bb);
            }
            all = bb.array();
            filled = bb.position();
        } catch (IOException e) {
            return;
        }
        int pos = 0;
        int limit = filled;
        boolean found = false;
        String address = "";
        String reason = "";
        boolean utf8 = layout.utf8();
        while (pos < limit) {
            // One pass over the line: its end, its first NUL (where the C string ends) and whether
            // printable() has anything to do before that.
            int start = pos;
            int nul = -1;
            int end = pos;
            boolean clean = true;
            while (end < limit) {
                byte c = all[end];
                if (c == '\n') {
                    break;
                }
                if ((c < 0x20 || c == 0x7f) && nul < 0) {
                    if (c == 0) {
                        nul = end;
                    } else {
                        clean = false;
                    }
                }
                end++;
            }
            pos = end < limit ? end + 1 : limit;
            int len = (nul >= 0 ? nul : end) - start;
            if (len == 0) {
                if (found) {
                    add(layout, rcpts, dup, address, reason);
                    address = "";
                    reason = "";
                }
                found = false;
                continue;
            }
            found = true;
            int c0 = all[start] & 0xff;
            int stop = start + len;
            if (c0 < 0x80 && (c0 >= '0' && c0 <= '9' || c0 >= 'A' && c0 <= 'Z' || c0 >= 'a' && c0 <= 'z')) {
                // Only the two attributes showq reports are turned into text.
                boolean rcpt = startsWith(all, start, len, RECIPIENT);
                if (!rcpt && !startsWith(all, start, len, REASON)) {
                    continue;
                }
                if (!clean) {
                    printable(all, start, stop, utf8);
                }
                // split_nameval: the name ends at a blank or '='; blanks, then '=' must follow.
                int eq = start + (rcpt ? RECIPIENT.length : REASON.length);
                while (eq < stop && isSpace(all[eq])) {
                    eq++;
                }
                if (eq >= stop || all[eq] != '=') {
                    continue;
                }
                int a = eq + 1;
                int b = stop;
                while (a < b && isSpace(all[a])) {
                    a++;
                }
                while (b > a && isSpace(all[b - 1])) {
                    b--;
                }
                String value = new String(all, a, b - a, StandardCharsets.UTF_8);
                if (rcpt) {
                    address = value.isEmpty() ? "(MAILER-DAEMON)" : value;
                } else {
                    reason = value;
                }
                continue;
            }
            if (all[start] != '<') {
                continue;
            }
            if (!clean) {
                printable(all, start, stop, utf8);
            }
            int sep = indexOf(all, SEPARATOR, start + 1, stop);
            if (sep < 0) {
                continue;
            }
            address = sep == start + 1 ? "(MAILER-DAEMON)" : new String(all, start + 1, sep - start - 1, StandardCharsets.UTF_8);
            int t = sep + 2;
            while (t < stop && isSpace(all[t])) {
                t++;
            }
            reason = new String(all, t, stop - t, StandardCharsets.UTF_8);
        }
        // An entry not followed by a blank line is not read (bounce_log_read returns at end of file).
    }

    private static final byte[] SEPARATOR = ">: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECIPIENT = "recipient".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REASON = "reason".getBytes(StandardCharsets.US_ASCII);

    /** The line starts with {@code name} followed by a blank or '=' (split_nameval's name end). */
    private static boolean startsWith(byte[] b, int start, int len, byte[] name) {
        if (len <= name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (b[start + i] != name[i]) {
                return false;
            }
        }
        byte next = b[start + name.length];
        return next == '=' || next == ' ' || next == '\t' || next == 0x0b || next == '\f' || next == '\r';
    }

    /** The addresses of the defer log's entries (showq's dup_filter): a list while small, a hash set beyond. */
    private static final class Dup {
        private final List<String> few = new ArrayList<>(2);
        private Set<String> many;

        int size() {
            return many != null ? many.size() : few.size();
        }

        void add(String a) {
            if (many != null) {
                many.add(a);
            } else if (!few.contains(a)) {
                few.add(a);
                if (few.size() > 16) {
                    many = new HashSet<>(few);
                }
            }
        }

        boolean contains(String a) {
            return many != null ? many.contains(a) : few.contains(a);
        }
    }

    private static void add(Layout layout, List<QueueMessage.Recipient> rcpts, Dup dup, String address,
                            String reason) {
        String a = address.isEmpty() ? "(recipient address unavailable)" : address;
        String r = reason.isEmpty() ? "(description unavailable)" : reason;
        if (layout.duplicateFilterLimit() == 0 || dup.size() < layout.duplicateFilterLimit()) {
            dup.add(a);
        }
        rcpts.add(new QueueMessage.Recipient(a, r, null, null));
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /** Where {@code v} first occurs in b[from, to), or -1. */
    private static int indexOf(byte[] b, byte[] v, int from, int to) {
        outer:
        for (int i = from; i + v.length <= to; i++) {
            for (int k = 0; k < v.length; k++) {
                if (b[i + k] != v[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        return indexOf(b, v, from, b.length);
    }

    private static int indexOf(byte[] b, byte v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static int cstrlen(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return len;
    }

    /** atol(): optional blanks and sign, then digits. */
    static long atol(byte[] b, int len) {
        int i = 0;
        while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == 0x0b || b[i] == '\f')) {
            i++;
        }
        boolean neg = false;
        if (i < len && (b[i] == '-' || b[i] == '+')) {
            neg = b[i] == '-';
            i++;
        }
        long v = 0;
        while (i < len && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        return neg ? -v : v;
    }

    private static boolean digitsAndSpaces(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] == 0) {
                return true;
            }
            if (!(b[i] == ' ' || b[i] >= '0' && b[i] <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** rec_get with REC_FLAG_DEFAULT over one open queue file: follows pointers, skips padding, stops after the end record. */
    static final class Records {
        private final FileChannel ch;
        private final long fileSize;
        private final ByteBuffer buf = FILE_BUFFER.get();
        private final byte[] bytes = buf.array();
        private long bufStart = 0;
        private int bufLen = 0;
        long pos = 0;
        byte[] data = new byte[256];
        int len;
        private long savedOffset = 0;
        private int reverse = 0;

        /** {@code fileSize} from the lstat before opening (qmgr only rewrites queue files in place). */
        Records(FileChannel ch, long fileSize) {
            this.ch = ch;
            this.fileSize = fileSize;
        }

        private int getc() throws IOException {
            if (pos < bufStart || pos >= bufStart + bufLen) {
                if (pos >= fileSize) {
                    return -1;
                }
                buf.clear();
                bufStart = pos;
                int n = ch.read(buf, pos);
                bufLen = Math.max(n, 0);
                if (bufLen == 0) {
                    return -1;
                }
            }
            return bytes[(int) (pos++ - bufStart)] & 0xff;
        }

        /** The next record's type ('T', 'S', ...), its data in {@link #data}; -1 at the end, -2 on a bad record. */
        int next() throws IOException {
            while (true) {
                int type = getc();
                if (type < 0) {
                    return -1;
                }
                long l = 0;
                for (int shift = 0; ; shift += 7) {
                    if (shift >= 32) {
                        return -2;
                    }
                    int b = getc();
                    if (b < 0) {
                        return -2;
                    }
                    l |= (long) (b & 0x7f) << shift;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                }
                if (l > Integer.MAX_VALUE || pos + l > fileSize) {
                    return -2;
                }
                int n = (int) l;
                if (type != 'T' && type != 'C' && type != 'S' && type != 'R' && type != 'p') {
                    // Records showq does not look at (content, padding, attributes...): only skipped.
                    pos += n;
                    len = 0;
                } else {
                    if (data.length < n) {
                        data = new byte[Math.max(n, data.length * 2)];
                    }
                    long at = pos - bufStart;
                    if (pos >= bufStart && at + n <= bufLen) {
                        System.arraycopy(bytes, (int) at, data, 0, n);
                        pos += n;
                    } else {
                        for (int i = 0; i < n; i++) {
                            data[i] = (byte) getc();
                        }
                    }
                    len = n;
                }
                if (type == 'p') {
                    long off = offset();
                    if (off < 0) {
                        return -2;
                    }
                    if (off == 0) {
                        continue;
                    }
                    if (off <= savedOffset && ++reverse > REVERSE_JUMP_LIMIT) {
                        return -2;
                    }
                    pos = off;
                    savedOffset = off;
                    continue;
                }
                if (type == 'w') {
                    continue;
                }
                if (type == 'E') {
                    pos = fileSize;
                }
                return type;
            }
        }

        /** off_cvt_string after leading blanks: digits only, else -1. */
        private long offset() {
            int i = 0;
            int n = cstrlen(data, len);
            while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r' || data[i] == 0x0b || data[i] == '\f')) {
                i++;
            }
            long v = 0;
            for (; i < n; i++) {
                if (data[i] < '0' || data[i] > '9') {
                    return -1;
                }
                long nv = v * 10 + (data[i] - '0');
                if (nv < v) {
                    return -1;
                }
                v = nv;
            }
            return v;
        }
    }
}
