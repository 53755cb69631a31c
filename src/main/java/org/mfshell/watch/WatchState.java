package org.mfshell.watch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
@JsonIgnoreProperties(ignoreUnknown = true)
public final class WatchState {
    public static final int VERSION = 1;
    public static final int HISTORY = 20;
    public static final String FILE = "state.json";
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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
            WatchState s = MAPPER.readValue(b, WatchState.class);
            if (s.version != VERSION) {
                throw new MfshellException(f + ": state of version " + s.version + ", this mfshell reads version "
                        + VERSION + "; fix: mv " + f + " " + f + ".old (watch starts afresh)");
            }
            s.tracked = new TreeMap<>(s.tracked == null ? Map.of() : s.tracked);
            s.seen = new TreeMap<>(s.seen == null ? Map.of() : s.seen);
            s.pending = new ArrayList<>(s.pending == null ? List.of() : s.pending);
            s.history = new ArrayList<>(s.history == null ? List.of() : s.history);
            return s;
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new MfshellException(f + ": cannot parse the watch state (" + why
                    + "); fix: mv " + f + " " + f + ".bad (watch starts afresh and may notify current verdicts again)", e);
        }
    }

    public void save(Path dir) {
        try {
            StateDir.write(file(dir), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
