package org.mfshell.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.mfshell.core.CancelledException;
import org.mfshell.core.MfshellException;

/**
 * Runs {@link DeliveryScanner}s over a list of sources on all cores: a plain file is cut into
 * chunks that start at line starts, each scanned through memory-mapped windows unmapped one by one
 * (no copy out of the page cache; what stays resident is bounded by the window); every gzip file is
 * inflated by its own task, so rotated files inflate in parallel. Returns one sink per task, for
 * the caller to merge. Errors: {@link MfshellException} naming the file that cannot be read.
 */
public final class ScanEngine {
    public static final int DEFAULT_BUFFER = 4 << 20;
    public static final long DEFAULT_MIN_CHUNK = 16L << 20;

    /** Gives the byte stream of a STDIN or JOURNAL source to {@code body} while it is open. */
    @FunctionalInterface
    public interface StreamOpener {
        void with(LogSource source, StreamBody body) throws IOException;
    }

    @FunctionalInterface
    public interface StreamBody {
        void accept(InputStream in) throws IOException;
    }

    private final int threads;
    private final int bufferSize;
    private final StreamOpener streams;
    private final AtomicLong done = new AtomicLong();
    private final ThreadLocal<DeliveryScanner> scanners;
    private final long minChunk;
    private Long sinceMs;
    private Long untilMs;
    private java.time.ZoneId zone;

    /** {@code minChunk}: a plain file is cut into pieces of at least this many bytes. */
    public ScanEngine(int threads, int bufferSize, long minChunk, StreamOpener streams) {
        this.threads = Math.max(1, threads);
        this.minChunk = Math.max(1, minChunk);
        this.bufferSize = bufferSize;
        this.streams = streams;
        this.scanners = ThreadLocal.withInitial(() -> new DeliveryScanner(bufferSize));
    }

    /**
     * Bounds the scan of each plain file to the part {@link TimeSeek} finds for lines in
     * {@code [sinceMs, untilMs)} (null: open), unless {@link TimeSeek#enabled()} is false. The
     * sinks still filter every line by time.
     */
    public ScanEngine window(Long sinceMs, Long untilMs, java.time.ZoneId zone) {
        boolean on = zone != null && TimeSeek.enabled();
        this.sinceMs = on ? sinceMs : null;
        this.untilMs = on ? untilMs : null;
        this.zone = zone;
        return this;
    }

    /** Bytes read so far (compressed bytes are counted as inflated bytes). */
    public long bytesDone() {
        return done.get();
    }

    /** Total bytes on disk of the file sources (for a progress estimate). */
    /**
     * Counts scanned bytes; also where a scan notices it was stopped (Ctrl-C interrupts the
     * calling thread, and shutdownNow the pool's): every few megabytes.
     */
    private void progress(long n) {
        done.addAndGet(n);
        if (Thread.interrupted()) {
            throw new CancelledException("scan interrupted");
        }
    }

    public static long totalBytes(List<LogSource> sources) {
        long t = 0;
        for (LogSource s : sources) {
            if (s.kind() == LogSource.Kind.FILE || s.kind() == LogSource.Kind.GZIP) {
                t += s.path().toFile().length();
            }
        }
        return t;
    }

    private record Task(LogSource source, long start, long end, long weight) {
    }

    public <S extends DeliverySink> List<S> scan(List<LogSource> sources, Function<LogSource, S> sinks) {
        List<Task> tasks = new ArrayList<>();
        for (LogSource s : sources) {
            tasks.addAll(plan(s));
        }
        tasks.sort(Comparator.comparingLong(Task::weight).reversed());
        List<S> result = new ArrayList<>();
        if (tasks.size() == 1 || threads == 1) {
            for (Task t : tasks) {
                result.add(run(t, sinks));
            }
            return result;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks.size()), r -> {
            Thread th = new Thread(r, "mfshell-scan");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<S>> futures = new ArrayList<>();
            for (Task t : tasks) {
                futures.add(pool.submit(() -> run(t, sinks)));
            }
            for (Future<S> fu : futures) {
                result.add(fu.get());
            }
            return result;
        } catch (InterruptedException e) {
            throw new CancelledException("scan interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new MfshellException(String.valueOf(c.getMessage()), c);
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Task> plan(LogSource s) {
        if (s.kind() != LogSource.Kind.FILE) {
            long w = s.kind() == LogSource.Kind.GZIP ? s.path().toFile().length() * 20 : Long.MAX_VALUE;
            return List.of(new Task(s, 0, -1, w));
        }
        try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.READ)) {
            long fileSize = ch.size();
            long[] range = TimeSeek.range(ch, fileSize, s, zone, sinceMs, untilMs);
            long base = range[0];
            long size = range[1] - base;
            done.addAndGet(fileSize - size);
            int n = (int) Math.max(1, Math.min(size / minChunk, threads * 4L));
            List<Task> out = new ArrayList<>();
            long prev = base;
            for (int i = 1; i <= n; i++) {
                long cut = i == n ? range[1] : lineStartAtOrAfter(ch, base + size * i / n, range[1]);
                if (cut > prev) {
                    out.add(new Task(s, prev, cut, cut - prev));
                    prev = cut;
                }
            }
            if (out.isEmpty()) {
                out.add(new Task(s, base, base, 0));
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new MfshellException("log file not found: " + s.path());
        } catch (IOException e) {
            throw new MfshellException("cannot read " + s.path() + ": " + e.getMessage(), e);
        }
    }

    /** The first position >= pos that starts a line (just after a newline), or size. */
    private static long lineStartAtOrAfter(FileChannel ch, long pos, long size) throws IOException {
        if (pos <= 0) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.allocate(8192);
        long at = pos - 1;
        while (at < size) {
            b.clear();
            int n = ch.read(b, at);
            if (n <= 0) {
                return size;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += n;
        }
        return size;
    }

    private <S extends DeliverySink> S run(Task t, Function<LogSource, S> sinks) {
        S sink = sinks.apply(t.source());
        DeliveryScanner sc = scanners.get();
        LogSource s = t.source();
        try {
            switch (s.kind()) {
                case FILE -> {
                    try (FileChannel ch = FileChannel.open(s.path(), StandardOpenOption.READ)) {
                        sc.scanMapped(ch, t.start(), t.end(), sink, this::progress);
                    }
                }
                case GZIP -> {
                    try (InputStream in = new GZIPInputStream(
                            java.nio.file.Files.newInputStream(s.path()), 1 << 16);
                         InflatingFiller pipe = new InflatingFiller(in, s.label())) {
                        sc.scan(pipe, sink, this::progress);
                    }
                }
                default -> {
                    streams.with(s, in -> sc.scan(streamFiller(in), sink, this::progress));
                }
            }
        } catch (java.nio.channels.ClosedByInterruptException | java.io.InterruptedIOException e) {
            Thread.interrupted();
            throw new CancelledException("scan interrupted");
        } catch (NoSuchFileException e) {
            throw new MfshellException("log file not found: " + s.label());
        } catch (java.util.zip.ZipException e) {
            throw new MfshellException(s.label() + ": not a valid gzip file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new MfshellException("cannot read " + s.label() + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new MfshellException("cannot read " + s.label() + ": " + e.getCause().getMessage(), e);
        }
        return sink;
    }

    /**
     * Inflates a gzip stream on its own thread, one block ahead of the scanner, so inflating and
     * scanning overlap like {@code zcat | awk}. Two 1 MiB blocks circulate between the threads.
     */
    static final class InflatingFiller implements DeliveryScanner.Filler, AutoCloseable {
        private static final int BLOCK = 1 << 20;
        private static final byte[] END = new byte[0];
        private final java.util.concurrent.BlockingQueue<byte[]> full = new java.util.concurrent.ArrayBlockingQueue<>(2);
        private final java.util.concurrent.BlockingQueue<byte[]> empty = new java.util.concurrent.ArrayBlockingQueue<>(3);
        private final Thread producer;
        private volatile IOException failure;
        private byte[] current;
        private int currentLen;
        private int currentPos;

        InflatingFiller(InputStream in, String label) {
            for (int i = 0; i < 3; i++) {
                empty.add(new byte[BLOCK + 4]);
            }
            producer = new Thread(() -> {
                try {
                    while (true) {
                        byte[] b = empty.take();
                        int n = 0;
                        while (n < BLOCK) {
                            int r = in.read(b, 4 + n, BLOCK - n);
                            if (r < 0) {
                                break;
                            }
                            n += r;
                        }
                        b[0] = (byte) (n >>> 24);
                        b[1] = (byte) (n >>> 16);
                        b[2] = (byte) (n >>> 8);
                        b[3] = (byte) n;
                        full.put(n == 0 ? END : b);
                        if (n < BLOCK) {
                            if (n > 0) {
                                full.put(END);
                            }
                            return;
                        }
                    }
                } catch (IOException e) {
                    failure = e;
                    full.offer(END);
                } catch (InterruptedException e) {
                    // closed early
                }
            }, "mfshell-inflate " + label);
            producer.setDaemon(true);
            producer.start();
        }

        @Override
        public int fill(ByteBuffer b, int max) throws IOException {
            int total = 0;
            while (total < max) {
                if (current == null) {
                    try {
                        current = total == 0 ? full.take() : full.poll();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("inflating interrupted");
                    }
                    if (current == null) {
                        break;
                    }
                    if (current == END) {
                        full.offer(END);
                        current = null;
                        if (failure != null) {
                            throw failure;
                        }
                        return total == 0 ? -1 : total;
                    }
                    currentLen = ((current[0] & 0xFF) << 24) | ((current[1] & 0xFF) << 16) | ((current[2] & 0xFF) << 8)
                            | (current[3] & 0xFF);
                    currentPos = 0;
                }
                int n = Math.min(max - total, currentLen - currentPos);
                b.put(current, 4 + currentPos, n);
                currentPos += n;
                total += n;
                if (currentPos == currentLen) {
                    empty.offer(current);
                    current = null;
                }
            }
            return total;
        }

        @Override
        public void close() {
            producer.interrupt();
        }
    }

    /** A filler over an InputStream; the heap buffer is copied into the scanner's direct buffer. */
    static DeliveryScanner.Filler streamFiller(InputStream in) {
        byte[] tmp = new byte[1 << 16];
        return (b, max) -> {
            int total = 0;
            // Fill generously so lines are processed in big windows, but return what we have
            // once the stream would block (a pipe, a growing journal).
            while (total < max) {
                int n = in.read(tmp, 0, Math.min(tmp.length, max - total));
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                b.put(tmp, 0, n);
                total += n;
                if (in.available() <= 0 && total >= tmp.length) {
                    break;
                }
            }
            return total;
        };
    }
}
