package org.mfshell.metrics;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.StateDir;
import org.mfshell.log.DeliveryCounting;
import org.mfshell.log.LogMark;
import org.mfshell.log.LogSource;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * metrics' monotonic counters, kept in STATE/metrics/counters.state (0600, replaced atomically,
 * never through a link): deliveries per instance, ip, provider group and status, and deferrals
 * per instance, ip and reason, with the log marks they were counted up to. Each
 * {@link #update} takes STATE/metrics/counters.lock (so two concurrent scrapes count each line
 * once: the second waits, then starts from the first one's marks), counts what the logs added
 * since the marks ({@link DeliveryCounting}), adds it and saves counts and marks in one write.
 * The first run starts at the logs' end with every counter at 0, and records when
 * ({@code started}). Reasons: the first {@link #TOP_REASONS} distinct labels an instance meets
 * (the most frequent first within one run) keep their own series for good; every later one adds
 * to {@link #OTHER}. Errors: {@link Damaged} when the state file cannot be read as written
 * (left as it is, nothing counted); {@link MfshellException} when the lock cannot be had within
 * {@link #LOCK_WAIT}, a log cannot be read, or the state cannot be written (marks unchanged, so
 * the next run counts the same lines).
 */
public final class DeliveryCounters {
    public static final int TOP_REASONS = 10;
    public static final String OTHER = "other";
    public static final String FILE = "counters.state";
    static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    private static final int VERSION = 1;
    private static final Set<String> STATUSES = Set.of(DeliveryCounting.STATUS);

    /** The labels an instance's series carry. */
    public record Target(String instance, String ip) {
    }

    /** A counter series: instance, ip, third label (provider/status pair or reason), value. */
    public record Series(String instance, String ip, String provider, String status, long value) {
    }

    public record ReasonSeries(String instance, String ip, String reason, long value) {
    }

    /** What the counters stand at after an update. */
    public record Snapshot(long startedSeconds, List<Series> deliveries, List<ReasonSeries> deferrals) {
    }

    /** The state file is not what mfshell writes; it is left for the operator. */
    public static final class Damaged extends MfshellException {
        Damaged(Path file, String what) {
            super(file + " is damaged (" + what + "): delivery counters not updated; fix: look at it, then move it "
                    + "away (mv " + file + " " + file + ".damaged) and the counters start again at 0");
        }
    }

    private record State(long started, List<LogMark> marks, Map<List<String>, Long> deliveries,
                         Map<List<String>, Long> deferrals) {
    }

    private final StateDir stateDir;

    public DeliveryCounters(StateDir stateDir) {
        this.stateDir = stateDir;
    }

    /**
     * Counts the lines added since the last run and returns the totals. {@code targets}: syslog
     * name to the instance and ip its lines count for; {@code reasonLabel}: a deferral's reply
     * text to its reason label.
     */
    public Snapshot update(List<LogSource> sources, Map<String, Target> targets, ProviderGroups groups,
                           Function<String, String> reasonLabel, ProcessRunner runner, long nowMs) {
        Path dir = stateDir.dir("metrics");
        Path file = dir.resolve(FILE);
        try (FileChannel lock = StateDir.open(dir.resolve("counters.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = lock(lock, dir)) {
            byte[] saved = StateDir.read(file);
            State s = saved == null ? new State(nowMs / 1000, List.of(), new TreeMap<>(KEYS), new TreeMap<>(KEYS))
                    : parse(file, saved);
            Map<String, LogMark> marks = new LinkedHashMap<>();
            s.marks().forEach(m -> marks.put(m.source(), m));
            DeliveryCounting.Counted c = DeliveryCounting.advance(sources, marks, s.started() * 1000, targets.keySet(),
                    groups, reasonLabel, runner);
            c.deliveries().forEach((name, byGroup) -> byGroup.forEach((g, n) -> {
                Target t = targets.get(name);
                for (int st = 0; st < n.length; st++) {
                    List<String> key = List.of(t.instance(), t.ip(), g, DeliveryCounting.STATUS[st]);
                    if (n[st] > 0 || !s.deliveries().containsKey(key)) {
                        s.deliveries().merge(key, n[st], Long::sum);
                    }
                }
            }));
            c.deferrals().forEach((name, byReason) -> addReasons(s.deferrals(), targets.get(name), byReason));
            // Sources no longer in use (an instance's log gone) keep their marks: it may come back.
            Map<String, LogMark> next = new LinkedHashMap<>(marks);
            c.marks().forEach(m -> next.put(m.source(), m));
            State updated = new State(s.started(), List.copyOf(next.values()), s.deliveries(), s.deferrals());
            StateDir.write(file, render(updated));
            return snapshot(updated);
        } catch (IOException e) {
            throw new MfshellException("cannot use " + dir.resolve("counters.lock") + ": " + e.getMessage(), e);
        }
    }

    private static FileLock lock(FileChannel ch, Path dir) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                // held by another thread of this JVM (two scrapes in one shell): wait as for another process
                l = null;
            }
            if (l != null) {
                return l;
            }
            if (System.nanoTime() > deadline) {
                throw new MfshellException("another mfshell metrics has held " + dir.resolve("counters.lock")
                        + " for over " + LOCK_WAIT.toMinutes() + " minutes: delivery counters not updated");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MfshellException("interrupted while waiting for " + dir.resolve("counters.lock"), e);
            }
        }
    }

    /** Sticky top-N: known reasons count on, new ones take the free slots most frequent first, the rest is "other". */
    private static void addReasons(Map<List<String>, Long> into, Target t, Map<String, Long> byReason) {
        long slots = into.keySet().stream().filter(k -> k.get(0).equals(t.instance()) && k.get(1).equals(t.ip())
                && !k.get(2).equals(OTHER)).count();
        List<Map.Entry<String, Long>> fresh = new ArrayList<>();
        byReason.forEach((r, n) -> {
            List<String> key = List.of(t.instance(), t.ip(), r);
            if (!r.equals(OTHER) && into.containsKey(key)) {
                into.merge(key, n, Long::sum);
            } else {
                fresh.add(Map.entry(r, n));
            }
        });
        fresh.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Long> e : fresh) {
            boolean own = !e.getKey().equals(OTHER) && slots < TOP_REASONS;
            if (own) {
                slots++;
            }
            into.merge(List.of(t.instance(), t.ip(), own ? e.getKey() : OTHER), e.getValue(), Long::sum);
        }
    }

    private static Snapshot snapshot(State s) {
        List<Series> d = new ArrayList<>();
        s.deliveries().forEach((k, v) -> d.add(new Series(k.get(0), k.get(1), k.get(2), k.get(3), v)));
        List<ReasonSeries> r = new ArrayList<>();
        s.deferrals().forEach((k, v) -> r.add(new ReasonSeries(k.get(0), k.get(1), k.get(2), v)));
        return new Snapshot(s.started(), d, r);
    }

    private static final Comparator<List<String>> KEYS = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    /*
     * The state file, one record a line, fields separated by tabs, each field escaped (backslash,
     * tab, newline, carriage return as \\ \t \n \r); the last line is "end" so a cut file is
     * told from a whole one. (A text format of its own rather than JSON: Jackson's classes cost
     * about a third of a second of start-up on every scrape.)
     *   mfshell-counters 1
     *   started SECONDS
     *   mark SOURCE KEY OFFSET HEAD_LENGTH HEAD_SHA256      (a file)
     *   cursor SOURCE CURSOR                                (the journal)
     *   delivery INSTANCE IP PROVIDER STATUS VALUE
     *   deferral INSTANCE IP REASON VALUE
     *   end
     */
    private static final String MAGIC = "mfshell-counters " + VERSION;

    private static byte[] render(State s) {
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        b.append("started\t").append(s.started()).append('\n');
        for (LogMark m : s.marks()) {
            if (m.cursor() != null) {
                line(b, "cursor", m.source(), m.cursor());
            } else {
                line(b, "mark", m.source(), m.key(), Long.toString(m.offset()), Integer.toString(m.headLength()), m.head());
            }
        }
        s.deliveries().forEach((k, v) -> line(b, "delivery", k.get(0), k.get(1), k.get(2), k.get(3), Long.toString(v)));
        s.deferrals().forEach((k, v) -> line(b, "deferral", k.get(0), k.get(1), k.get(2), Long.toString(v)));
        b.append("end\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder b, String type, String... fields) {
        b.append(type);
        for (String f : fields) {
            b.append('\t');
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '\t' -> b.append("\\t");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    default -> b.append(c);
                }
            }
        }
        b.append('\n');
    }

    private static String unescape(Path file, String f) {
        if (f.indexOf('\\') < 0) {
            return f;
        }
        StringBuilder b = new StringBuilder(f.length());
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i == f.length()) {
                throw new Damaged(file, "a field ends in a lone backslash");
            }
            switch (f.charAt(i)) {
                case '\\' -> b.append('\\');
                case 't' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                default -> throw new Damaged(file, "unknown escape \\" + f.charAt(i));
            }
        }
        return b.toString();
    }

    private static State parse(Path file, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        if (lines.length < 3 || !lines[0].equals(MAGIC)) {
            throw new Damaged(file, "its first line is not '" + MAGIC + "'");
        }
        if (!lines[lines.length - 1].isEmpty() || !lines[lines.length - 2].equals("end")) {
            throw new Damaged(file, "it does not end with the line 'end' (cut short?)");
        }
        Long started = null;
        List<LogMark> marks = new ArrayList<>();
        Map<List<String>, Long> deliveries = new TreeMap<>(KEYS);
        Map<List<String>, Long> deferrals = new TreeMap<>(KEYS);
        for (int n = 1; n < lines.length - 2; n++) {
            String[] raw = lines[n].split("\t", -1);
            String[] f = new String[raw.length];
            for (int i = 0; i < raw.length; i++) {
                f[i] = unescape(file, raw[i]);
            }
            String where = "line " + (n + 1);
            switch (f[0]) {
                case "started" -> {
                    fields(file, f, 2, where);
                    started = number(file, f[1], where);
                }
                case "cursor" -> {
                    fields(file, f, 3, where);
                    marks.add(LogMark.journal(f[1], f[2]));
                }
                case "mark" -> {
                    fields(file, f, 6, where);
                    long offset = number(file, f[3], where);
                    long headLength = number(file, f[4], where);
                    if (!f[5].matches("[0-9a-f]{64}") || headLength > 1024 || headLength > offset) {
                        throw new Damaged(file, where + ": a bad mark for " + f[1]);
                    }
                    marks.add(new LogMark(f[1], f[2], offset, (int) headLength, f[5], null));
                }
                case "delivery" -> {
                    fields(file, f, 6, where);
                    if (!STATUSES.contains(f[4])) {
                        throw new Damaged(file, where + ": unknown status " + f[4]);
                    }
                    deliveries.put(List.of(f[1], f[2], f[3], f[4]), number(file, f[5], where));
                }
                case "deferral" -> {
                    fields(file, f, 5, where);
                    deferrals.put(List.of(f[1], f[2], f[3]), number(file, f[4], where));
                }
                default -> throw new Damaged(file, where + ": unknown record " + f[0]);
            }
        }
        if (started == null) {
            throw new Damaged(file, "no started line");
        }
        return new State(started, marks, deliveries, deferrals);
    }

    private static void fields(Path file, String[] f, int n, String where) {
        if (f.length != n) {
            throw new Damaged(file, where + ": " + f.length + " fields, expected " + n);
        }
    }

    private static long number(Path file, String s, String where) {
        if (!s.matches("[0-9]{1,18}")) {
            throw new Damaged(file, where + ": " + s + " is not a whole number >= 0");
        }
        return Long.parseLong(s);
    }

}
