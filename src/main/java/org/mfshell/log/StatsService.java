package org.mfshell.log;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.Journalctl;
import org.mfshell.postfix.ProcessRunner;

/**
 * Delivery statistics from mail logs: scans the given sources in parallel and merges the
 * counts into a {@link StatsReport}. The journal is read with {@code journalctl -o json}
 * through {@link Journalctl}. Errors: {@link MfshellException} for unreadable files,
 * bad gzip data, or journalctl failing.
 */
public final class StatsService {
    private static final Duration JOURNAL_TIMEOUT = Duration.ofHours(2);

    private final Journalctl journalctl;
    private final InputStream stdin;
    private final int threads;
    private final int bufferSize;
    private final long minChunk;

    public StatsService(ProcessRunner runner, InputStream stdin) {
        this(runner, stdin, Runtime.getRuntime().availableProcessors(), ScanEngine.DEFAULT_BUFFER,
                ScanEngine.DEFAULT_MIN_CHUNK);
    }

    /** Tuning for tests and benchmarks: threads, per-thread buffer, smallest piece of a file. */
    public StatsService(ProcessRunner runner, InputStream stdin, int threads, int bufferSize, long minChunk) {
        this.journalctl = new Journalctl(runner);
        this.stdin = stdin;
        this.threads = threads;
        this.bufferSize = bufferSize;
        this.minChunk = minChunk;
    }

    /** A scan in progress: {@link #bytesDone()} can be polled from another thread. */
    public final class Scan {
        private final ScanEngine engine;
        private final List<LogSource> sources;
        private final StatsQuery query;

        Scan(List<LogSource> sources, StatsQuery query) {
            this.sources = sources;
            this.query = query;
            this.engine = engine(query);
        }

        public long bytesDone() {
            return engine.bytesDone();
        }

        public long bytesTotal() {
            return ScanEngine.totalBytes(sources);
        }

        public StatsReport run() {
            List<StatsAccumulator> parts = engine.scan(sources, s -> new StatsAccumulator(query, s));
            return StatsAccumulator.merge(parts, query);
        }
    }

    public Scan prepare(List<LogSource> sources, StatsQuery query) {
        return new Scan(sources, query);
    }

    public StatsReport stats(List<LogSource> sources, StatsQuery query) {
        return prepare(sources, query).run();
    }

    /** Runs other sinks over the same scan (health collects reply texts with {@link ReplyAccumulator}). */
    public <S extends DeliverySink> List<S> scan(List<LogSource> sources, StatsQuery query,
                                                 java.util.function.Function<LogSource, S> sinks) {
        return engine(query).scan(sources, sinks);
    }

    /** A plain file is read only where {@link TimeSeek} finds the query's window. */
    private ScanEngine engine(StatsQuery query) {
        ScanEngine e = new ScanEngine(threads, bufferSize, minChunk, (s, body) -> open(s, body, query));
        return query == null ? e : e.window(query.sinceMs(), query.untilMs(), query.zone());
    }

    private void open(LogSource s, ScanEngine.StreamBody body, StatsQuery query) throws IOException {
        if (s.kind() == LogSource.Kind.STDIN) {
            body.accept(stdin);
            return;
        }
        journalctl.stream(s.path(), query == null ? null : query.sinceMs(), query == null ? null : query.untilMs(), null,
                JOURNAL_TIMEOUT, in -> {
                    try (JournalLines lines = new JournalLines(in)) {
                        body.accept(lines);
                    }
                });
    }
}
