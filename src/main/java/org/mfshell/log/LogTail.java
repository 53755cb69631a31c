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

    private static final class File {
        final int index;
        final Path path;
        long offset;
        Object key;

        File(int index, Path path) {
            this.index = index;
            this.path = path;
        }
    }

    private static final class Journal {
        final int index;
        final LogSource source;
        final Path cursor;

        Journal(int index, LogSource source, Path cursor) {
            this.index = index;
            this.source = source;
            this.cursor = cursor;
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
        this.journalctl = runner == null ? null : new Journalctl(runner);
        this.sinceMs = fromEnd ? Long.valueOf(System.currentTimeMillis()) : sinceMs;
        this.untilMs = untilMs;
        for (int i = 0; i < sources.size(); i++) {
            LogSource s = sources.get(i);
            switch (s.kind()) {
                case FILE -> {
                    File f = new File(i, s.path());
                    if (fromEnd) {
                        atEnd(f);
                    }
                    files.add(f);
                }
                case JOURNAL -> {
                    try {
                        journals.add(new Journal(i, s, Files.createTempFile("mfshell-follow-", ".cursor")));
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
            f.key = a.fileKey();
        } catch (IOException e) {
            // read from its start once it exists
        }
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
            journalctl.stream(j.source.path(), sinceMs, untilMs, j.cursor, JOURNAL_POLL_TIMEOUT, in -> {
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
        if (f.key != null && (!Objects.equals(f.key, a.fileKey()) || a.size() < f.offset)) {
            f.offset = 0;
        }
        f.key = a.fileKey();
        try (FileChannel ch = FileChannel.open(f.path, StandardOpenOption.READ)) {
            long end = afterLastNewline(ch, f.offset, ch.size());
            if (end <= f.offset) {
                return;
            }
            long[] pos = {f.offset};
            reader.read(f.index, (b, max) -> {
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
            f.offset = end;
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
