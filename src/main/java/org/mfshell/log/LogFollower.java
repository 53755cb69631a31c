package org.mfshell.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mfshell.cli.MfshellException;

/**
 * Follows growing plain log files for {@code stats --follow}: each {@link #poll()} scans the
 * complete lines added since the previous one (a line still being written waits for its
 * newline) and returns the running totals. A file that shrank or was replaced (rotation) is
 * read again from its start; counts already made are kept. A file that is missing is skipped
 * until it appears. Errors: {@link MfshellException} when a file cannot be read.
 */
public final class LogFollower {
    private final StatsQuery query;
    private final List<Followed> files = new ArrayList<>();
    private final DeliveryScanner scanner = new DeliveryScanner(1 << 20);

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

    public LogFollower(List<Path> paths, StatsQuery query) {
        this.query = query;
        for (Path p : paths) {
            files.add(new Followed(p, new StatsAccumulator(query, new LogSource(LogSource.Kind.FILE, p, Instant.now()))));
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
        return StatsAccumulator.merge(parts, query);
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
