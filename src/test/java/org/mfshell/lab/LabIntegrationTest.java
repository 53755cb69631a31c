package org.mfshell.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/**
 * The lab's whole life on real Postfix: up from nothing, the wiki's shape of every instance,
 * seed (deferrals with 4.7.651, bounces, holds, accepted Message-IDs), idempotent up,
 * unblock + flush, down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProcessRunner RUN = new ProcessRunner();
    private static Lab lab;
    private static SeedReport seed;

    @BeforeAll
    static void fromNothing() {
        lab = LabFixture.unstarted();
        lab.destroy();
        assertFalse(Files.exists(lab.root()), "lab root still there after destroy");
    }

    @Test
    @Order(1)
    void upFromNothingStartsEveryInstanceInTheWikisShape() throws Exception {
        long t0 = System.nanoTime();
        LabStatus status = lab.up();
        System.out.printf("lab up from nothing: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(status.allRunning(), "not all running: " + status);
        assertEquals(Set.of("msn-a"), status.blocked());
        for (String name : Lab.INSTANCES) {
            Path dir = lab.configDir(name);
            String addr = lab.address(name);
            assertEquals(lab.root().resolve("etc").resolve("postfix-" + name), dir);
            assertEquals(0, postfix(dir, "status").exitCode(), name + " not running per postfix status");
            assertTrue(banner(addr).startsWith("220 " + name + ".lab.invalid"), name + " banner");
            assertEquals(addr, postconf(dir, "-Ph", "smtp/unix/smtp_bind_address"));
            List<String> master = Files.readAllLines(dir.resolve("master.cf"));
            assertTrue(master.contains("smtp unix - - - - - smtp -o smtp_bind_address=" + addr), name + " master.cf");
            for (String service : postconf(dir, "-M").split("\n")) {
                String[] f = service.trim().split("\\s+");
                if (f.length > 1 && f[1].equals("inet")) {
                    assertEquals(addr + ":25", f[0], name + ": inet service on another address: " + service);
                }
            }
            List<String> main = Files.readAllLines(dir.resolve("main.cf")).stream().filter(l -> !l.isBlank()).toList();
            assertEquals("#transport_maps = hash:" + dir.resolve("transport.relay"), main.get(main.size() - 1));
            assertEquals("postfix-" + name, postconf(dir, "-h", "syslog_name"));
            assertEquals("[" + lab.providerAddress() + "]:25", postconf(dir, "-h", "relayhost"));
            assertEquals(lab.logFile(name).toString(), postconf(dir, "-h", "maillog_file"));
            assertTrue(Files.readString(lab.logFile(name)).contains("postfix-" + name + "/master"), name + " log");
        }
        assertEquals(0, postfix(lab.providerConfigDir(), "status").exitCode(), "provider not running");
        for (String service : postconf(lab.providerConfigDir(), "-M").split("\n")) {
            String[] f = service.trim().split("\\s+");
            if (f.length > 1 && f[1].equals("inet")) {
                assertEquals(lab.providerAddress() + ":25", f[0], "provider: inet service on another address: " + service);
            }
        }
        assertTrue(banner(lab.providerAddress()).startsWith("220 provider.lab.invalid"));
    }

    @Test
    @Order(2)
    void seedLeavesDeferralsBouncesHoldsAndAcceptedMail() throws Exception {
        long t0 = System.nanoTime();
        seed = lab.seed();
        System.out.printf("lab seed: %d ms, %d messages%n", (System.nanoTime() - t0) / 1_000_000, seed.messages().size());
        Map<String, SeedReport.Counts> counts = seed.counts();
        for (String name : Lab.INSTANCES) {
            SeedReport.Counts c = counts.get(name);
            assertTrue(c.sent() > 0 && c.deferred() > 0 && c.bounced() > 0, name + " mix: " + c);
            String log = Files.readString(lab.logFile(name));
            for (String st : List.of("status=sent", "status=deferred", "status=bounced")) {
                assertTrue(log.contains(st), name + " log has no " + st);
            }
        }
        assertEquals(2, counts.get("therest-a").held());

        List<JsonNode> msnA = queue("msn-a");
        long blockedDeferred = msnA.stream().filter(m -> m.get("queue_name").asText().equals("deferred"))
                .flatMap(m -> iterable(m.get("recipients")).stream())
                .filter(r -> r.path("delay_reason").asText().contains("4.7.651")
                        && r.path("delay_reason").asText().contains("[" + lab.address("msn-a") + "]"))
                .count();
        assertTrue(blockedDeferred >= 10, "msn-a deferred 4.7.651 recipients: " + blockedDeferred);
        assertFalse(queue("msn-b").stream().anyMatch(m -> m.toString().contains("4.7.651")), "msn-b must not be blocked");

        List<JsonNode> held = queue("therest-a").stream().filter(m -> m.get("queue_name").asText().equals("hold")).toList();
        assertEquals(2, held.size());

        Set<String> accepted = lab.acceptedMessageIds();
        assertFalse(accepted.isEmpty());
        for (SeedReport.SeededMessage m : seed.messages()) {
            boolean sentSome = m.has(SeedReport.Outcome.SENT);
            assertEquals(sentSome, accepted.contains(m.messageId()), m.instance() + " " + m.messageId() + " " + m.recipients());
        }
        assertEquals(accepted.size(), lab.status().acceptedMessages());
    }

    @Test
    @Order(3)
    void upAgainIsIdempotent() {
        Map<String, Long> before = pids(lab.status());
        LabStatus after = lab.up();
        assertEquals(before, pids(after));
        assertTrue(after.instance("msn-a").queue("deferred") > 0, "up must not touch the queues");
    }

    @Test
    @Order(3)
    void aSecondLabOnTheSamePrefixIsRefusedBeforeWritingAnything(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Path other = tmp.resolve("second-lab");
        Lab second = new Lab(new ProcessRunner(), other, lab.prefix());
        MfshellException e = assertThrows(MfshellException.class, second::up);
        assertTrue(e.getMessage().contains(":25 already answers") && e.getMessage().contains(lab.prefix()), e.getMessage());
        assertFalse(Files.exists(other), "nothing written for the refused lab");
    }

    @Test
    @Order(4)
    void unblockThenFlushDeliversMsnAsDeferredMail() {
        List<String> blockedIds = seed.messages("msn-a").stream()
                .filter(m -> m.recipients().keySet().stream().anyMatch(r -> r.endsWith("@hotmail.com") || r.endsWith("@outlook.com")))
                .map(SeedReport.SeededMessage::messageId).toList();
        assertFalse(blockedIds.isEmpty());
        assertTrue(blockedIds.stream().noneMatch(lab.acceptedMessageIds()::contains));
        lab.unblock("msn-a");
        assertEquals(Set.of(), lab.blockedInstances());
        assertEquals(0, RUN.run(List.of("postqueue", "-c", lab.configDir("msn-a").toString(), "-f"), Duration.ofSeconds(20)).exitCode());
        Instant deadline = Instant.now().plusSeconds(30);
        while (!lab.acceptedMessageIds().containsAll(blockedIds) && Instant.now().isBefore(deadline)) {
            sleep(200);
        }
        assertTrue(lab.acceptedMessageIds().containsAll(blockedIds), "msn-a's hotmail/outlook mail not delivered after unblock");
        lab.block("msn-a");
        assertEquals(Set.of("msn-a"), lab.blockedInstances());
    }

    @Test
    @Order(5)
    void rebuildRestoresTheGeneratedConfigAndKeepsTheQueue() throws Exception {
        Path mainCf = lab.configDir("msn-a").resolve("main.cf");
        String generated = Files.readString(mainCf);
        Files.writeString(mainCf, generated.replace("#transport_maps", "transport_maps"));
        int deferred = lab.status().instance("msn-a").queue("deferred");
        long pid = lab.status().instance("msn-a").pid();
        lab.rebuild("msn-a");
        // postconf -e writes new parameters in its own (hash) order: compare the settings, and the last line.
        assertEquals(generated.lines().sorted().toList(), Files.readString(mainCf).lines().sorted().toList());
        assertEquals("#transport_maps = hash:" + lab.configDir("msn-a").resolve("transport.relay"),
                Files.readAllLines(mainCf).get(Files.readAllLines(mainCf).size() - 1));
        LabStatus s = lab.status();
        assertTrue(s.instance("msn-a").running());
        assertNotEquals(pid, s.instance("msn-a").pid());
        assertEquals(deferred, s.instance("msn-a").queue("deferred"));
        assertEquals(0, postfix(lab.configDir("msn-a"), "status").exitCode());
    }

    @Test
    @Order(6)
    void purgeQueuesEmptiesEveryInstance() {
        assertTrue(lab.status().instances().stream().anyMatch(n -> n.queue("deferred") + n.queue("hold") > 0));
        lab.purgeQueues();
        for (LabStatus.Node n : lab.status().instances()) {
            assertEquals(0, n.queues().values().stream().mapToInt(Integer::intValue).sum(), n.toString());
        }
    }

    @Test
    @Order(7)
    void downStopsEverythingAndLeavesNoPidFile() throws Exception {
        lab.down();
        List<Path> dirs = new ArrayList<>();
        dirs.add(lab.providerConfigDir());
        for (String name : Lab.INSTANCES) {
            dirs.add(lab.configDir(name));
        }
        for (Path dir : dirs) {
            assertNotEquals(0, postfix(dir, "status").exitCode(), dir + " still running");
            Path pid = Path.of(postconf(dir, "-h", "queue_directory"), "pid", "master.pid");
            assertFalse(Files.exists(pid), pid + " left behind");
        }
        for (Path proc : Files.list(Path.of("/proc")).filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
            try {
                assertFalse(Files.readSymbolicLink(proc.resolve("cwd")).startsWith(lab.root()), "process left: " + proc);
            } catch (java.io.IOException gone) {
                // not ours or already exited
            }
        }
        lab.down();
    }

    private static Map<String, Long> pids(LabStatus s) {
        Map<String, Long> m = new HashMap<>();
        s.instances().forEach(n -> m.put(n.name(), n.pid()));
        m.put("provider", s.provider().pid());
        assertFalse(m.containsValue(0L), "not all running: " + m);
        return m;
    }

    private static List<JsonNode> queue(String name) throws Exception {
        ExecResult r = RUN.run(List.of("postqueue", "-c", lab.configDir(name).toString(), "-j"), Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), r.stderr());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> l = new ArrayList<>();
        array.forEach(l::add);
        return l;
    }

    private static ExecResult postfix(Path dir, String action) {
        return RUN.run(List.of("postfix", "-c", dir.toString(), action), Duration.ofSeconds(20));
    }

    private static String postconf(Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", dir.toString()));
        argv.addAll(List.of(args));
        ExecResult r = RUN.run(argv, Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().trim();
    }

    private static String banner(String addr) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(addr, 25), 2000);
            s.setSoTimeout(5000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
