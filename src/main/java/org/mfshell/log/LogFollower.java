package org.mfshell.log;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ProcessRunner;

/**
 * Follows growing logs for {@code stats --follow}: each {@link #poll()} counts what was added
 * since the previous one and returns the running totals. The following itself (plain files with
 * rotation, the journal through a cursor file) is {@link LogTail}'s, shared with the flush
 * drain's {@link DeliveryFollower}; counting is {@link DeliveryScanner}'s rule.
 * Errors: {@link MfshellException} when a file cannot be read or journalctl fails.
 */
public final class LogFollower implements AutoCloseable {
    private final StatsQuery query;
    private final LogTail tail;
    private final List<LogSource> sources;
    private final List<StatsAccumulator> accs = new ArrayList<>();
    private final DeliveryScanner scanner = new DeliveryScanner(1 << 20);

    public LogFollower(List<Path> paths, StatsQuery query) {
        this(paths.stream().map(p -> new LogSource(LogSource.Kind.FILE, p, Instant.now())).toList(), query, null);
    }

    /** Follows plain files and journal sources ({@code runner} runs journalctl; may be null without journals). */
    public LogFollower(List<LogSource> sources, StatsQuery query, ProcessRunner runner) {
        this.query = query;
        this.sources = List.copyOf(sources);
        this.tail = new LogTail(sources, query == null ? null : query.sinceMs(), query == null ? null : query.untilMs(),
                false, runner);
        for (LogSource s : sources) {
            accs.add(new StatsAccumulator(query, s));
        }
    }

    public StatsReport poll() {
        tail.poll((i, lines) -> scanner.scan(lines, accs.get(i), null));
        // Files first, then journals, as the tail reads them.
        List<StatsAccumulator> parts = new ArrayList<>();
        for (int i = 0; i < accs.size(); i++) {
            if (sources.get(i).kind() != LogSource.Kind.JOURNAL) {
                parts.add(accs.get(i));
            }
        }
        for (int i = 0; i < accs.size(); i++) {
            if (sources.get(i).kind() == LogSource.Kind.JOURNAL) {
                parts.add(accs.get(i));
            }
        }
        return StatsAccumulator.merge(parts, query);
    }

    /** The journal cursor files (for tests). */
    List<Path> cursorFiles() {
        return tail.cursorFiles();
    }

    /** Deletes the journal cursor files. */
    @Override
    public void close() {
        tail.close();
    }
}
