package org.mfshell.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.Journalctl;
import org.mfshell.postfix.ProcessRunner;

/**
 * The one log follower: each {@link #poll} hands every source's new complete lines, as bytes, to
 * a {@link Reader}, so stats {@code --follow} (counting) and the flush drain (delivery lines of one
 * instance) read logs the same way.
 * <ul>
 * <li>Plain files: the complete lines added since the previous poll (a line still being written
 * waits for its newline). A file that shrank or was replaced (rotation) is read again from its
 * start. A missing file is skipped until it appears, then read from its start.
 * <li>The journal: {@code journalctl -o json --cursor-file=F} each poll (as syslog lines, see
 * {@link JournalLines}); journalctl starts after the cursor it wrote the time before (the first
 * time: at the since-time) and writes the new one, so no entry is read twice. The cursor file is
 * a temporary file, deleted by {@link #close()}.
 * </ul>
 * From the end ({@code fromEnd}): files start at their current size, the journal at now.
 * From saved {@link LogMark}s (metrics' counters, across runs): a marked file resumes at its
 * offset, an unmarked one starts at its end; the journal resumes after its saved cursor.
 * <p>Rotation: a file is the same when its inode is, it did not shrink, and its first KiB hashes
 * as before. Otherwise (renamed away and replaced, or copied and truncated), the rest of the old
 * file is read first from its rotated sibling ({@code NAME.1}, {@code NAME.1.gz},
 * {@code NAME.20261202-133000.gz}, ...: the one with the old inode, or whose first KiB hashes as
 * the old one did and that is long enough), plus any sibling newer than it in full, then the new
 * file from its start. So no line is read twice and none is lost, except with copytruncate the
 * lines written between logrotate's copy and its truncation (logrotate's own caveat).
 * Errors: {@link MfshellException} when a file cannot be read, journalctl fails, or the cursor
 * file cannot be made.
 */
final class LogTail implements AutoCloseable {
    private static final Duration JOURNAL_POLL_TIMEOUT = Duration.ofMinutes(10);

    /** Receives one source's new lines; {@code source} is its index in the list given to the constructor. */
    @FunctionalInterface
    interface Reader {
        void read(int source, DeliveryScanner.Filler lines) throws IOException;
    }

    private static final int HEAD = 1024;

    private static final class File {
        final int index;
        final Path path;
        long offset;
        String keyText;
        int headLength;
        String head;

        File(int index, Path path) {
            this.index = index;
            this.path = path;
        }
    }

    private static final class Journal {
        final int index;
        final LogSource source;
        final Path cursor;
        Long since;

        Journal(int index, LogSource source, Path cursor, Long since) {
            this.index = index;
            this.source = source;
            this.cursor = cursor;
            this.since = since;
        }
    }

    private final List<File> files = new ArrayList<>();
    private final List<Journal> journals = new ArrayList<>();
    private final Journalctl journalctl;
    private final Long sinceMs;
    private final Long untilMs;

    /**
     * Follows plain files and journal sources ({@code runner} runs journalctl; may be null without
     * journals). {@code sinceMs}/{@code untilMs} bound the journal (null: open); with
     * {@code fromEnd} only what is added after now is read.
     */
    LogTail(List<LogSource> sources, Long sinceMs, Long untilMs, boolean fromEnd, ProcessRunner runner) {
        this(sources, sinceMs, untilMs, fromEnd, null, runner);
    }

    /**
     * Resumes from {@code marks} (by {@link LogSource#label()}); unmarked sources start at their
     * end, an unmarked journal at {@code startMs}.
     */
    LogTail(List<LogSource> sources, java.util.Map<String, LogMark> marks, long startMs, ProcessRunner runner) {
        this(sources, startMs, null, true, marks, runner);
    }

    private LogTail(List<LogSource> sources, Long sinceMs, Long untilMs, boolean fromEnd,
                    java.util.Map<String, LogMark> marks, ProcessRunner runner) {
        this.journalctl = runner == null ? null : new Journalctl(runner);
        this.sinceMs = fromEnd && marks == null ? Long.valueOf(System.currentTimeMillis()) : sinceMs;
        this.untilMs = untilMs;
        for (int i = 0; i < sources.size(); i++) {
            LogSource s = sources.get(i);
            LogMark mark = marks == null ? null : marks.get(s.label());
            switch (s.kind()) {
                case FILE -> {
                    File f = new File(i, s.path());
                    if (mark != null && mark.key() != null) {
                        f.offset = mark.offset();
                        f.keyText = mark.key();
                        f.headLength = mark.headLength();
                        f.head = mark.head();
                    } else if (fromEnd) {
                        atEnd(f);
                    }
                    files.add(f);
                }
                case JOURNAL -> {
                    try {
                        Path cursor = Files.createTempFile("mfshell-follow-", ".cursor");
                        Long since = this.sinceMs;
                        if (mark != null && mark.cursor() != null && !mark.cursor().isEmpty()) {
                            Files.writeString(cursor, mark.cursor());
                            since = null;
                        }
                        journals.add(new Journal(i, s, cursor, since));
                    } catch (IOException e) {
                        close();
                        throw new MfshellException("cannot create a cursor file for the journal: " + e.getMessage(), e);
                    }
                }
                default -> throw new IllegalArgumentException(s.label() + " cannot grow: not followed");
            }
        }
    }

    private static void atEnd(File f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f.path, BasicFileAttributes.class);
            f.offset = a.size();
            f.keyText = keyText(a);
            try (FileChannel ch = FileChannel.open(f.path, StandardOpenOption.READ)) {
                f.offset = afterLastNewline(ch, 0, a.size());
                f.headLength = (int) Math.min(HEAD, f.offset);
                f.head = headHash(ch, f.headLength);
            }
        } catch (IOException e) {
            // read from its start once it exists
        }
    }

    /** Where every source stands now, by {@link LogSource#label()}. */
    List<LogMark> marks() {
        List<LogMark> out = new ArrayList<>();
        for (File f : files) {
            if (f.keyText != null) {
                out.add(new LogMark(f.path.toString(), f.keyText, f.offset, f.headLength, f.head, null));
            }
        }
        for (Journal j : journals) {
            try {
                String c = Files.readString(j.cursor).strip();
                if (!c.isEmpty()) {
                    out.add(LogMark.journal(j.source.label(), c));
                }
            } catch (IOException e) {
                throw new MfshellException("cannot read the journal cursor " + j.cursor + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Reads what was added to every source: files first, then journals. */
    void poll(Reader reader) {
        for (File f : files) {
            try {
                step(f, reader);
            } catch (IOException e) {
                throw new MfshellException("cannot read " + f.path + ": " + e.getMessage(), e);
            }
        }
        for (Journal j : journals) {
            journalctl.stream(j.source.path(), j.since, untilMs, j.cursor, JOURNAL_POLL_TIMEOUT, in -> {
                try (JournalLines lines = new JournalLines(in)) {
                    reader.read(j.index, ScanEngine.streamFiller(lines));
                }
            });
        }
    }

    /** The journal cursor files (for tests). */
    List<Path> cursorFiles() {
        return journals.stream().map(j -> j.cursor).toList();
    }

    /** Deletes the journal cursor files. */
    @Override
    public void close() {
        for (Journal j : journals) {
            try {
                Files.deleteIfExists(j.cursor);
            } catch (IOException e) {
                // a temporary file left in /tmp
            }
        }
    }

    private static void step(File f, Reader reader) throws IOException {
        if (!Files.isRegularFile(f.path)) {
            return;
        }
        BasicFileAttributes a = Files.readAttributes(f.path, BasicFileAttributes.class);
        try (FileChannel ch = FileChannel.open(f.path, StandardOpenOption.READ)) {
            boolean known = f.keyText != null;
            if (known && !(keyText(a).equals(f.keyText) && ch.size() >= f.offset
                    && Objects.equals(headHash(ch, f.headLength), f.head))) {
                finishRotated(f, reader);
                f.offset = 0;
                f.headLength = 0;
                f.head = headHash(ch, 0);
            }
            f.keyText = keyText(a);
            long end = afterLastNewline(ch, f.offset, ch.size());
            if (end > f.offset) {
                read(ch, f.offset, end, f.index, reader);
                f.offset = end;
            }
            if (f.headLength < HEAD && f.offset > f.headLength) {
                f.headLength = (int) Math.min(HEAD, f.offset);
                f.head = headHash(ch, f.headLength);
            }
        }
    }

    private static void read(FileChannel ch, long from, long end, int index, Reader reader) throws IOException {
        long[] pos = {from};
        reader.read(index, (b, max) -> {
            long left = end - pos[0];
            if (left <= 0) {
                return -1;
            }
            if (left < max) {
                b.limit(b.position() + (int) left);
            }
            int n = ch.read(b, pos[0]);
            if (n <= 0) {
                return -1;
            }
            pos[0] += n;
            return n;
        });
    }

    /**
     * The rest of the file {@code f} was reading before it was rotated: its rotated sibling is the
     * one with its inode, or with its first-KiB hash and at least its offset; that one is read
     * from the offset, the siblings newer than it (rotated since too) in full. Nothing when none
     * is found (the rest is then lost, not guessed).
     */
    private static void finishRotated(File f, Reader reader) throws IOException {
        List<Path> rotated = new ArrayList<>(LogLocator.rotations(f.path));
        rotated.sort(java.util.Comparator.comparing((Path p) -> generation(f.path, p)));
        for (int k = 0; k < Math.min(rotated.size(), 4); k++) {
            Path r = rotated.get(k);
            if (readRest(r, f, reader)) {
                for (int n = k - 1; n >= 0; n--) {
                    readWhole(rotated.get(n), f.index, reader);
                }
                return;
            }
        }
    }

    /**
     * Sort key, newest rotation first by name, as logrotate and {@code postfix logrotate} name
     * them: NAME.1 before NAME.2.gz; NAME.20261202-133000.gz before NAME.20261201-133000.gz;
     * equal names (NAME.1 and NAME.1.gz) by modification time (the list comes newest first).
     */
    private static String generation(Path log, Path rotated) {
        String suffix = rotated.getFileName().toString().substring(log.getFileName().toString().length() + 1);
        if (suffix.endsWith(".gz")) {
            suffix = suffix.substring(0, suffix.length() - 3);
        }
        if (suffix.length() < 8 && suffix.chars().allMatch(Character::isDigit)) {
            return "0" + "0".repeat(8 - suffix.length()) + suffix;
        }
        StringBuilder inverted = new StringBuilder("1");
        for (char c : suffix.toCharArray()) {
            inverted.append(Character.isDigit(c) ? (char) ('9' - c + '0') : c);
        }
        return inverted.toString();
    }

    private static boolean readRest(Path r, File f, Reader reader) throws IOException {
        if (r.getFileName().toString().endsWith(".gz")) {
            if (f.headLength == 0) {
                return false;
            }
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(r), 1 << 16)) {
                byte[] head = in.readNBytes(f.headLength);
                if (head.length != f.headLength || !sha256(head, head.length).equals(f.head)) {
                    return false;
                }
                long skip = f.offset - head.length;
                if (in.skip(skip) != skip) {
                    return false;
                }
                reader.read(f.index, ScanEngine.streamFiller(in));
                return true;
            }
        }
        BasicFileAttributes a = Files.readAttributes(r, BasicFileAttributes.class);
        try (FileChannel ch = FileChannel.open(r, StandardOpenOption.READ)) {
            boolean same = keyText(a).equals(f.keyText)
                    || (f.headLength > 0 && ch.size() >= f.offset && headHash(ch, f.headLength).equals(f.head));
            if (!same || ch.size() < f.offset) {
                return false;
            }
            if (ch.size() > f.offset) {
                read(ch, f.offset, ch.size(), f.index, reader);
            }
            return true;
        }
    }

    private static void readWhole(Path r, int index, Reader reader) throws IOException {
        if (r.getFileName().toString().endsWith(".gz")) {
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(r), 1 << 16)) {
                reader.read(index, ScanEngine.streamFiller(in));
            }
            return;
        }
        try (FileChannel ch = FileChannel.open(r, StandardOpenOption.READ)) {
            read(ch, 0, ch.size(), index, reader);
        }
    }

    /** The device and inode of a file, as the JDK names them ({@code (dev=803,ino=1234)}). */
    private static String keyText(BasicFileAttributes a) {
        return String.valueOf(a.fileKey());
    }

    private static String headHash(FileChannel ch, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) < 0) {
                break;
            }
        }
        return sha256(b.array(), b.position());
    }

    private static String sha256(byte[] b, int n) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(b, 0, n);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Position just after the last newline in [from, size), or from when there is none. */
    static long afterLastNewline(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long hi = size;
        while (hi > from) {
            long lo = Math.max(from, hi - b.capacity());
            b.clear().limit((int) (hi - lo));
            int n = 0;
            while (b.hasRemaining()) {
                int r = ch.read(b, lo + n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            for (int i = n - 1; i >= 0; i--) {
                if (b.get(i) == '\n') {
                    return lo + i + 1;
                }
            }
            hi = lo;
        }
        return from;
    }
}
