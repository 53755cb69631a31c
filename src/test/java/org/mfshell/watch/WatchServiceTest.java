package org.mfshell.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.health.Verdict;

/**
 * The send protocol over the real state file: pending before sending, one send per change and
 * channel, a failed channel retried then given up after retry_for, and the one duplicate the
 * guarantee allows (the process dies after a channel accepted) sent again with the same key.
 * The channels here are plain recorders: what they stand for (sendmail, logger, HTTP) is tested on the lab.
 */
class WatchServiceTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path tmp;

    /** Stands for the process being killed: not an Exception, so nothing in watch catches it. */
    static final class Killed extends Error {
    }

    /** Records what it accepted; fails while {@code failing}; after accepting, dies like a killed process when {@code die}. */
    static final class Recorder implements Channel {
        final String name;
        final List<String> accepted = new ArrayList<>();
        boolean failing;
        boolean die;

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void send(Notice n) {
            if (failing) {
                throw new IllegalStateException("refused");
            }
            accepted.add(n.key());
            if (die) {
                die = false;
                throw new Killed();
            }
        }
    }

    private static Observation.Run seen(Verdict v) {
        Observation o = new Observation("msn-a", "192.0.2.4", "msn", v, false, null, "why", Map.of(), 1, 0, 1, 0, 0, 0, null);
        return new Observation.Run(Map.of(o.key(), o), List.of());
    }

    private WatchService.Outcome run(WatchService s, Map<String, Channel> ch, Verdict v, long now) {
        return s.runOnce(seen(v), ch, 0, 24 * HOUR, "relay1", "last 30m", now);
    }

    @Test
    void oneSendPerChangeAndChannel() {
        WatchService s = new WatchService(tmp.resolve("state"));
        Recorder a = new Recorder("mail");
        Recorder b = new Recorder("webhook");
        Map<String, Channel> ch = new LinkedHashMap<>(Map.of("mail", a, "webhook", b));
        assertEquals(1, run(s, ch, Verdict.BLOCKED, 1000).detected().size());
        assertEquals(0, run(s, ch, Verdict.BLOCKED, 2000).sends().size());
        assertEquals(0, run(new WatchService(tmp.resolve("state")), ch, Verdict.BLOCKED, 3000).sends().size());
        run(s, ch, Verdict.OK, 4000);
        assertEquals(2, a.accepted.size());
        assertEquals(a.accepted, b.accepted);
        assertEquals(2, a.accepted.stream().distinct().count());
        assertTrue(s.status().pending.isEmpty());
        assertEquals(2, s.status().history.size());
    }

    @Test
    void aFailedChannelIsRetriedAndTheOtherIsNotResent() {
        WatchService s = new WatchService(tmp.resolve("state"));
        Recorder mail = new Recorder("mail");
        Recorder hook = new Recorder("webhook");
        hook.failing = true;
        Map<String, Channel> ch = new LinkedHashMap<>();
        ch.put("mail", mail);
        ch.put("webhook", hook);
        WatchService.Outcome first = run(s, ch, Verdict.BLOCKED, 1000);
        assertTrue(first.failed());
        assertEquals("failed", s.status().pending.get(0).channels().get("webhook").status());
        hook.failing = false;
        WatchService.Outcome second = run(s, ch, Verdict.BLOCKED, 2000);
        assertEquals(1, second.sends().size());
        assertTrue(second.sends().get(0).retry());
        assertEquals(1, mail.accepted.size());
        assertEquals(mail.accepted, hook.accepted);
        assertTrue(s.status().pending.isEmpty());
    }

    @Test
    void aChannelFailingLongerThanRetryForIsGivenUp() {
        WatchService s = new WatchService(tmp.resolve("state"));
        Recorder hook = new Recorder("webhook");
        hook.failing = true;
        Map<String, Channel> ch = Map.of("webhook", hook);
        run(s, ch, Verdict.BLOCKED, 1000);
        run(s, ch, Verdict.BLOCKED, 1000 + HOUR);
        WatchService.Outcome late = run(s, ch, Verdict.BLOCKED, 1000 + 25 * HOUR);
        assertEquals(1, late.expired().size(), late.toString());
        assertTrue(late.expired().get(0).contains("gave up after 2 attempts: refused"), late.expired().toString());
        assertEquals("expired", s.status().history.get(0).channels().get("webhook").status());
        assertEquals(0, run(s, ch, Verdict.BLOCKED, 1000 + 26 * HOUR).sends().size());
    }

    @Test
    void killedAfterAcceptanceResendsOnceWithTheSameKey() throws Exception {
        Path state = tmp.resolve("state");
        WatchService s = new WatchService(state);
        Recorder mail = new Recorder("mail");
        mail.die = true;
        Map<String, Channel> ch = Map.of("mail", mail);
        assertThrows(Killed.class, () -> run(s, ch, Verdict.BLOCKED, 1000));
        String saved = Files.readString(state.resolve("watch/state.json"));
        assertTrue(saved.contains("\"status\" : \"sending\""), saved);
        WatchService.Outcome after = run(new WatchService(state), ch, Verdict.BLOCKED, 2000);
        assertEquals(1, after.sends().size());
        assertEquals(2, mail.accepted.size());
        assertEquals(mail.accepted.get(0), mail.accepted.get(1), "the one possible duplicate carries the same key");
        assertEquals(0, run(new WatchService(state), ch, Verdict.BLOCKED, 3000).sends().size());
    }

    @Test
    void aCorruptStateFileIsRefusedWithTheFix() throws Exception {
        Path state = tmp.resolve("state");
        WatchService s = new WatchService(state);
        run(s, Map.of("mail", new Recorder("mail")), Verdict.BLOCKED, 1000);
        Path f = state.resolve("watch/state.json");
        String good = Files.readString(f);
        org.mfshell.fs.StateDir.write(f, good.substring(0, good.length() / 2).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.mfshell.core.MfshellException e = assertThrows(org.mfshell.core.MfshellException.class,
                () -> run(s, Map.of("mail", new Recorder("mail")), Verdict.BLOCKED, 2000));
        assertTrue(e.getMessage().startsWith(f + ": cannot parse the watch state"), e.getMessage());
        assertTrue(e.getMessage().contains("fix: mv " + f + " " + f + ".bad"), e.getMessage());
        assertEquals(1, e.exitCode());
    }
}
