package org.mfshell.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.Journalctl;
import org.mfshell.postfix.ProcessRunner;

/**
 * Follows growing logs for {@code stats --follow}: each {@link #poll()} scans what was added
 * since the previous one and returns the running totals.
 * <ul>
 * <li>Plain files: the complete lines added (a line still being written waits for its
 * newline). A file that shrank or was replaced (rotation) is read again from its start; counts
 * already made are kept. A file that is missing is skipped until it appears.
 * <li>The journal: {@code journalctl -o json --cursor-file=F} each poll; journalctl starts after
 * the cursor it wrote the time before (the first time: at the query's --since) and writes the
 * new one, so no entry is counted twice. The cursor file is a temporary file, deleted by
 * {@link #close()}.
 * </ul>
 * Errors: {@link MfshellException} when a file cannot be read or journalctl fails.
 */
public final class LogFollower implements AutoCloseable {
    private static final Duration JOURNAL_POLL_TIMEOUT = Duration.ofMinutes(10);
    private final StatsQuery query;
    private final List<Followed> files = new ArrayList<>();
    private final List<FollowedJournal> journals = new ArrayList<>();
    private final DeliveryScanner scanner = new DeliveryScanner(1 << 20);
    private final Journalctl journalctl;

    private static final class Followed {
        final Path path;
        final StatsAccumulator acc;
        long offset;
        Object key;

        Followed(Path path, StatsAccumulator acc) {
            this.path = path;
            this.acc = acc;
        }
    }

    private static final class FollowedJournal {
        final LogSource source;
        final StatsAccumulator acc;
        final Path cursor;

        FollowedJournal(LogSource source, StatsAccumulator acc, Path cursor) {
            this.source = source;
            this.acc = acc;
            this.cursor = cursor;
        }
    }

    public LogFollower(List<Path> paths, StatsQuery query) {
        this(paths.stream().map(p -> new LogSource(LogSource.Kind.FILE, p, Instant.now())).toList(), query, null);
    }

    /** Follows plain files and journal sources ({@code runner} runs journalctl; may be null without journals). */
    public LogFollower(List<LogSource> sources, StatsQuery query, ProcessRunner runner) {
        this.query = query;
        this.journalctl = runner == null ? null : new Journalctl(runner);
        for (LogSource s : sources) {
            switch (s.kind()) {
                case FILE -> files.add(new Followed(s.path(), new StatsAccumulator(query, s)));
                case JOURNAL -> {
                    try {
                        Path cursor = Files.createTempFile("mfshell-follow-", ".cursor");
                        journals.add(new FollowedJournal(s, new StatsAccumulator(query, s), cursor));
                    } catch (IOException e) {
                        close();
                        throw new MfshellException("cannot create a cursor file for the journal: " + e.getMessage(), e);
                    }
                }
                default -> throw new IllegalArgumentException(s.label() + " cannot grow: not followed");
            }
        }
    }

    public StatsReport poll() {
        List<StatsAccumulator> parts = new ArrayList<>();
        for (Followed f : files) {
            try {
                step(f);
            } catch (IOException e) {
                throw new MfshellException("cannot read " + f.path + ": " + e.getMessage(), e);
            }
            parts.add(f.acc);
        }
        for (FollowedJournal j : journals) {
            step(j);
            parts.add(j.acc);
        }
        return StatsAccumulator.merge(parts, query);
    }

    /** The journal cursor files (for tests). */
    List<Path> cursorFiles() {
        return journals.stream().map(j -> j.cursor).toList();
    }

    /** Deletes the journal cursor files. */
    @Override
    public void close() {
        for (FollowedJournal j : journals) {
            try {
                Files.deleteIfExists(j.cursor);
            } catch (IOException e) {
                // a temporary file left in /tmp
            }
        }
    }

    private void step(FollowedJournal j) {
        journalctl.stream(j.source.path(), query == null ? null : query.sinceMs(), query == null ? null : query.untilMs(),
                j.cursor, JOURNAL_POLL_TIMEOUT, in -> {
                    try (JournalLines lines = new JournalLines(in)) {
                        scanner.scan(ScanEngine.streamFiller(lines), j.acc, null);
                    }
                });
    }

    private void step(Followed f) throws IOException {
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
            scanner.scan((b, max) -> {
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
            }, f.acc, null);
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
