package org.mfshell.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Postsuper;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * Concurrent releases on the real lab count what each really released. 300 messages of this
 * run's own sender wait in msn-a (its hotmail.com mail is deferred by the lab provider) and are
 * put on hold; then two releases run at once and their counts must add up to exactly the number
 * released, with no message counted by both. When two postsuper runs race for one message, the
 * loser's sane_rename() "works around a spurious NFS error" and postsuper counts the message as
 * its own: 2,934 + 88 were reported for 3,013 messages. Expected values come from postqueue -j
 * read directly.
 */
class ConcurrentReleaseLabTest {
    private static final String INSTANCE = "msn-a";
    private static final int MESSAGES = 300;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProcessRunner RUNNER = new ProcessRunner();
    private static final Pattern RELEASED = Pattern.compile("^released (\\d+) messages? in " + INSTANCE, Pattern.MULTILINE);

    private static Lab lab;
    private static Path conf;
    private static String sender;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void inject() throws Exception {
        lab = LabFixture.shared();
        conf = lab.configDir(INSTANCE);
        sender = "race-" + Long.toHexString(System.nanoTime()) + "@release.test";
        for (int i = 0; i < MESSAGES; i++) {
            String rcpt = "race" + i + "@hotmail.com";
            String msg = "From: " + sender + "\nTo: " + rcpt + "\nSubject: concurrent release " + i + "\n\nx\n";
            ExecResult r = RUNNER.run(List.of("sendmail", "-C", conf.toString(), "-f", sender, rcpt), Duration.ofSeconds(30),
                    msg.getBytes(StandardCharsets.US_ASCII), Map.of());
            assertEquals(0, r.exitCode(), r.stderr());
        }
        waitFor(() -> {
            List<JsonNode> m = mine();
            return m.size() == MESSAGES && m.stream().allMatch(n -> n.get("queue_name").asText().equals("deferred"));
        }, MESSAGES + " deferred messages from " + sender);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (conf != null) {
            new Postsuper(RUNNER).apply(conf, Postsuper.Action.DELETE, ids(mine()));
        }
    }

    /** The wrapper itself, two threads let go at the same instant, a few rounds to meet the race. */
    @Test
    void twoPostsuperRunsAtOnceCountEachMessageOnce() throws Exception {
        int racedSeen = 0;
        for (int round = 0; round < 5; round++) {
            List<String> held = holdAll();
            CountDownLatch go = new CountDownLatch(1);
            Supplier<Postsuper.Result> release = () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return new Postsuper(RUNNER).apply(conf, Postsuper.Action.RELEASE, held);
            };
            CompletableFuture<Postsuper.Result> a = CompletableFuture.supplyAsync(release);
            CompletableFuture<Postsuper.Result> b = CompletableFuture.supplyAsync(release);
            go.countDown();
            Postsuper.Result ra = a.get();
            Postsuper.Result rb = b.get();
            assertEquals(0, onHold(), "every message released");
            assertEquals(MESSAGES, ra.count() + rb.count(), "round " + round + ": " + ra.count() + " + " + rb.count()
                    + " (raced " + ra.raced().size() + " + " + rb.raced().size() + ")");
            Set<String> both = new HashSet<>(ra.ids());
            both.retainAll(rb.ids());
            assertEquals(Set.of(), both);
            racedSeen += ra.raced().size() + rb.raced().size();
        }
        System.out.println("ConcurrentReleaseLabTest: postsuper runs that lost a race for a message, over 5 rounds: "
                + racedSeen);
    }

    /** Two real mfshell release processes started together: their reported counts add up. */
    @Test
    void twoReleaseCommandsAtOnceReportExactlyWhatWasReleased() throws Exception {
        holdAll();
        Map<String, String> env = Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_STATE_DIR", tmp.resolve("state").toString(), "MFSHELL_AUDIT_LOG", tmp.resolve("audit.log").toString());
        Supplier<ExecResult> release = () -> MfshellProcess.run(env, "release", INSTANCE, "--sender", sender, "--yes");
        CompletableFuture<ExecResult> a = CompletableFuture.supplyAsync(release);
        CompletableFuture<ExecResult> b = CompletableFuture.supplyAsync(release);
        ExecResult ra = a.get();
        ExecResult rb = b.get();
        assertEquals(0, onHold(), ra.stdout() + ra.stderr() + rb.stdout() + rb.stderr());
        long total = released(ra) + released(rb);
        assertEquals(MESSAGES, total, "A: " + ra.stdout() + ra.stderr() + "\nB: " + rb.stdout() + rb.stderr());
        String audit = Files.readString(tmp.resolve("audit.log"));
        Matcher m = Pattern.compile("result=\"released (\\d+) of").matcher(audit);
        long audited = 0;
        while (m.find()) {
            audited += Long.parseLong(m.group(1));
        }
        assertEquals(MESSAGES, audited, audit);
    }

    private static long released(ExecResult r) {
        Matcher m = RELEASED.matcher(r.stdout());
        // The later run may find nothing left on hold: "release: no message in msn-a matches".
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Puts all of this run's messages on hold (qmgr may hold one in active for a moment) and returns their ids. */
    private static List<String> holdAll() throws Exception {
        waitFor(() -> {
            List<JsonNode> m = mine();
            new Postsuper(RUNNER).apply(conf, Postsuper.Action.HOLD, ids(m));
            return onHold() == MESSAGES;
        }, "all " + MESSAGES + " on hold");
        return ids(mine());
    }

    private static long onHold() throws Exception {
        return mine().stream().filter(n -> n.get("queue_name").asText().equals("hold")).count();
    }

    private static List<JsonNode> mine() throws Exception {
        ExecResult r = RUNNER.run(List.of("postqueue", "-c", conf.toString(), "-j"), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        List<JsonNode> l = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                if (n.get("sender").asText().equals(sender)) {
                    l.add(n);
                }
            }
        }
        return l;
    }

    private static List<String> ids(List<JsonNode> ms) {
        return ms.stream().map(n -> n.get("queue_id").asText()).toList();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, String what) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (!c.ok()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(300);
        }
    }
}
