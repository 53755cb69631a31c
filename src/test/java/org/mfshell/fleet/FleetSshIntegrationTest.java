package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * {@code mfshell --on} over real OpenSSH ({@link SshdFixture}): sshd processes started here on 127.0.113.x with their
 * own host keys, a key pair made here, and sshd's SetEnv pointing each host at its own lab
 * ("rustin" at 127.0.111.x, "cleveland" at 127.0.112.x); the remote mfshell is a launcher on
 * the PATH sshd sets. Also a host whose sshd is stopped, and one whose PATH has no mfshell.
 * The addresses: MFSHELL_TEST_SSH_PREFIX (sshd, default 127.0.113), MFSHELL_TEST_FLEET_RUSTIN_PREFIX
 * and MFSHELL_TEST_FLEET_CLEVELAND_PREFIX (the labs, defaults 127.0.111 and 127.0.112), the labs'
 * directories under MFSHELL_TEST_FLEET_ROOT (default /var/tmp/h9: h9-rustin, h9-cleveland).
 */
class FleetSshIntegrationTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String SSH_PREFIX = System.getenv().getOrDefault("MFSHELL_TEST_SSH_PREFIX", "127.0.113");
    static final String RUSTIN_PREFIX = System.getenv().getOrDefault("MFSHELL_TEST_FLEET_RUSTIN_PREFIX", "127.0.111");
    static final String CLEVELAND_PREFIX = System.getenv().getOrDefault("MFSHELL_TEST_FLEET_CLEVELAND_PREFIX", "127.0.112");
    static final String LAB_ROOT = System.getenv().getOrDefault("MFSHELL_TEST_FLEET_ROOT", "/var/tmp/h9");
    private static final ProcessRunner RUN = new ProcessRunner(Duration.ofSeconds(60));

    private static Path dir;
    private static Lab rustin;
    private static Lab cleveland;
    private static SshdFixture sshd;
    private static Map<String, String> env;
    private static final Map<String, org.mfshell.lab.SeedReport> seeds = new HashMap<>();

    @BeforeAll
    static void up() throws Exception {
        LabFixture.requireAvailable();
        SshdFixture.requireSshd();
        rustin = new Lab(new ProcessRunner(), Path.of(LAB_ROOT + "-rustin"), RUSTIN_PREFIX);
        cleveland = new Lab(new ProcessRunner(), Path.of(LAB_ROOT + "-cleveland"), CLEVELAND_PREFIX);
        rustin.up();
        cleveland.up();
        seeds.put("rustin", rustin.seed());
        seeds.put("cleveland", cleveland.seed());
        sshd = SshdFixture.create("h9f");
        dir = sshd.dir();
        Path empty = Files.createDirectories(dir.resolve("nobin"));
        int n = 1;
        for (String host : List.of("rustin", "cleveland", "gone", "bare")) {
            Lab lab = host.equals("cleveland") ? cleveland : rustin;
            // bare's PATH is only an empty directory: an installed /usr/bin/mfshell must not count
            sshd.start(host, SSH_PREFIX + "." + n++, lab, host.equals("bare") ? empty.toString() : sshd.defaultPath());
        }
        Files.writeString(dir.resolve("fleet"), "# test fleet\n[relays]\nrustin\ncleveland\n");
        env = sshd.env();
        env.put("MFSHELL_FLEET", dir.resolve("fleet").toString());
        sshd.stop("gone");
    }

    @AfterAll
    static void down() {
        SshdFixture.closeAll(sshd, rustin, cleveland);
    }

    /** The sshd logs, for a failure message (an sshd that refused the key says why there). */
    private static String sshdLogs() {
        return sshd.logs();
    }

    private static void ok(ExecResult r) {
        assertTrue(r.ok(), r.argv() + ": " + r.stderr());
    }

    private static ExecResult mfshell(String... args) {
        return MfshellProcess.run(env, args);
    }

    @Test
    void mergedInstancesTableHasHostColumnHostsInOrder() {
        ExecResult r = mfshell("--on", "cleveland,rustin", "instances");
        assertEquals(0, r.exitCode(), r.stderr() + sshdLogs());
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("HOST "), lines.get(0));
        List<String> rows = lines.subList(1, lines.size());
        assertEquals(2 * Lab.INSTANCES.size(), rows.size(), r.stdout());
        for (int i = 0; i < rows.size(); i++) {
            String host = i < Lab.INSTANCES.size() ? "cleveland" : "rustin";
            Lab lab = host.equals("rustin") ? rustin : cleveland;
            String row = rows.get(i);
            assertTrue(row.startsWith(host + " "), row);
            String name = Lab.INSTANCES.get(i % Lab.INSTANCES.size());
            assertTrue(row.contains(" " + name + " "), row);
            assertTrue(row.contains(lab.address(name)), row + " should show " + lab.address(name));
        }
    }

    @Test
    void mergedJsonHasAHostMemberOnEveryObject() throws Exception {
        ExecResult r = mfshell("--on", "relays", "instances", "--json");
        assertEquals(0, r.exitCode(), r.stderr() + sshdLogs());
        JsonNode a = MAPPER.readTree(r.stdout());
        assertEquals(2 * Lab.INSTANCES.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode o = a.get(i);
            String host = i < Lab.INSTANCES.size() ? "rustin" : "cleveland";
            Lab lab = host.equals("rustin") ? rustin : cleveland;
            assertEquals(host, o.get("host").asText());
            assertEquals("host", o.fieldNames().next());
            assertEquals(lab.address(o.get("name").asText()), o.get("bindAddress").asText());
        }
        ExecResult q = mfshell("--on", "rustin,cleveland", "mailq", "--json");
        assertEquals(0, q.exitCode(), q.stderr());
        List<String> hosts = new ArrayList<>();
        for (String line : q.stdout().lines().toList()) {
            JsonNode o = MAPPER.readTree(line);
            hosts.add(o.get("host").asText() + ":" + o.get("instance").asText());
            assertTrue(o.get("queues").has("deferred"), line);
        }
        List<String> want = new ArrayList<>();
        for (String h : List.of("rustin", "cleveland")) {
            for (String i : Lab.INSTANCES) {
                want.add(h + ":" + i);
            }
        }
        assertEquals(want, hosts);
    }

    @Test
    void stoppedHostLeavesTheOthersResultsOneLineAndExitOne() {
        ExecResult r = mfshell("--on", "rustin,gone", "instances");
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        List<String> err = r.stderr().lines().toList();
        assertEquals(1, err.size(), r.stderr());
        assertTrue(err.get(0).startsWith("mfshell: gone: ssh: connect to host " + SSH_PREFIX + ".3 port 2222: Connection refused"), err.get(0));
        long rustinRows = r.stdout().lines().filter(l -> l.startsWith("rustin ")).count();
        assertEquals(Lab.INSTANCES.size(), rustinRows, r.stdout());
        List<String> gone = r.stdout().lines().filter(l -> l.startsWith("gone ")).toList();
        assertEquals(1, gone.size(), r.stdout());
        assertTrue(gone.get(0).contains("error: ssh: connect to host"), gone.get(0));
    }

    @Test
    void hostWithoutMfshellSaysSo() throws Exception {
        ExecResult r = mfshell("--on", "bare,rustin", "reroutes", "--json");
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        List<String> err = r.stderr().lines().toList();
        assertEquals(1, err.size(), r.stderr());
        assertTrue(err.get(0).startsWith("mfshell: bare: no mfshell on the remote PATH"), err.get(0));
        JsonNode a = MAPPER.readTree(r.stdout());
        assertEquals("bare", a.get(0).get("host").asText());
        assertTrue(a.get(0).get("error").asText().startsWith("no mfshell on the remote PATH"), a.toString());
        for (int i = 1; i < a.size(); i++) {
            assertEquals("rustin", a.get(i).get("host").asText());
        }
    }

    @Test
    void optionInjectionIsRefusedAndNothingRuns() throws Exception {
        Path marker = dir.resolve("injected");
        ExecResult r = mfshell("--on", "-oProxyCommand=touch " + marker, "instances");
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("", r.stdout());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("mfshell: --on: host "), r.stderr());
        ExecResult mixed = mfshell("--on", "rustin,-oProxyCommand=touch " + marker, "instances");
        assertEquals(2, mixed.exitCode(), mixed.stderr());
        assertEquals("", mixed.stdout());
        assertFalse(Files.exists(marker));
    }

    @Test
    void mergedHealthTableAndJson() throws Exception {
        ExecResult t = mfshell("--on", "rustin,cleveland", "health", "--since", "1d");
        assertEquals(0, t.exitCode(), t.stderr());
        List<String> lines = t.stdout().lines().takeWhile(l -> !l.isEmpty()).toList();
        assertTrue(lines.get(0).startsWith("HOST ") && lines.get(0).contains("VERDICT"), lines.get(0));
        assertEquals(2 * Lab.INSTANCES.size(), lines.size() - 1, t.stdout());
        for (int i = 1; i < lines.size(); i++) {
            String host = i <= Lab.INSTANCES.size() ? "rustin " : "cleveland ";
            assertTrue(lines.get(i).startsWith(host), lines.get(i));
        }
        ExecResult j = mfshell("--on", "rustin,cleveland", "health", "--since", "1d", "--json");
        assertEquals(0, j.exitCode(), j.stderr());
        List<String> objects = j.stdout().lines().toList();
        assertEquals(2, objects.size(), j.stdout());
        for (int i = 0; i < 2; i++) {
            JsonNode o = MAPPER.readTree(objects.get(i));
            assertEquals(i == 0 ? "rustin" : "cleveland", o.get("host").asText());
            assertEquals(Lab.INSTANCES.size(), o.get("instances").size(), objects.get(i));
            Lab lab = i == 0 ? rustin : cleveland;
            for (JsonNode inst : o.get("instances")) {
                assertEquals(lab.address(inst.get("instance").asText()), inst.get("sendingIp").asText(), inst.toString());
            }
        }
    }

    private static List<JsonNode> localQueue(Lab lab, String instance) throws Exception {
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()), "mailq", instance, "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        List<JsonNode> list = new ArrayList<>();
        for (String l : r.stdout().lines().toList()) {
            list.add(MAPPER.readTree(l));
        }
        return list;
    }

    private static boolean toDomain(JsonNode m, String domain) {
        for (JsonNode r : m.path("recipients")) {
            if (r.path("address").asText().endsWith("@" + domain)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void oneHostCommandsPassThrough() throws Exception {
        ExecResult q = mfshell("--on", "rustin", "mailq", "msn-a", "--json");
        assertEquals(0, q.exitCode(), q.stderr());
        java.util.Set<String> remote = new java.util.TreeSet<>();
        for (String l : q.stdout().lines().toList()) {
            remote.add(MAPPER.readTree(l).get("queue_id").asText());
        }
        java.util.Set<String> local = new java.util.TreeSet<>();
        List<JsonNode> here = localQueue(rustin, "msn-a");
        here.forEach(m -> local.add(m.get("queue_id").asText()));
        assertFalse(local.isEmpty(), "the seed leaves mail deferred in rustin's msn-a");
        assertEquals(local, remote);

        String id = here.stream().filter(m -> !toDomain(m, "hotmail.com")).findFirst().orElseThrow().get("queue_id").asText();
        ExecResult badOperator = mfshell("--operator", "alice@lap top", "--on", "rustin", "hold", "msn-a", id, "--yes");
        assertEquals(2, badOperator.exitCode(), badOperator.stderr());
        assertEquals(1, badOperator.stderr().lines().count(), badOperator.stderr());
        assertTrue(badOperator.stderr().startsWith("mfshell: --operator: "), badOperator.stderr());
        ExecResult hold = mfshell("--operator", "alice@laptop", "--on", "rustin", "hold", "msn-a", id, "--yes");
        assertEquals(0, hold.exitCode(), hold.stdout() + hold.stderr());
        String audit = lastAuditLine("rustin");
        assertTrue(audit.matches(".* user=root by=alice@laptop via=ssh from=127\\.[0-9.]+ command=\"hold msn-a .*"), audit);
        assertEquals("hold", localQueue(rustin, "msn-a").stream().filter(m -> m.get("queue_id").asText().equals(id))
                .findFirst().orElseThrow().get("queue_name").asText());
        ExecResult release = mfshell("--on", "rustin", "release", "msn-a", id, "--yes");
        assertEquals(0, release.exitCode(), release.stdout() + release.stderr());
        assertFalse(localQueue(rustin, "msn-a").stream().anyMatch(m -> m.get("queue_id").asText().equals(id)
                && m.get("queue_name").asText().equals("hold")), "released");

        ExecResult two = mfshell("--on", "rustin,cleveland", "hold", "msn-a", id, "--yes");
        assertEquals(2, two.exitCode(), two.stderr());
        assertTrue(two.stderr().startsWith("mfshell: --on: hold runs on one host at a time"), two.stderr());
    }

    /** The last line of {@code host}'s remote audit log (each sshd points its host at its own). */
    private static String lastAuditLine(String host) throws IOException {
        List<String> lines = Files.readAllLines(sshd.stateDir(host).resolve("audit.log"));
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    void healthSuggestsACrossHostRerouteWhenNoSiblingOnTheHostIsOk() throws Exception {
        ok(RUN.run(List.of("postfix", "-c", rustin.configDir("msn-b").toString(), "stop")));
        try {
            ExecResult t = mfshell("--on", "rustin,cleveland", "health", "--since", "1d");
            assertEquals(0, t.exitCode(), t.stderr());
            List<String> lines = t.stdout().lines().toList();
            int at = lines.indexOf("Suggested:");
            assertTrue(at > 0, t.stdout());
            List<String> commands = lines.subList(at + 1, lines.size()).stream().map(String::strip).filter(l -> l.startsWith("flush ")).toList();
            assertTrue(commands.stream().anyMatch(c -> c.startsWith("flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com")),
                    t.stdout());
            assertTrue(commands.stream().anyMatch(c -> c.startsWith("flush cleveland:msn-a --to cleveland:msn-b --domain hotmail.com")),
                    "cleveland's own sibling first: " + t.stdout());
            assertFalse(commands.stream().anyMatch(c -> c.startsWith("flush rustin:msn-a --to rustin:")), "rustin's msn-b is stopped: " + t.stdout());
            assertTrue(t.stdout().contains("rustin:msn-a is BLOCKED for msn, no sibling on rustin is OK, and cleveland:msn-b is;"), t.stdout());
            ExecResult j = mfshell("--on", "rustin,cleveland", "health", "--since", "1d", "--json");
            assertEquals(0, j.exitCode(), j.stderr());
            Map<String, JsonNode> byHost = new java.util.HashMap<>();
            for (String l : j.stdout().lines().filter(l -> !l.isBlank()).toList()) {
                JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
                byHost.put(n.path("host").asText(), n);
            }
            JsonNode cross = byHost.get("rustin").path("cross_host_suggestions");
            assertTrue(cross.isArray() && cross.size() >= 1, j.stdout());
            assertTrue(java.util.stream.StreamSupport.stream(cross.spliterator(), false).anyMatch(x -> x.path("command").asText()
                    .startsWith("flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com")), j.stdout());
            assertEquals(0, byHost.get("cleveland").path("cross_host_suggestions").size(), "cleveland has its own sibling: " + j.stdout());
        } finally {
            rustin.startInstance("msn-b");
        }
        ExecResult after = mfshell("--on", "rustin,cleveland", "health", "--since", "1d");
        assertEquals(0, after.exitCode(), after.stderr());
        assertTrue(after.stdout().contains("flush rustin:msn-a --to rustin:msn-b --domain hotmail.com"), after.stdout());
        assertFalse(after.stdout().contains("flush rustin:msn-a --to cleveland:"), "rustin's own msn-b is OK again: " + after.stdout());
    }

    /** Waits for an empty prompt: typing earlier would go to the passthrough's ssh, still ending. */
    private static void atPrompt(org.mfshell.shell.TmuxShell sh) throws InterruptedException {
        sh.waitFor(s -> sh.lastLine().equals("mfshell@relays>"), Duration.ofSeconds(60), "an empty prompt");
    }

    /** The screen's last line holding the fleet's prompt, trailing blanks off (a candidate list may follow it). */
    private static String promptLine(String screen) {
        String line = screen.lines().filter(l -> l.contains("mfshell@relays>")).reduce((a, b) -> b).orElse("").stripTrailing();
        return line.substring(Math.max(0, line.lastIndexOf("mfshell@relays>")));
    }

    @Test
    void fleetShellNamesTheFleetCompletesHostInstanceAndPassesThrough() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home-shell"));
        Map<String, String> shellEnv = new HashMap<>(env);
        shellEnv.put("MFSHELL_PAGER", "off");
        shellEnv.put("NO_COLOR", "1");
        List<JsonNode> clevelandQueue = localQueue(cleveland, "msn-a");
        assertFalse(clevelandQueue.isEmpty(), "the seed leaves mail deferred in cleveland's msn-a");
        String id = localQueue(rustin, "msn-a").stream().filter(m -> !toDomain(m, "hotmail.com")).findFirst().orElseThrow()
                .get("queue_id").asText();
        try (org.mfshell.shell.TmuxShell sh = new org.mfshell.shell.TmuxShell(home, home, 200, 60, shellEnv, List.of("--on", "relays"))) {
            sh.waitFor(s -> s.contains("mfshell@relays>"), Duration.ofSeconds(60), "the fleet's prompt");
            sh.line("instances");
            sh.waitForScrollback(s -> s.lines().filter(l -> l.startsWith("cleveland ")).count() == Lab.INSTANCES.size()
                    && s.lines().filter(l -> l.startsWith("rustin ")).count() == Lab.INSTANCES.size(), Duration.ofSeconds(90), "merged instances");
            sh.waitFor(s -> sh.lastLine().equals("mfshell@relays>"), Duration.ofSeconds(30), "the prompt after instances");
            assertFalse(sh.scrollback().contains("mfshell: "), "no warning from the merged run: " + sh.scrollback());

            sh.keys("-l", "show rus");
            sh.keys("Tab");
            sh.waitFor(s -> promptLine(s).endsWith("> show rustin:"), Duration.ofSeconds(30), "TAB to complete the host");
            sh.keys("-l", "ear");
            sh.keys("Tab");
            sh.waitFor(s -> promptLine(s).endsWith("> show rustin:earthlink-a"), Duration.ofSeconds(60), "TAB to complete rustin's instance");
            sh.keys("C-u");
            sh.keys("-l", "mailq cleveland:ms");
            sh.keys("Tab");
            sh.waitFor(s -> promptLine(s).endsWith("> mailq cleveland:msn-"), Duration.ofSeconds(60), "TAB to the common prefix of msn-a, msn-b");
            sh.keys("-l", "a --json");
            sh.keys("Enter");
            sh.waitForScrollback(s -> clevelandQueue.stream().allMatch(m -> s.contains(m.get("queue_id").asText())), Duration.ofSeconds(60),
                    "cleveland's msn-a queue, passed through");
            atPrompt(sh);
            sh.line("hold rustin:msn-a " + id + " --yes");
            sh.waitForScrollback(s -> s.contains("held 1"), Duration.ofSeconds(60), "the hold on rustin");
            String audit = lastAuditLine("rustin");
            assertTrue(audit.matches(".* user=root by=[A-Za-z0-9_][A-Za-z0-9_.-]*@[A-Za-z0-9.-]+ via=ssh from=127\\.[0-9.]+ command=\"hold msn-a .*"),
                    audit);
            atPrompt(sh);
            sh.line("release rustin:msn-a " + id + " --yes");
            sh.waitForScrollback(s -> s.contains("released 1"), Duration.ofSeconds(60), "the release on rustin");
            atPrompt(sh);
            sh.line("hold msn-a X --yes");
            sh.waitForScrollback(s -> s.contains("name the instance as HOST:INSTANCE"), Duration.ofSeconds(30), "a one-host command without HOST:");
            atPrompt(sh);
            sh.line("quit");
            sh.waitForScrollback(s -> s.contains("MFSHELL-EXITED rc=0"), Duration.ofSeconds(30), "the shell to end");
        }
    }

    private static final java.util.regex.Pattern PROVIDER_CLIENT =
            java.util.regex.Pattern.compile(" provider/smtpd\\[\\d+\\]: (\\w+): client=[^\\[]*\\[([^\\]]+)\\]");
    private static final java.util.regex.Pattern PROVIDER_MSGID =
            java.util.regex.Pattern.compile(" provider/cleanup\\[\\d+\\]: (\\w+): message-id=<([^>]*)>");

    /** Message-ID -> times the provider accepted it, per client address, from {@code offset} on in its log. */
    private static Map<String, Map<String, Integer>> acceptedByClient(Lab lab, long offset) throws IOException {
        byte[] all = Files.readAllBytes(lab.providerLogFile());
        String text = new String(all, (int) offset, all.length - (int) offset, java.nio.charset.StandardCharsets.UTF_8);
        Map<String, String> clientOf = new HashMap<>();
        Map<String, Map<String, Integer>> out = new HashMap<>();
        for (String line : text.split("\n")) {
            java.util.regex.Matcher c = PROVIDER_CLIENT.matcher(line);
            if (c.find()) {
                clientOf.put(c.group(1), c.group(2));
            }
            java.util.regex.Matcher m = PROVIDER_MSGID.matcher(line);
            if (m.find()) {
                out.computeIfAbsent(clientOf.getOrDefault(m.group(1), "?"), k -> new HashMap<>()).merge(m.group(2), 1, Integer::sum);
            }
        }
        return out;
    }

    @Test
    void remoteFlushYesMovesEachMessageOnceOnThatHostOnly() throws Exception {
        List<JsonNode> clevelandBefore = localQueue(cleveland, "msn-a");
        long hotmailOnCleveland = clevelandBefore.stream().filter(m -> toDomain(m, "hotmail.com")).count();
        assertTrue(hotmailOnCleveland > 0, "cleveland's msn-a holds deferred hotmail mail");
        List<String> hotmailIds = new ArrayList<>();
        for (org.mfshell.lab.SeedReport.SeededMessage m : seeds.get("rustin").messages("msn-a")) {
            if (m.recipients().keySet().stream().anyMatch(r -> r.endsWith("@hotmail.com"))) {
                hotmailIds.add(m.messageId());
            }
        }
        assertFalse(hotmailIds.isEmpty(), "the seed gives rustin's msn-a hotmail mail");
        long offset = Files.size(rustin.providerLogFile());
        try {
            ExecResult r = mfshell("--on", "rustin", "flush", "msn-a", "--to", "msn-b", "--domain", "hotmail.com", "--yes", "--wait", "90s");
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("still deferred in msn-a: 0"), r.stdout());
            rustin.waitForQueuesToSettle(Duration.ofSeconds(60));
            Map<String, Integer> viaMsnB = acceptedByClient(rustin, offset).getOrDefault(rustin.address("msn-b"), Map.of());
            for (String id : hotmailIds) {
                assertEquals(1, viaMsnB.getOrDefault(id, 0), "message " + id + " accepted once through rustin's msn-b: " + viaMsnB);
            }
            assertEquals(hotmailOnCleveland, localQueue(cleveland, "msn-a").stream().filter(m -> toDomain(m, "hotmail.com")).count(),
                    "cleveland's queue is untouched");
        } finally {
            ExecResult restore = mfshell("--on", "rustin", "flush", "msn-a", "--restore", "--yes");
            assertEquals(0, restore.exitCode(), restore.stdout() + restore.stderr());
        }
    }

    @Test
    void statsMfLinesArePrefixedWithTheHost() {
        ExecResult r = mfshell("--on", "rustin,cleveland", "stats", "--format", "mf");
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().lines().toList();
        assertFalse(lines.isEmpty());
        boolean seenCleveland = false;
        for (String l : lines) {
            assertTrue(l.startsWith("rustin:") || l.startsWith("cleveland:"), l);
            if (l.startsWith("cleveland:")) {
                seenCleveland = true;
            } else {
                assertFalse(seenCleveland, "rustin's lines come first: " + r.stdout());
            }
        }
        assertTrue(seenCleveland, r.stdout());
        assertTrue(lines.get(0).startsWith("rustin:"), r.stdout());
        String local = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", rustin.configRoot().toString(),
                "MFSHELL_MAIL_LOG", rustin.mailLog().toString()), "stats", "--format", "mf").stdout();
        java.util.Set<String> localKeys = new java.util.HashSet<>();
        for (String l : local.lines().toList()) {
            localKeys.add(l.substring(0, l.lastIndexOf(':', l.lastIndexOf(':') - 1)));
        }
        for (String l : lines) {
            assertTrue(l.matches("(rustin|cleveland):.+:(total|bounced|deferred|sent):[0-9]+"), l);
            if (l.startsWith("rustin:")) {
                String key = l.substring("rustin:".length(), l.lastIndexOf(':', l.lastIndexOf(':') - 1));
                assertTrue(localKeys.contains(key), key + " is in rustin's own stats: " + local);
            }
        }
    }
}
