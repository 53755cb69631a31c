package org.mfshell.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * Both of mailq's readers, the queue files ({@code MFSHELL_QUEUE_READER=files}) and
 * {@code postqueue -j} ({@code =postqueue}), give the same output, byte for byte, on a real lab
 * queue: msn-a's deferred mail (the lab provider defers its hotmail.com/outlook.com mail), with
 * several recipients, done recipients (example.org is delivered), the null sender, a held
 * message and one in the active queue (a deferred file renamed into active/, where the running
 * qmgr, which scans active/ only when it starts, leaves it alone). Compared while the queue
 * stands still (postqueue -j equal before and after); the test's messages are deleted at the end.
 */
class QueueReadersLabTest {
    private static final String INSTANCE = "msn-a";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProcessRunner RUNNER = new ProcessRunner();

    private static Lab lab;
    private static Path conf;
    private static String sender;
    private static final List<String> mine = new ArrayList<>();

    @BeforeAll
    static void fill() throws Exception {
        lab = LabFixture.shared();
        conf = lab.configDir(INSTANCE);
        sender = "rd-" + UUID.randomUUID().toString().substring(0, 8) + "@readers.test";
        send(sender, "a1@hotmail.com", "b1@example.org", "c1@outlook.com");
        send(sender, "a2@hotmail.com");
        send(sender, "a3@hotmail.com", "a4@hotmail.com", "b3@example.org", "c3@outlook.com");
        send(sender, "a5@outlook.com");
        send("", "nobody-" + sender.substring(3, 11) + "@hotmail.com");
        Instant deadline = Instant.now().plusSeconds(90);
        while (true) {
            List<JsonNode> m = mineNow();
            if (m.size() == 5 && m.stream().allMatch(j -> j.get("queue_name").asText().equals("deferred")
                    && allHaveReasons(j))) {
                m.forEach(j -> mine.add(j.get("queue_id").asText()));
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the test's five messages were not all deferred in time: " + m);
            }
            Thread.sleep(300);
        }
        ExecResult h = RUNNER.run(List.of("postsuper", "-c", conf.toString(), "-h", mine.get(1)), Duration.ofSeconds(30));
        assertEquals(0, h.exitCode(), h.stderr());
        Path qd = lab.queueDir(INSTANCE);
        Path from;
        try (Stream<Path> s = Files.walk(qd.resolve("deferred"))) {
            from = s.filter(p -> p.getFileName().toString().equals(mine.get(2))).findFirst().orElseThrow();
        }
        Files.move(from, qd.resolve("active").resolve(mine.get(2)));
    }

    @AfterAll
    static void cleanUp() {
        if (!mine.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("postsuper", "-c", conf.toString(), "-d", "-"));
            RUNNER.run(argv, Duration.ofSeconds(30), (String.join("\n", mine) + "\n").getBytes(StandardCharsets.US_ASCII), Map.of());
        }
    }

    @Test
    void filesAndPostqueueGiveTheSameListingAndSummary() throws Exception {
        List<String[]> views = List.of(new String[] {"mailq", INSTANCE, "--json"},
                new String[] {"mailq", INSTANCE, "--summary"},
                new String[] {"mailq", INSTANCE, "--summary", "--json"},
                new String[] {"mailq", INSTANCE});
        for (String[] view : views) {
            String last = null;
            boolean equal = false;
            for (int attempt = 0; attempt < 10 && !equal; attempt++) {
                String before = postqueueJ();
                ExecResult files = mfshell("files", view);
                ExecResult pq = mfshell("postqueue", view);
                String after = postqueueJ();
                assertEquals(0, files.exitCode(), files.stderr());
                assertEquals(0, pq.exitCode(), pq.stderr());
                if (!before.equals(after)) {
                    continue;
                }
                last = "files:\n" + files.stdout() + "\npostqueue:\n" + pq.stdout();
                equal = files.stdout().equals(pq.stdout()) && files.stderr().equals(pq.stderr());
                if (equal && view[view.length - 1].equals("--json") && view.length == 3) {
                    assertQueueShape(files.stdout());
                }
            }
            assertTrue(equal, String.join(" ", view) + " differs (or the queue never stood still):\n" + last);
        }
    }

    /** The compared listing holds what this test set up: active, deferred and held mail, reasons, no done recipient. */
    private static void assertQueueShape(String jsonLines) throws Exception {
        TreeSet<String> queues = new TreeSet<>();
        int recipients = 0;
        for (String line : jsonLines.split("\n")) {
            JsonNode n = JSON.readTree(line);
            if (!mine.contains(n.get("queue_id").asText())) {
                continue;
            }
            queues.add(n.get("queue_name").asText());
            for (JsonNode r : n.get("recipients")) {
                recipients++;
                assertTrue(!r.get("address").asText().endsWith("@example.org"), "a delivered recipient is listed: " + line);
            }
        }
        assertEquals(new TreeSet<>(List.of("active", "deferred", "hold")), queues);
        assertEquals(8, recipients);
    }

    private static boolean allHaveReasons(JsonNode m) {
        for (JsonNode r : m.get("recipients")) {
            if (!r.has("delay_reason") || r.get("address").asText().endsWith("@example.org")) {
                return false;
            }
        }
        return true;
    }

    private static ExecResult mfshell(String reader, String... args) {
        return MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_QUEUE_READER", reader, "COLUMNS", "200", "NO_COLOR", "1"), args);
    }

    private static void send(String from, String... recipients) {
        List<String> argv = new ArrayList<>(List.of("sendmail", "-C", conf.toString(), "-f", from));
        argv.addAll(List.of(recipients));
        String msg = "From: test\nTo: " + String.join(", ", recipients) + "\nSubject: readers\n\nhello\n";
        ExecResult r = RUNNER.run(argv, Duration.ofSeconds(30), msg.getBytes(StandardCharsets.US_ASCII), Map.of());
        assertEquals(0, r.exitCode(), r.stderr());
    }

    private static String postqueueJ() {
        ExecResult r = RUNNER.run(List.of("postqueue", "-c", conf.toString(), "-j"), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        return new TreeSet<>(List.of(r.stdout().split("\n"))).toString();
    }

    private static List<JsonNode> mineNow() throws Exception {
        ExecResult r = RUNNER.run(List.of("postqueue", "-c", conf.toString(), "-j"), Duration.ofSeconds(60));
        List<JsonNode> out = new ArrayList<>();
        String tag = sender.substring(3, 11);
        for (String line : r.stdout().split("\n")) {
            if (line.contains(sender) || line.contains("nobody-" + tag)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }
}
