package org.mfshell.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * metrics' monotonic counters, kept in STATE/metrics/counters.json (0600, replaced atomically,
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
    public static final String FILE = "counters.json";
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

    private static byte[] render(State s) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("version", VERSION);
        root.put("started", s.started());
        ArrayNode marks = root.putArray("marks");
        for (LogMark m : s.marks()) {
            ObjectNode o = marks.addObject();
            o.put("source", m.source());
            if (m.cursor() != null) {
                o.put("cursor", m.cursor());
            } else {
                o.put("key", m.key()).put("offset", m.offset()).put("headLength", m.headLength()).put("head", m.head());
            }
        }
        ArrayNode d = root.putArray("deliveries");
        s.deliveries().forEach((k, v) -> d.addObject().put("instance", k.get(0)).put("ip", k.get(1))
                .put("provider", k.get(2)).put("status", k.get(3)).put("value", v));
        ArrayNode r = root.putArray("deferrals");
        s.deferrals().forEach((k, v) -> r.addObject().put("instance", k.get(0)).put("ip", k.get(1))
                .put("reason", k.get(2)).put("value", v));
        try {
            return (om.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MfshellException("cannot render " + FILE + ": " + e.getMessage(), e);
        }
    }

    private static State parse(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw new Damaged(file, "not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new Damaged(file, "not a JSON object");
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new Damaged(file, "version " + root.path("version") + ", expected " + VERSION);
        }
        long started = positive(file, root.path("started"), "started");
        List<LogMark> marks = new ArrayList<>();
        for (JsonNode m : array(file, root, "marks")) {
            String source = text(file, m, "source");
            if (m.has("cursor")) {
                marks.add(LogMark.journal(source, text(file, m, "cursor")));
            } else {
                String head = text(file, m, "head");
                long headLength = positive(file, m.path("headLength"), "headLength");
                long offset = positive(file, m.path("offset"), "offset");
                if (!head.matches("[0-9a-f]{64}") || headLength > 1024 || headLength > offset) {
                    throw new Damaged(file, "bad mark for " + source);
                }
                marks.add(new LogMark(source, text(file, m, "key"), offset, (int) headLength, head, null));
            }
        }
        Map<List<String>, Long> deliveries = new TreeMap<>(KEYS);
        for (JsonNode o : array(file, root, "deliveries")) {
            String status = text(file, o, "status");
            if (!STATUSES.contains(status)) {
                throw new Damaged(file, "unknown status " + status);
            }
            deliveries.put(List.of(text(file, o, "instance"), text(file, o, "ip"), text(file, o, "provider"), status),
                    positive(file, o.path("value"), "value"));
        }
        Map<List<String>, Long> deferrals = new TreeMap<>(KEYS);
        for (JsonNode o : array(file, root, "deferrals")) {
            deferrals.put(List.of(text(file, o, "instance"), text(file, o, "ip"), text(file, o, "reason")),
                    positive(file, o.path("value"), "value"));
        }
        return new State(started, marks, deliveries, deferrals);
    }

    private static Iterable<JsonNode> array(Path file, JsonNode root, String name) {
        JsonNode a = root.path(name);
        if (!a.isArray()) {
            throw new Damaged(file, "no " + name + " list");
        }
        return a;
    }

    private static String text(Path file, JsonNode o, String name) {
        JsonNode v = o.path(name);
        if (!v.isTextual()) {
            throw new Damaged(file, "no " + name + " text");
        }
        return v.asText();
    }

    private static long positive(Path file, JsonNode v, String name) {
        if (!v.isIntegralNumber() || v.asLong() < 0) {
            throw new Damaged(file, name + " is not a whole number >= 0");
        }
        return v.asLong();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "?";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
