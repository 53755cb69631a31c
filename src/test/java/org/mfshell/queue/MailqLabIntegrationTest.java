package org.mfshell.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.shell.Commands;
import org.mfshell.testutil.MfshellProcess;

/**
 * mailq and the message actions against the real Postfix lab. msn-a's hotmail.com/outlook.com mail
 * is deferred by the lab provider (4.7.651), so messages sent there stay queued. The test injects
 * its own messages (sendmail -C, a sender unique to this run) and only ever selects and changes
 * those, because other tests share the lab; it deletes them at the end. Expected values come from
 * postqueue -j read directly, never from mfshell.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MailqLabIntegrationTest {
    private static final String INSTANCE = "msn-a";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProcessRunner RUNNER = new ProcessRunner();

    private static Lab lab;
    private static String sender;
    private static Path conf;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void inject() throws Exception {
        lab = LabFixture.shared();
        conf = lab.configDir(INSTANCE);
        sender = "it-" + UUID.randomUUID().toString().substring(0, 8) + "@mailq.test";
        send("a1@hotmail.com");
        send("a2@hotmail.com", "b2@outlook.com");
        send("a3@hotmail.com");
        send("b4@outlook.com");
        send("a5@hotmail.com", "a6@hotmail.com", "b6@outlook.com");
        // Wait until all five were tried once and deferred by the provider.
        waitFor(() -> {
            List<JsonNode> mine = mine();
            return mine.size() == 5 && mine.stream().allMatch(m -> m.get("queue_name").asText().equals("deferred"));
        }, "five deferred messages from " + sender);
    }

    @AfterAll
    static void cleanUp() {
        if (lab != null && sender != null) {
            run("delete", INSTANCE, "--sender", sender, "--yes");
        }
    }

    @Test
    @Order(1)
    void overviewCountsEqualPostqueues() throws Exception {
        // Mail moves between deferred and active while qmgr retries; the total and hold do not.
        for (int attempt = 0; attempt < 10; attempt++) {
            Map<String, Integer> before = countsByQueue(postqueueJ());
            Result r = run("mailq", "--json");
            Map<String, Integer> after = countsByQueue(postqueueJ());
            assertEquals(0, r.code, r.err);
            JsonNode row = null;
            for (String line : r.out.split("\n")) {
                JsonNode n = JSON.readTree(line);
                if (n.get("instance").asText().equals(INSTANCE)) {
                    row = n;
                }
            }
            if (!before.equals(after)) {
                continue;
            }
            assertTrue(row.get("running").asBoolean());
            int total = before.values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(total, row.get("total").asInt());
            for (String q : List.of("maildrop", "incoming", "active", "deferred", "hold")) {
                assertEquals(before.getOrDefault(q, 0), row.get("queues").get(q).asInt(), q);
            }
            assertEquals("hotmail.com", row.get("top_deferred_domain").asText(), "most deferred mail is hotmail.com");
            return;
        }
        throw new AssertionError("the queue of " + INSTANCE + " never stood still long enough to compare");
    }

    @Test
    @Order(2)
    void jsonLinesContractOnARealProcess() throws Exception {
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()),
                "mailq", INSTANCE, "--sender", sender, "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
        Set<String> ids = new TreeSet<>();
        for (String line : r.stdout().split("\n")) {
            JsonNode n = JSON.readTree(line);
            assertTrue(n.isObject(), line);
            assertEquals(INSTANCE, n.get("instance").asText());
            for (String f : List.of("queue_name", "queue_id", "arrival_time", "message_size", "sender", "recipients")) {
                assertTrue(n.has(f), f + " in " + line);
            }
            ids.add(n.get("queue_id").asText());
        }
        assertEquals(idsOf(mine()), ids);
    }

    @Test
    @Order(3)
    void filtersSelectWhatTheyShould() throws Exception {
        List<JsonNode> mine = mine();
        assertEquals(idsOf(mine), ids(run("mailq", INSTANCE, "--sender", sender, "--json")));
        Set<String> outlook = new TreeSet<>();
        for (JsonNode m : mine) {
            for (JsonNode rc : m.get("recipients")) {
                if (rc.get("address").asText().endsWith("@outlook.com")) {
                    outlook.add(m.get("queue_id").asText());
                }
            }
        }
        assertEquals(3, outlook.size());
        assertEquals(outlook, ids(run("mailq", INSTANCE, "--sender", sender, "--domain", "outlook.com", "--json")));
        assertEquals(idsOf(mine), ids(run("mailq", INSTANCE, "--sender", sender, "--reason", "4\\.7\\.651", "--json")));
        assertEquals(Set.of(), ids(run("mailq", INSTANCE, "--sender", sender, "--reason", "mailbox full", "--json")));
        assertEquals(Set.of(), ids(run("mailq", INSTANCE, "--sender", sender, "--older-than", "1h", "--json")));
        assertEquals(Set.of(), ids(run("mailq", INSTANCE, "--sender", sender, "--queue", "hold", "--json")));
        assertEquals(2, ids(run("mailq", INSTANCE, "--sender", sender, "--limit", "2", "--json")).size());

        Result p = run("mailq", INSTANCE, "--sender", sender);
        assertEquals(0, p.code, p.err);
        assertTrue(p.out.contains("-- ") && p.out.trim().endsWith("Kbytes in 5 Requests."), p.out);
        assertTrue(p.out.contains("(host " + lab.providerAddress() + "[" + lab.providerAddress() + "] said: 451 4.7.651"),
                p.out);

        Result s = run("mailq", INSTANCE, "--sender", sender, "--summary", "--json");
        assertEquals(0, s.code, s.err);
        JsonNode sum = JSON.readTree(s.out);
        assertEquals(5, sum.get("messages").asInt());
        assertEquals(8, sum.get("recipients").asInt());
        assertEquals("TOTAL", sum.get("domains").get(0).get("domain").asText());
        assertEquals("hotmail.com", sum.get("domains").get(1).get("domain").asText());
        assertEquals(5, sum.get("domains").get(1).get("total").asInt());
        JsonNode top = sum.get("reasons").get(0);
        assertEquals(8, top.get("count").asInt(), "one reason for all recipients: " + sum.get("reasons"));
        assertTrue(top.get("reason").asText().startsWith("451 4.7.651 <address>: Recipient address rejected: "
                + "The mail server [<ip>] has been temporarily rate limited due to IP reputation."), top.toString());
    }

    @Test
    @Order(4)
    void dryRunAndDeclinedQuestionChangeNothing() throws Exception {
        Map<String, String> before = queueOf(mine());
        Result r = run("hold", INSTANCE, "--sender", sender, "--dry-run");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("hold: 5 messages in " + INSTANCE), r.out);
        assertTrue(r.out.contains("dry run: nothing changed"), r.out);
        r = runWithInput("n\n", "delete", INSTANCE, "--sender", sender);
        assertEquals(1, r.code);
        assertTrue(r.err.contains("cancelled: nothing changed"), r.err);
        Map<String, String> after = queueOf(mine());
        assertEquals(before.keySet(), after.keySet());
        assertFalse(after.containsValue("hold"));
        assertFalse(Files.exists(tmp.resolve("audit.log")) && Files.readString(tmp.resolve("audit.log")).contains(sender));
    }

    @Test
    @Order(5)
    void holdAndReleaseReallyChangeTheQueue() throws Exception {
        Result r = run("hold", INSTANCE, "--sender", sender, "--domain", "outlook.com", "--yes");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("held 3 messages in " + INSTANCE), r.out);
        Map<String, String> q = queueOf(mine());
        assertEquals(3, q.values().stream().filter("hold"::equals).count(), q.toString());

        String one = q.entrySet().stream().filter(e -> e.getValue().equals("hold")).findFirst().orElseThrow().getKey();
        r = run("release", INSTANCE, one, "--yes");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("released 1 message in " + INSTANCE), r.out);
        q = queueOf(mine());
        assertFalse(q.get(one).equals("hold"));
        assertEquals(2, q.values().stream().filter("hold"::equals).count());

        r = run("release", INSTANCE, "--sender", sender, "--yes");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("released 2 messages"), r.out);
        assertFalse(queueOf(mine()).containsValue("hold"));

        String audit = Files.readString(tmp.resolve("audit.log"), StandardCharsets.UTF_8);
        assertTrue(audit.contains("command=\"hold " + INSTANCE + " --sender " + sender + " --domain outlook.com --yes\" "
                + "result=\"held 3 of 3 selected\""), audit);
        assertTrue(audit.contains("command=\"release " + INSTANCE + " " + one + " --yes\" result=\"released 1 of 1 selected\""),
                audit);
    }

    @Test
    @Order(6)
    void requeueReinjectsAndKeepsTheMail() throws Exception {
        String id = idsOf(mine()).iterator().next();
        Result r = run("requeue", INSTANCE, id, "--yes");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("requeued 1 message in " + INSTANCE), r.out);
        // Postfix logs the requeue; the message then goes through pickup and cleanup again.
        waitFor(() -> Files.readString(lab.logFile(INSTANCE)).contains("postsuper[") 
                && Files.readString(lab.logFile(INSTANCE)).contains(id + ": requeued"), "requeue logged");
        waitFor(() -> mine().size() == 5, "five messages again after requeue");
    }

    @Test
    @Order(7)
    void deleteByIdThenUnknownIdIsUsageError() throws Exception {
        String id = idsOf(mine()).iterator().next();
        Result r = run("delete", INSTANCE, id, "--yes");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("deleted 1 message in " + INSTANCE), r.out);
        assertFalse(idsOf(mine()).contains(id));
        assertEquals(4, mine().size());

        r = run("delete", INSTANCE, id, "--yes");
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("mfshell: delete: no message " + id + " in the queue of " + INSTANCE), r.err);

        r = run("show", INSTANCE, id);
        assertEquals(2, r.code);
        String other = idsOf(mine()).iterator().next();
        r = run("show", INSTANCE, other);
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("From: " + sender) || r.out.contains("Return-Path") || r.out.contains("Subject: mailq it"),
                r.out);
        r = run("show", INSTANCE, other, "--body");
        assertTrue(r.out.contains("*** ENVELOPE RECORDS") && r.out.contains("sender: " + sender), r.out);
    }

    @Test
    @Order(8)
    void completionOffersDomainsAndIdsOfTheQueue() throws Exception {
        AppContext ctx = context();
        List<String> domains = org.mfshell.shell.completion.CompletionValues.queueDomains(ctx, INSTANCE);
        assertTrue(domains.contains("hotmail.com") && domains.contains("outlook.com"), domains.toString());
        List<String> ids = org.mfshell.shell.completion.CompletionValues.queueIds(ctx, INSTANCE);
        assertTrue(ids.containsAll(idsOf(mine())), ids.toString());
    }

    @Test
    @Order(9)
    void stoppedInstanceStillListsWithANote() throws Exception {
        Path msnB = lab.configDir("msn-b");
        ExecResult stop = RUNNER.run(List.of("postfix", "-c", msnB.toString(), "stop"), Duration.ofSeconds(60));
        assertEquals(0, stop.exitCode(), stop.stderr());
        try {
            waitFor(() -> !Files.exists(lab.queueDir("msn-b").resolve("pid/master.pid"))
                    || RUNNER.run(List.of("postfix", "-c", msnB.toString(), "status"), Duration.ofSeconds(30)).exitCode() != 0,
                    "msn-b stopped");
            Result r = run("mailq", "msn-b");
            assertEquals(0, r.code, r.err);
            assertTrue(r.out.endsWith("Mail queue is empty\n") || r.out.contains(" Kbytes in "), r.out);
            assertTrue(r.err.contains("mfshell: note: instance msn-b is stopped (postqueue read the queue directly)"), r.err);
            r = run("mailq", "--json");
            assertEquals(0, r.code, r.err);
            boolean seen = false;
            for (String line : r.out.split("\n")) {
                JsonNode n = JSON.readTree(line);
                if (n.get("instance").asText().equals("msn-b")) {
                    assertFalse(n.get("running").asBoolean());
                    seen = true;
                }
            }
            assertTrue(seen, r.out);
        } finally {
            lab.up();
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Result(int code, String out, String err) {
    }

    private static AppContext context() {
        return new AppContext(lab.configRoot(), tmp.resolve("state"), tmp.resolve("audit.log"), lab.root(), RUNNER);
    }

    private static Result run(String... words) {
        return runWithInput("", words);
    }

    private static Result runWithInput(String stdin, String... words) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader(stdin)), false, false);
        int code = new Cli(context(), Commands.all()).run(List.of(words), io);
        return new Result(code, out.toString(), err.toString());
    }

    private static Set<String> ids(Result r) throws Exception {
        assertEquals(0, r.code, r.err);
        Set<String> ids = new TreeSet<>();
        for (String line : r.out.split("\n")) {
            if (!line.isBlank()) {
                ids.add(JSON.readTree(line).get("queue_id").asText());
            }
        }
        return ids;
    }

    private static void send(String... recipients) {
        List<String> argv = new ArrayList<>(List.of("sendmail", "-C", conf.toString(), "-f", sender));
        argv.addAll(List.of(recipients));
        String msg = "From: " + sender + "\nTo: " + String.join(", ", recipients) + "\nSubject: mailq it\n\nhello\n";
        ExecResult r = RUNNER.run(argv, Duration.ofSeconds(30), msg.getBytes(StandardCharsets.US_ASCII), Map.of());
        assertEquals(0, r.exitCode(), r.stderr());
    }

    private static List<JsonNode> postqueueJ() throws Exception {
        ExecResult r = RUNNER.run(List.of("postqueue", "-c", conf.toString(), "-j"), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        List<JsonNode> l = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                l.add(JSON.readTree(line));
            }
        }
        return l;
    }

    /** This run's messages, read from postqueue -j directly. */
    private static List<JsonNode> mine() throws Exception {
        return postqueueJ().stream().filter(m -> m.get("sender").asText().equals(sender)).toList();
    }

    private static Set<String> idsOf(List<JsonNode> ms) {
        Set<String> s = new TreeSet<>();
        ms.forEach(m -> s.add(m.get("queue_id").asText()));
        return s;
    }

    private static Map<String, String> queueOf(List<JsonNode> ms) {
        Map<String, String> m = new HashMap<>();
        ms.forEach(n -> m.put(n.get("queue_id").asText(), n.get("queue_name").asText()));
        return m;
    }

    private static Map<String, Integer> countsByQueue(List<JsonNode> ms) {
        Map<String, Integer> c = new TreeMap<>();
        ms.forEach(m -> c.merge(m.get("queue_name").asText(), 1, Integer::sum));
        return c;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, String what) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!c.ok()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
