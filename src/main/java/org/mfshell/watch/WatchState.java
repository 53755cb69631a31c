package org.mfshell.watch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.StateDir;
import org.mfshell.health.Verdict;
import org.mfshell.watch.ChangeDetector.Tracked;

/**
 * What watch keeps between runs, in {@code STATE/watch/state.json} (0600 in a 0700 directory,
 * whatever the umask; replaced atomically with an fsync; never read or written through a link):
 * per instance and provider group the verdict last notified and the candidate waiting out the
 * hold-down, the verdicts the last run saw, the notices not yet sent on every channel (with each
 * channel's status: pending, sending, sent, failed, expired, dropped), and the last finished
 * notices. Errors: {@link MfshellException} for a state file that cannot be read or parsed
 * (naming the file and how to move it away).
 */
public final class WatchState {
    public static final int VERSION = 1;
    public static final int HISTORY = 20;
    public static final String FILE = "state.json";
    /** Jackson's streaming API only (as check's queue reader): databind would cost watch 450 classes at start-up. */
    private static final JsonFactory JSON = new JsonFactory();

    /** One channel's progress with one notice. */
    public record ChannelState(String status, int attempts, long lastAttemptMs, long sentMs, String error) {
        public static ChannelState pending() {
            return new ChannelState("pending", 0, 0, 0, null);
        }

        public boolean done() {
            return status.equals("sent") || status.equals("expired") || status.equals("dropped");
        }
    }

    /** A notice and where it has gone. */
    public record Entry(Notice notice, Map<String, ChannelState> channels) {
        public boolean done() {
            return channels.values().stream().allMatch(ChannelState::done);
        }
    }

    /** What the last run saw for a key. */
    public record Seen(Verdict verdict, boolean drained, String why, long atMs) {
    }

    public int version = VERSION;
    public long lastRunMs;
    public Map<String, Tracked> tracked = new TreeMap<>();
    public Map<String, Seen> seen = new TreeMap<>();
    public List<Entry> pending = new ArrayList<>();
    public List<Entry> history = new ArrayList<>();

    public static Path file(Path dir) {
        return dir.resolve(FILE);
    }

    /** The state in {@code dir}, or a fresh one when there is none. */
    public static WatchState load(Path dir) {
        Path f = file(dir);
        byte[] b = StateDir.read(f);
        if (b == null) {
            return new WatchState();
        }
        try {
            WatchState s = fromJson(b);
            if (s.version != VERSION) {
                throw new MfshellException(f + ": state of version " + s.version + ", this mfshell reads version "
                        + VERSION + "; fix: mv " + f + " " + f + ".old (watch starts afresh)");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MfshellException m) {
                throw m;
            }
            throw new MfshellException(f + ": cannot parse the watch state (" + e.getMessage()
                    + "); fix: mv " + f + " " + f + ".bad (watch starts afresh and may notify current verdicts again)", e);
        }
    }

    public void save(Path dir) {
        StateDir.write(file(dir), toJson());
    }

    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("version", version);
            g.writeNumberField("lastRunMs", lastRunMs);
            g.writeObjectFieldStart("tracked");
            for (Map.Entry<String, Tracked> e : tracked.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("notified", e.getValue().notified().name());
                g.writeStringField("candidate", e.getValue().candidate() == null ? null : e.getValue().candidate().name());
                g.writeNumberField("candidateSinceMs", e.getValue().candidateSinceMs());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("seen");
            for (Map.Entry<String, Seen> e : seen.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("verdict", e.getValue().verdict().name());
                g.writeBooleanField("drained", e.getValue().drained());
                g.writeStringField("why", e.getValue().why());
                g.writeNumberField("atMs", e.getValue().atMs());
                g.writeEndObject();
            }
            g.writeEndObject();
            writeEntries(g, "pending", pending);
            writeEntries(g, "history", history);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeEntries(JsonGenerator g, String name, List<Entry> entries) throws IOException {
        g.writeArrayFieldStart(name);
        for (Entry e : entries) {
            Notice n = e.notice();
            g.writeStartObject();
            g.writeObjectFieldStart("notice");
            g.writeStringField("key", n.key());
            g.writeStringField("host", n.host());
            g.writeStringField("instance", n.instance());
            g.writeStringField("group", n.group());
            g.writeStringField("from", n.from().name());
            g.writeStringField("to", n.to().name());
            g.writeNumberField("sinceMs", n.sinceMs());
            g.writeNumberField("detectedMs", n.detectedMs());
            g.writeStringField("subject", n.subject());
            g.writeStringField("text", n.text());
            g.writeStringField("json", n.json());
            g.writeEndObject();
            g.writeObjectFieldStart("channels");
            for (Map.Entry<String, ChannelState> c : e.channels().entrySet()) {
                ChannelState cs = c.getValue();
                g.writeObjectFieldStart(c.getKey());
                g.writeStringField("status", cs.status());
                g.writeNumberField("attempts", cs.attempts());
                g.writeNumberField("lastAttemptMs", cs.lastAttemptMs());
                g.writeNumberField("sentMs", cs.sentMs());
                g.writeStringField("error", cs.error());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    @SuppressWarnings("unchecked")
    static WatchState fromJson(byte[] bytes) throws IOException {
        Object root;
        try (JsonParser p = JSON.createParser(bytes)) {
            p.nextToken();
            root = value(p);
        }
        Map<String, Object> m = map(root, "state");
        WatchState s = new WatchState();
        s.version = (int) num(m.get("version"));
        s.lastRunMs = num(m.get("lastRunMs"));
        map(m.getOrDefault("tracked", Map.of()), "tracked").forEach((k, v) -> {
            Map<String, Object> t = map(v, k);
            s.tracked.put(k, new Tracked(verdict(t.get("notified")), t.get("candidate") == null ? null
                    : verdict(t.get("candidate")), num(t.get("candidateSinceMs"))));
        });
        map(m.getOrDefault("seen", Map.of()), "seen").forEach((k, v) -> {
            Map<String, Object> t = map(v, k);
            s.seen.put(k, new Seen(verdict(t.get("verdict")), Boolean.TRUE.equals(t.get("drained")),
                    (String) t.get("why"), num(t.get("atMs"))));
        });
        s.pending.addAll(entries(m.get("pending")));
        s.history.addAll(entries(m.get("history")));
        return s;
    }

    private static List<Entry> entries(Object o) {
        List<Entry> out = new ArrayList<>();
        if (o == null) {
            return out;
        }
        if (!(o instanceof List<?> list)) {
            throw new IllegalArgumentException("expected a list of notices");
        }
        for (Object item : list) {
            Map<String, Object> e = map(item, "notice entry");
            Map<String, Object> n = map(e.get("notice"), "notice");
            Notice notice = new Notice(str(n, "key"), str(n, "host"), str(n, "instance"), str(n, "group"),
                    verdict(n.get("from")), verdict(n.get("to")), num(n.get("sinceMs")), num(n.get("detectedMs")),
                    str(n, "subject"), str(n, "text"), str(n, "json"));
            Map<String, ChannelState> channels = new LinkedHashMap<>();
            map(e.get("channels"), "channels").forEach((k, v) -> {
                Map<String, Object> c = map(v, k);
                channels.put(k, new ChannelState(str(c, "status"), (int) num(c.get("attempts")), num(c.get("lastAttemptMs")),
                        num(c.get("sentMs")), (String) c.get("error")));
            });
            out.add(new Entry(notice, channels));
        }
        return out;
    }

    /** A JSON value as Map, List, String, Long, Boolean or null (the parser on its first token). */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                m.put(name, value(p));
            }
            return m;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(value(p));
            }
            return l;
        }
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new IllegalArgumentException("unexpected " + t + " at " + p.currentLocation().getCharOffset());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(what + ": expected an object");
        }
        return (Map<String, Object>) o;
    }

    private static long num(Object o) {
        if (!(o instanceof Long l)) {
            throw new IllegalArgumentException("expected a number, got " + o);
        }
        return l;
    }

    private static String str(Map<String, Object> m, String k) {
        if (!(m.get(k) instanceof String s)) {
            throw new IllegalArgumentException(k + ": expected a string");
        }
        return s;
    }

    private static Verdict verdict(Object o) {
        return Verdict.valueOf(String.valueOf(o));
    }

    /** Replaces the channel state of {@code key}'s entry. */
    public void update(String key, String channel, ChannelState cs) {
        for (int i = 0; i < pending.size(); i++) {
            Entry e = pending.get(i);
            if (e.notice().key().equals(key)) {
                Map<String, ChannelState> m = new LinkedHashMap<>(e.channels());
                m.put(channel, cs);
                pending.set(i, new Entry(e.notice(), m));
                return;
            }
        }
    }

    /** Moves finished notices to the history (newest last, at most {@value #HISTORY}). */
    public void retire() {
        for (Entry e : new ArrayList<>(pending)) {
            if (e.done()) {
                pending.remove(e);
                history.add(e);
            }
        }
        while (history.size() > HISTORY) {
            history.remove(0);
        }
    }
}
