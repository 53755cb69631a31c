package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.flush.TargetFacts;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.lab.SeedReport;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * {@code flush rustin:msn-a --to cleveland:msn-b} over real OpenSSH: two labs (rustin on
 * MFSHELL_TEST_CROSS_RUSTIN_PREFIX, default 127.0.168; cleveland on
 * MFSHELL_TEST_CROSS_CLEVELAND_PREFIX, default 127.0.169), two sshd processes started here on
 * MFSHELL_TEST_CROSS_SSH_PREFIX (default 127.0.167) with their own host keys, a key pair made
 * here, and sshd's SetEnv pointing each host's sessions at its own lab ({@link SshdFixture}). The remote mfshell is a
 * launcher on the PATH sshd sets. Proves the hotmail mail of rustin's msn-a reaches cleveland's
 * provider exactly once through cleveland's msn-b, and the refusals: a target whose mynetworks
 * does not admit the source (nothing written), a cycle across the two hosts, bad host names (exit 2,
 * no ssh started); and the race: a reverse reroute being started is seen by its claim, and two
 * opposite reroutes started at once never both go through (by Message-ID: each message delivered
 * once or still queued once, nothing bounced or looped, no claim left behind).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CrossHostFlushIntegrationTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ProcessRunner RUN = new ProcessRunner(Duration.ofSeconds(60));
    private static final Pattern PROVIDER_CLIENT = Pattern.compile(" provider/smtpd\\[\\d+\\]: (\\w+): client=[^\\[]*\\[([^\\]]+)\\]");
    private static final Pattern PROVIDER_MSGID = Pattern.compile(" provider/cleanup\\[\\d+\\]: (\\w+): message-id=<([^>]*)>");

    private static Path dir;
    private static Lab rustin;
    private static Lab cleveland;
    private static SeedReport rustinSeed;
    private static SshdFixture sshd;
    private static Map<String, String> env;

    @BeforeAll
    static void up() throws Exception {
        LabFixture.requireAvailable();
        SshdFixture.requireSshd();
        Map<String, String> e = System.getenv();
        rustin = new Lab(new ProcessRunner(), Path.of(e.getOrDefault("MFSHELL_TEST_CROSS_RUSTIN_ROOT", "/var/tmp/mfshell-test-crossflush-rustin")),
                e.getOrDefault("MFSHELL_TEST_CROSS_RUSTIN_PREFIX", "127.0.168"));
        cleveland = new Lab(new ProcessRunner(), Path.of(e.getOrDefault("MFSHELL_TEST_CROSS_CLEVELAND_ROOT",
                "/var/tmp/mfshell-test-crossflush-cleveland")), e.getOrDefault("MFSHELL_TEST_CROSS_CLEVELAND_PREFIX", "127.0.169"));
        String sshPrefix = e.getOrDefault("MFSHELL_TEST_CROSS_SSH_PREFIX", "127.0.167");
        rustin.up();
        cleveland.up();
        rustinSeed = rustin.seed();
        cleveland.seed();
        sshd = SshdFixture.create("crossflush");
        dir = sshd.dir();
        sshd.start("rustin", sshPrefix + ".1", rustin, sshd.defaultPath());
        sshd.start("cleveland", sshPrefix + ".2", cleveland, sshd.defaultPath());
        Files.writeString(dir.resolve("fleet"), "[relays]\nrustin\ncleveland\n");
        env = sshd.env();
        env.put("MFSHELL_FLEET", dir.resolve("fleet").toString());
        env.put("MFSHELL_STATE_DIR", dir.resolve("state-operator").toString());
        env.put("MFSHELL_AUDIT_LOG", dir.resolve("state-operator").resolve("audit.log").toString());
    }

    @AfterAll
    static void down() {
        SshdFixture.closeAll(sshd, rustin, cleveland);
    }

    private static void ok(ExecResult r) {
        assertTrue(r.ok(), r.argv() + ": " + r.stderr());
    }

    private static ExecResult mfshell(String... args) {
        return MfshellProcess.run(env, args);
    }

    private static String sshdLogs() {
        return sshd.logs();
    }

    /** The local mfshell against one lab: its queue as JSON objects. */
    static List<JsonNode> queue(Lab lab, String instance) throws Exception {
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()), "mailq", instance, "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        List<JsonNode> list = new ArrayList<>();
        for (String l : r.stdout().lines().toList()) {
            list.add(MAPPER.readTree(l));
        }
        return list;
    }

    static long hotmailRecipients(List<JsonNode> q) {
        long n = 0;
        for (JsonNode m : q) {
            for (JsonNode r : m.path("recipients")) {
                if (r.path("address").asText().endsWith("@hotmail.com")) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Message-ID -> times the provider accepted it, per client address, from {@code offset} on in its log. */
    static Map<String, Map<String, Integer>> acceptedByClient(Lab lab, long offset) throws IOException {
        byte[] all = Files.readAllBytes(lab.providerLogFile());
        String text = new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
        Map<String, String> clientOf = new HashMap<>();
        Map<String, Map<String, Integer>> out = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher c = PROVIDER_CLIENT.matcher(line);
            if (c.find()) {
                clientOf.put(c.group(1), c.group(2));
            }
            Matcher m = PROVIDER_MSGID.matcher(line);
            if (m.find()) {
                out.computeIfAbsent(clientOf.getOrDefault(m.group(1), "?"), k -> new HashMap<>()).merge(m.group(2), 1, Integer::sum);
            }
        }
        return out;
    }

    /**
     * By Message-ID: each of {@code ids} accepted exactly once by cleveland's provider, from
     * cleveland's msn-b and no other address, and never by rustin's (provider logs from the offsets on).
     */
    static void assertAcceptedOnceThroughMsnB(List<String> ids, Lab rustin, long rustinOffset, Lab cleveland,
                                             long clevelandOffset) throws IOException {
        Map<String, Map<String, Integer>> atCleveland = acceptedByClient(cleveland, clevelandOffset);
        Map<String, Integer> viaMsnB = atCleveland.getOrDefault(cleveland.address("msn-b"), Map.of());
        Map<String, Map<String, Integer>> atRustin = acceptedByClient(rustin, rustinOffset);
        for (String id : ids) {
            assertEquals(1, viaMsnB.getOrDefault(id, 0), "message " + id + " accepted once through cleveland's msn-b: " + atCleveland);
            for (Map.Entry<String, Map<String, Integer>> e : atCleveland.entrySet()) {
                if (!e.getKey().equals(cleveland.address("msn-b"))) {
                    assertFalse(e.getValue().containsKey(id), id + " also came from " + e.getKey());
                }
            }
            for (Map<String, Integer> byId : atRustin.values()) {
                assertFalse(byId.containsKey(id), id + " also reached rustin's provider");
            }
        }
    }

    static Map<String, byte[]> files(Lab lab, String instance) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String f : List.of("main.cf", "master.cf")) {
            out.put(f, Files.readAllBytes(lab.configDir(instance).resolve(f)));
        }
        return out;
    }

    private static void assertFilesAsBefore(Map<String, byte[]> before, Lab lab, String instance) throws IOException {
        Map<String, byte[]> now = files(lab, instance);
        for (String f : before.keySet()) {
            assertArrayEquals(before.get(f), now.get(f), instance + "/" + f + " is as before");
        }
        assertFalse(Files.exists(lab.configDir(instance).resolve("transport.relay")), "no transport.relay written");
        assertFalse(Files.exists(lab.configDir(instance).resolve("transport.relay.db")), "no transport.relay.db written");
    }

    @Test
    void crossHostRerouteMovesEveryHotmailMessageOnceAndRestoreUndoesIt() throws Exception {
        List<String> hotmailIds = new ArrayList<>();
        for (SeedReport.SeededMessage m : rustinSeed.messages("msn-a")) {
            if (!m.held() && m.recipients().entrySet().stream().anyMatch(r -> r.getKey().endsWith("@hotmail.com") && r.getValue() == SeedReport.Outcome.DEFERRED)) {
                hotmailIds.add(m.messageId());
            }
        }
        assertFalse(hotmailIds.isEmpty(), "the seed gives rustin's msn-a hotmail mail");
        assertTrue(hotmailRecipients(queue(rustin, "msn-a")) > 0, "rustin's msn-a holds deferred hotmail mail");
        Map<String, byte[]> before = files(rustin, "msn-a");
        long clevelandOffset = Files.size(cleveland.providerLogFile());
        long rustinOffset = Files.size(rustin.providerLogFile());
        long msnALogOffset = Files.size(rustin.logFile("msn-a"));
        boolean restored = false;
        try {
            ExecResult dry = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--dry-run");
            assertEquals(0, dry.exitCode(), dry.stdout() + dry.stderr() + sshdLogs());
            assertTrue(dry.stdout().contains("Step 7 of 7: flush msn-a") && dry.stdout().contains("dry run: nothing was changed"),
                    dry.stdout());
            assertFilesAsBefore(before, rustin, "msn-a");

            ExecResult r = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes",
                    "--wait", "90s");
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr() + sshdLogs());
            System.out.println("cross-host flush output:\n" + r.stdout());
            assertTrue(r.stdout().contains("target cleveland:msn-b: facts read over ssh"), r.stdout());
            assertTrue(r.stdout().contains("ok: cleveland:msn-b's smtpd listens on " + cleveland.address("msn-b") + ":25"), r.stdout());
            assertTrue(r.stdout().contains("cleveland:msn-b's mynetworks admits " + rustin.address("msn-a")), r.stdout());
            assertTrue(r.stdout().contains("moved to cleveland:msn-b: "), r.stdout());
            assertTrue(r.stdout().contains("still deferred in msn-a: 0   bounced: 0"), r.stdout());
            String map = Files.readString(rustin.configDir("msn-a").resolve("transport.relay"));
            assertTrue(map.contains("hotmail.com mfshell-reroute:[" + cleveland.address("msn-b") + "]"), map);

            rustin.waitForQueuesToSettle(Duration.ofSeconds(60));
            cleveland.waitForQueuesToSettle(Duration.ofSeconds(60));
            assertAcceptedOnceThroughMsnB(hotmailIds, rustin, rustinOffset, cleveland, clevelandOffset);
            assertEquals(0, hotmailRecipients(queue(rustin, "msn-a")), "no hotmail recipient left in rustin's msn-a");
            String msnALog = new String(Files.readAllBytes(rustin.logFile("msn-a")), StandardCharsets.UTF_8)
                    .substring((int) msnALogOffset);
            // What cleveland's msn-b queued for the moved mail ("queued as ID") has left it (its own seed's mail may not have).
            java.util.Set<String> handedOver = new java.util.HashSet<>();
            Matcher q = Pattern.compile("relay=" + Pattern.quote(cleveland.address("msn-b")) + "\\[.*status=sent \\(250 [0-9.]+ Ok: queued as (\\w+)\\)")
                    .matcher(msnALog);
            while (q.find()) {
                handedOver.add(q.group(1));
            }
            assertFalse(handedOver.isEmpty(), msnALog);
            for (JsonNode m : queue(cleveland, "msn-b")) {
                if (!handedOver.contains(m.path("queue_id").asText())) {
                    continue;
                }
                // Only what the provider itself defers (the seed's "mailbox full" recipient) may wait there.
                for (JsonNode rc : m.path("recipients")) {
                    assertTrue(rc.path("delay_reason").asText().startsWith("host " + cleveland.providerAddress() + "["),
                            "moved mail stuck in cleveland's msn-b before reaching its provider: " + m);
                }
            }
            assertFalse(msnALog.lines().anyMatch(l -> l.contains("status=bounced") || l.contains("SOFTBOUNCE")),
                    "nothing bounced:\n" + msnALog);
            assertTrue(msnALog.contains("relay=" + cleveland.address("msn-b") + "[" + cleveland.address("msn-b") + "]:25"),
                    msnALog);

            ExecResult reroutes = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", rustin.configRoot().toString(),
                    "MFSHELL_STATE_DIR", sshd.stateDir("rustin").toString()), "reroutes", "--json");
            assertEquals(0, reroutes.exitCode(), reroutes.stderr());
            JsonNode rs = MAPPER.readTree(reroutes.stdout());
            assertEquals(1, rs.size(), reroutes.stdout());
            assertEquals("cleveland:msn-b", rs.get(0).get("target").asText());
            assertEquals(cleveland.address("msn-b"), rs.get(0).get("targetAddress").asText());

            ExecResult restore = mfshell("flush", "rustin:msn-a", "--restore", "--yes");
            assertEquals(0, restore.exitCode(), restore.stdout() + restore.stderr());
            restored = true;
            assertTrue(restore.stdout().contains("reroute of msn-a switched off"), restore.stdout());
            assertFilesAsBefore(before, rustin, "msn-a");
        } finally {
            if (!restored) {
                mfshell("flush", "rustin:msn-a", "--restore", "--yes");
            }
        }
    }

    @Test
    void targetWhoseMynetworksDoesNotAdmitTheSourceIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path msnB = cleveland.configDir("msn-b");
        byte[] mainBefore = Files.readAllBytes(msnB.resolve("main.cf"));
        Map<String, byte[]> before = files(rustin, "msn-a");
        long queued = hotmailRecipients(queue(rustin, "msn-a"));
        Path journal = new org.mfshell.flush.JournalStore(sshd.stateDir("rustin")).journalFile("msn-a");
        byte[] journalBefore = Files.exists(journal) ? Files.readAllBytes(journal) : null;
        try {
            ok(RUN.run(List.of("postconf", "-c", msnB.toString(), "-e", "mynetworks=" + cleveland.prefix() + ".0/24")));
            ok(RUN.run(List.of("postfix", "-c", msnB.toString(), "reload")));
            ExecResult r = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes");
            assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
            List<String> err = r.stderr().lines().toList();
            assertEquals(1, err.size(), r.stderr());
            assertTrue(err.get(0).startsWith("mfshell: preflight refused the reroute of msn-a to cleveland:msn-b: "), err.get(0));
            assertTrue(err.get(0).contains("cleveland:msn-b's mynetworks (" + cleveland.prefix() + ".0/24) does not admit msn-a's address "
                    + rustin.address("msn-a")), err.get(0));
            assertTrue(err.get(0).contains("(to fix: on cleveland: add " + rustin.address("msn-a") + " to msn-b's mynetworks)"), err.get(0));
            assertTrue(err.get(0).endsWith("Nothing was changed."), err.get(0));
            assertFilesAsBefore(before, rustin, "msn-a");
            assertArrayEquals(journalBefore, Files.exists(journal) ? Files.readAllBytes(journal) : null,
                    "msn-a's journal (absent, or an earlier test's finished one) is as before");
            assertEquals(queued, hotmailRecipients(queue(rustin, "msn-a")), "the mail is still queued in rustin's msn-a");
        } finally {
            Files.write(msnB.resolve("main.cf"), mainBefore);
            ok(RUN.run(List.of("postfix", "-c", msnB.toString(), "reload")));
        }
    }

    @Test
    void aCycleAcrossTheTwoHostsIsRefused() throws Exception {
        ExecResult back = mfshell("flush", "cleveland:msn-b", "--to", "rustin:msn-a", "--domain", "hotmail.com", "--yes",
                "--wait", "5s");
        try {
            assertEquals(0, back.exitCode(), back.stdout() + back.stderr());
            Map<String, byte[]> before = files(rustin, "msn-a");
            ExecResult r = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes");
            assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
            List<String> err = r.stderr().lines().toList();
            assertEquals(1, err.size(), r.stderr());
            assertTrue(err.get(0).contains("cleveland:msn-b is itself rerouted to msn-a's address " + rustin.address("msn-a")),
                    err.get(0));
            assertTrue(err.get(0).contains("on cleveland: mfshell flush msn-b --restore"), err.get(0));
            assertFilesAsBefore(before, rustin, "msn-a");
        } finally {
            ExecResult restore = mfshell("flush", "cleveland:msn-b", "--restore", "--yes");
            assertEquals(0, restore.exitCode(), restore.stdout() + restore.stderr());
        }
    }

    @Test
    void badHostNamesAreRefusedWithExitTwoAndNoSshStarted() throws Exception {
        Path marker = dir.resolve("injected");
        Path fresh = Files.createDirectories(dir.resolve("run-bad"));
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> badEnv = new HashMap<>(env);
        badEnv.put("XDG_RUNTIME_DIR", fresh.toString());
        for (String[] argv : List.of(
                new String[] {"flush", "rustin:msn-a", "--to", "-oProxyCommand=touch " + marker + ":msn-b", "--yes"},
                new String[] {"flush", "-oProxyCommand=touch " + marker + ":msn-a", "--to", "cleveland:msn-b"},
                new String[] {"flush", "rust in:msn-a", "--to", "cleveland:msn-b", "--yes"},
                new String[] {"flush", "rustin:msn-a", "--to", "clev\tland:msn-b", "--yes"},
                new String[] {"flush", "rustin:../msn-a", "--to", "cleveland:msn-b", "--yes"},
                new String[] {"flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--target-facts", "{}"})) {
            ExecResult r = MfshellProcess.run(badEnv, argv);
            assertEquals(2, r.exitCode(), String.join(" ", argv) + ": " + r.stdout() + r.stderr());
            assertEquals("", r.stdout(), String.join(" ", argv));
            assertEquals(1, r.stderr().lines().count(), r.stderr());
            assertTrue(r.stderr().startsWith("mfshell: "), r.stderr());
        }
        assertFalse(Files.exists(marker), "ssh ran a ProxyCommand");
        try (java.util.stream.Stream<Path> s = Files.list(fresh)) {
            assertEquals(0, s.count(), "no ssh connection was made (no control socket)");
        }
    }

    /** How many times each of {@code ids} is in the instance's queue files (incoming, active, deferred, hold). */
    private static Map<String, Integer> queued(Lab lab, String instance, List<String> ids) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        for (String q : List.of("incoming", "active", "deferred", "hold")) {
            Path d = lab.queueDir(instance).resolve(q);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (java.util.stream.Stream<Path> files = Files.walk(d)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String text;
                    try {
                        text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        continue;
                    }
                    for (String id : ids) {
                        if (text.contains("<" + id + ">")) {
                            out.merge(id, 1, Integer::sum);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The claim files (IncomingClaims) a host's mfshell holds. */
    private static List<Path> claimFiles(String host) throws IOException {
        Path d = sshd.stateDir(host).resolve("claims");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        }
    }

    private static Map<String, String> on(String host, Lab lab) {
        return Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(), "MFSHELL_STATE_DIR", sshd.stateDir(host).toString(),
                "MFSHELL_AUDIT_LOG", sshd.stateDir(host).resolve("audit.log").toString());
    }

    @Test
    void aReverseRerouteBeingStartedOnTheOtherHostIsSeenByItsClaim() throws Exception {
        // What 'flush cleveland:msn-b --to rustin:msn-a' does first: its claim, written on rustin.
        ExecResult claim = MfshellProcess.run(on("rustin", rustin), "flush", "msn-a", "--facts", "--claim-from",
                "cleveland:msn-b", "--claim-address", cleveland.address("msn-b"), "--domain", "hotmail.com");
        assertEquals(0, claim.exitCode(), claim.stderr());
        TargetFacts facts = TargetFacts.parse(claim.stdout().strip(), "rustin");
        assertTrue(facts.claim() != null && facts.claim().matches("[0-9a-f]{16}"), claim.stdout());
        assertEquals(1, claimFiles("rustin").size());
        Map<String, byte[]> before = files(rustin, "msn-a");
        try {
            ExecResult r = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes");
            assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
            List<String> err = r.stderr().lines().toList();
            assertEquals(1, err.size(), r.stderr());
            assertTrue(err.get(0).contains("cleveland:msn-b is about to be rerouted to msn-a (cleveland:msn-b -> msn-a "
                    + "(hotmail.com, a reroute from cleveland:msn-b being started, claim " + facts.claim() + " ("
                    + sshd.stateDir("rustin").resolve("claims").resolve(facts.claim() + ".json") + ") made at "), err.get(0));
            assertTrue(err.get(0).contains("let the reroute being started from cleveland:msn-b finish"), err.get(0));
            assertFilesAsBefore(before, rustin, "msn-a");
            assertEquals(List.of(), claimFiles("cleveland"), "the refused flush took its own claim on cleveland away");
        } finally {
            ExecResult release = MfshellProcess.run(on("rustin", rustin), "flush", "msn-a", "--release-claim", facts.claim());
            assertEquals(0, release.exitCode(), release.stderr());
            assertEquals("released claim " + facts.claim(), release.stdout().strip());
        }
        assertEquals(List.of(), claimFiles("rustin"));
    }

    /** Last: whichever reroute wins moves all of rustin's msn-a hotmail mail, which the others count on. */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void twoOppositeReroutesStartedAtOnceNeverBothGoThrough() throws Exception {
        // Fresh hotmail mail in rustin's msn-a, which rustin's provider defers (msn-a is blocked there).
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "race-" + i + "-" + System.nanoTime() + "@lab.invalid";
            rustin.send("msn-a", "list@lab.invalid", List.of("race" + i + "@hotmail.com"), id);
            ids.add(id);
        }
        rustin.waitForQueuesToSettle(Duration.ofSeconds(60));
        for (String id : ids) {
            assertEquals(1, queued(rustin, "msn-a", ids).getOrDefault(id, 0), id + " deferred in rustin's msn-a");
        }
        Map<String, Long> logOffsets = new LinkedHashMap<>();
        Map<String, Path> logs = Map.of("rustin msn-a", rustin.logFile("msn-a"), "cleveland msn-b", cleveland.logFile("msn-b"),
                "rustin provider", rustin.providerLogFile(), "cleveland provider", cleveland.providerLogFile());
        for (Map.Entry<String, Path> e : logs.entrySet()) {
            logOffsets.put(e.getKey(), Files.size(e.getValue()));
        }
        long rustinProvider = Files.size(rustin.providerLogFile());
        long clevelandProvider = Files.size(cleveland.providerLogFile());
        Map<String, byte[]> rustinBefore = files(rustin, "msn-a");
        Map<String, byte[]> clevelandBefore = files(cleveland, "msn-b");

        // Both at once, as two operators on two laptops would.
        java.util.concurrent.CompletableFuture<ExecResult> there = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes", "--wait", "30s"));
        java.util.concurrent.CompletableFuture<ExecResult> back = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                mfshell("flush", "cleveland:msn-b", "--to", "rustin:msn-a", "--domain", "hotmail.com", "--yes", "--wait", "30s"));
        ExecResult a = there.get();
        ExecResult b = back.get();
        try {
            String both = "rustin->cleveland exit " + a.exitCode() + ":\n" + a.stdout() + a.stderr()
                    + "\ncleveland->rustin exit " + b.exitCode() + ":\n" + b.stdout() + b.stderr();
            System.out.println("race outcome:\n" + both);
            assertFalse(a.exitCode() == 0 && b.exitCode() == 0, "both reroutes went through:\n" + both);
            for (ExecResult r : List.of(a, b)) {
                if (r.exitCode() != 0) {
                    assertEquals(1, r.exitCode(), both);
                    List<String> err = r.stderr().lines().toList();
                    assertEquals(1, err.size(), both);
                    assertTrue(err.get(0).contains("loop") || err.get(0).contains("is locked by"), both);
                    assertTrue(err.get(0).contains("Nothing was changed"), both);
                }
            }
            if (a.exitCode() != 0) {
                assertFilesAsBefore(rustinBefore, rustin, "msn-a");
            }
            if (b.exitCode() != 0) {
                assertFilesAsBefore(clevelandBefore, cleveland, "msn-b");
            }
            int active = 0;
            for (Object[] h : new Object[][] {{"rustin", rustin}, {"cleveland", cleveland}}) {
                ExecResult rs = MfshellProcess.run(on((String) h[0], (Lab) h[1]), "reroutes", "--json");
                assertEquals(0, rs.exitCode(), rs.stderr());
                active += MAPPER.readTree(rs.stdout()).size();
            }
            assertEquals((a.exitCode() == 0 ? 1 : 0) + (b.exitCode() == 0 ? 1 : 0), active, "reroutes in force:\n" + both);
            assertEquals(List.of(), claimFiles("rustin"), "claims left on rustin");
            assertEquals(List.of(), claimFiles("cleveland"), "claims left on cleveland");

            rustin.waitForQueuesToSettle(Duration.ofSeconds(60));
            cleveland.waitForQueuesToSettle(Duration.ofSeconds(60));
            // By Message-ID: each message delivered exactly once or still queued exactly once; none bounced.
            Map<String, Map<String, Integer>> atRustin = acceptedByClient(rustin, rustinProvider);
            Map<String, Map<String, Integer>> atCleveland = acceptedByClient(cleveland, clevelandProvider);
            Map<String, Integer> inRustin = queued(rustin, "msn-a", ids);
            Map<String, Integer> inCleveland = queued(cleveland, "msn-b", ids);
            for (String id : ids) {
                int accepted = 0;
                for (Map<String, Map<String, Integer>> at : List.of(atRustin, atCleveland)) {
                    for (Map<String, Integer> byId : at.values()) {
                        accepted += byId.getOrDefault(id, 0);
                    }
                }
                int still = inRustin.getOrDefault(id, 0) + inCleveland.getOrDefault(id, 0);
                assertEquals(1, accepted + still, id + ": accepted " + accepted + " times, queued " + still + " times\n" + both);
                if (a.exitCode() == 0) {
                    assertEquals(1, atCleveland.getOrDefault(cleveland.address("msn-b"), Map.of()).getOrDefault(id, 0),
                            id + " went through cleveland's msn-b once");
                }
            }
            for (Map.Entry<String, Path> e : logs.entrySet()) {
                byte[] all = Files.readAllBytes(e.getValue());
                String since = new String(all, (int) (long) logOffsets.get(e.getKey()),
                        all.length - (int) (long) logOffsets.get(e.getKey()), StandardCharsets.UTF_8);
                assertFalse(since.contains("status=bounced") || since.contains("too many hops")
                        || since.contains("mail forwarding loop"), e.getKey() + " log since the race:\n" + since);
            }
        } finally {
            if (a.exitCode() == 0) {
                ExecResult r = mfshell("flush", "rustin:msn-a", "--restore", "--yes");
                assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            }
            if (b.exitCode() == 0) {
                ExecResult r = mfshell("flush", "cleveland:msn-b", "--restore", "--yes");
                assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            }
        }
    }

    @Test
    void targetFactsAreTheTargetHostsOwn() throws Exception {
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", cleveland.configRoot().toString(),
                "MFSHELL_STATE_DIR", sshd.stateDir("cleveland").toString()), "flush", "msn-b", "--facts");
        assertEquals(0, r.exitCode(), r.stderr());
        TargetFacts f = TargetFacts.parse(r.stdout().strip(), "cleveland");
        assertEquals("msn-b", f.instance());
        assertEquals(cleveland.address("msn-b"), f.sendingAddress());
        assertTrue(f.listensOnSendingAddress(), f.listen().toString());
        assertTrue(f.running());
        assertEquals("msn-b.lab.invalid", f.myhostname());
        ExecResult help = MfshellProcess.run(Map.of(), "help", "flush");
        assertFalse(help.stdout().contains("--facts") || help.stdout().contains("--target-facts"), help.stdout());
    }
}
