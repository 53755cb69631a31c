package org.mfshell.watch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.core.CancelledException;
import org.mfshell.core.Quote;
import org.mfshell.flush.InstanceLock;
import org.mfshell.fs.StateDir;
import org.mfshell.health.Verdict;
import org.mfshell.watch.ChangeDetector.Change;
import org.mfshell.watch.WatchState.ChannelState;
import org.mfshell.watch.WatchState.Entry;

/**
 * One watch run, under the watch lock ({@code STATE/locks/}, so two runs never both send): load
 * the state, compare this run's verdicts with it ({@link ChangeDetector}), record every new
 * change as a pending notice (state saved, fsync'd) before anything is sent, then send each
 * pending notice on each channel, recording "sending" before and "sent" or "failed" after each
 * attempt. A failed channel is retried on later runs until {@code retry_for} after the change
 * was detected, then marked expired.
 *
 * <p>The guarantee: each change is sent on each channel at least once if a run succeeds within
 * retry_for, and at most once, except when the process dies after a channel accepted the notice
 * and before "sent" was recorded; that notice is then sent again with the same idempotency key
 * (Message-ID, Idempotency-Key header, JSON id, syslog id=), so the duplicate is recognisable.
 * Errors: the lock held by another run, the state file refused or unreadable
 * ({@code MfshellException}); a channel's failure is recorded, never thrown.
 */
public final class WatchService {
    public static final String LOCK_ID = "watch:state";
    private final Path stateDir;

    public WatchService(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** One attempt on one channel. */
    public record Send(Notice notice, String channel, boolean ok, String error, boolean retry) {
    }

    /** What a run did: changes detected (their notices), send attempts, notices given up, candidates waiting. */
    public record Outcome(List<Notice> detected, List<Send> sends, List<String> expired, Map<String, ChangeDetector.Tracked> waiting,
                          int pendingLeft) {
        public boolean failed() {
            return sends.stream().anyMatch(s -> !s.ok());
        }
    }

    public Outcome runOnce(Observation.Run run, Map<String, Channel> channels, long holdDownMs, long retryForMs,
                           String host, String window, long nowMs) {
        try (InstanceLock lock = InstanceLock.acquire(stateDir, LOCK_ID, "watch")) {
            Path dir = new StateDir(stateDir, "MFSHELL_STATE_DIR").dir("watch");
            WatchState st = WatchState.load(dir);
            Map<String, Verdict> observed = new LinkedHashMap<>();
            run.byKey().forEach((k, o) -> observed.put(k, o.effective()));
            ChangeDetector.Result r = ChangeDetector.detect(st.tracked, observed, run.unreadable(), nowMs, holdDownMs);
            st.tracked = new java.util.TreeMap<>(r.tracked());
            st.seen = new java.util.TreeMap<>();
            run.byKey().forEach((k, o) -> st.seen.put(k, new WatchState.Seen(o.verdict(), o.drained(), o.why(), nowMs)));
            st.lastRunMs = nowMs;
            List<Notice> detected = new ArrayList<>();
            for (Change c : r.changes()) {
                Notice n = Notice.of(c, run.byKey().get(c.key()), host, window);
                Map<String, ChannelState> cs = new LinkedHashMap<>();
                channels.keySet().forEach(name -> cs.put(name, ChannelState.pending()));
                st.pending.add(new Entry(n, cs));
                detected.add(n);
            }
            st.save(dir);
            List<Send> sends = new ArrayList<>();
            List<String> expired = new ArrayList<>();
            for (Entry e : new ArrayList<>(st.pending)) {
                Notice n = e.notice();
                for (Map.Entry<String, ChannelState> c : e.channels().entrySet()) {
                    ChannelState before = c.getValue();
                    if (before.done()) {
                        continue;
                    }
                    Channel ch = channels.get(c.getKey());
                    if (ch == null) {
                        st.update(n.key(), c.getKey(), new ChannelState("dropped", before.attempts(), before.lastAttemptMs(),
                                0, "channel no longer configured"));
                        continue;
                    }
                    if (nowMs - n.detectedMs() > retryForMs && before.attempts() > 0) {
                        st.update(n.key(), c.getKey(), new ChannelState("expired", before.attempts(), before.lastAttemptMs(),
                                0, before.error()));
                        expired.add(c.getKey() + " " + n.key() + " (" + n.instance() + " " + n.to() + " for " + n.group()
                                + "): gave up after " + before.attempts() + " attempts: " + before.error());
                        st.save(dir);
                        continue;
                    }
                    boolean retry = before.attempts() > 0;
                    st.update(n.key(), c.getKey(), new ChannelState("sending", before.attempts() + 1, nowMs, 0,
                            before.status().equals("sending") ? "interrupted attempt: resent with the same id" : before.error()));
                    st.save(dir);
                    ChannelState after;
                    try {
                        ch.send(n);
                        after = new ChannelState("sent", before.attempts() + 1, nowMs, System.currentTimeMillis(), null);
                        sends.add(new Send(n, c.getKey(), true, null, retry));
                    } catch (CancelledException x) {
                        throw x;
                    } catch (Exception x) {
                        String why = Quote.oneLine(x.getMessage() == null ? x.toString() : x.getMessage());
                        after = new ChannelState("failed", before.attempts() + 1, nowMs, 0, why);
                        sends.add(new Send(n, c.getKey(), false, why, retry));
                    }
                    st.update(n.key(), c.getKey(), after);
                    st.save(dir);
                }
            }
            st.retire();
            st.save(dir);
            Map<String, ChangeDetector.Tracked> waiting = new LinkedHashMap<>();
            st.tracked.forEach((k, t) -> {
                if (t.candidate() != null) {
                    waiting.put(k, t);
                }
            });
            return new Outcome(detected, sends, expired, waiting, st.pending.size());
        }
    }

    /** The state as last saved (read without the lock: a consistent file, as it is replaced atomically). */
    public WatchState status() {
        Path dir = new StateDir(stateDir, "MFSHELL_STATE_DIR").existingDir("watch");
        return dir == null ? new WatchState() : WatchState.load(dir);
    }

    public Path stateFile() {
        return WatchState.file(new StateDir(stateDir, "MFSHELL_STATE_DIR").root().resolve("watch"));
    }

    /** This host's name for notices and Message-IDs (the kernel's, letters, digits, '.' and '-' only). */
    public static String hostName() {
        String h;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
        } catch (java.io.IOException | RuntimeException e) {
            h = "";
        }
        h = h.replaceAll("[^A-Za-z0-9.-]", "");
        return h.isEmpty() ? "localhost" : h;
    }
}
