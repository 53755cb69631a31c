package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.lab.LabShape;
import org.mfshell.lab.SeedReport;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * {@code flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com} between two relays built the
 * way Debian admins build them (the handmade lab shape, {@link LabShape#HANDMADE}: postmulti's
 * instances, Debian's main.cf and master.cf, one myhostname for every instance (the box's, so the
 * two hosts here share it too), logging only through the lab's rsyslogd, the default instance
 * never started), each reached through its own sshd ({@link SshdFixture}). On top of what the lab
 * builds, rustin's msn-a gets what its admin wrote by hand before mfshell came: its own
 * {@code transport_maps = hash:.../transport} (postmap, postconf -e, reload) pinning hotmail.com and
 * outlook.com to the provider, so mfshell's relay map must win over the admin's own entry for the
 * domain it moves and hand everything else back to it.
 *
 * <p>Proves by Message-ID that every deferred hotmail message of rustin's msn-a is accepted exactly
 * once by cleveland's provider, through cleveland's msn-b and no other way; none bounces (the
 * shared hostname included: no "loops back to myself"), none is left in rustin's msn-a, nothing
 * reaches rustin's own provider; then {@code --restore} gives back main.cf, master.cf and the
 * admin's map byte for byte.
 *
 * <p>Addresses and directories: MFSHELL_TEST_CROSS_HANDMADE_SSH_PREFIX (the two sshd, default
 * 127.0.170), MFSHELL_TEST_CROSS_HANDMADE_RUSTIN_PREFIX and MFSHELL_TEST_CROSS_HANDMADE_CLEVELAND_PREFIX
 * (the labs, defaults 127.0.171 and 127.0.172), the labs under MFSHELL_TEST_CROSS_HANDMADE_ROOT
 * (default /var/tmp/mfshell-test-crosshandmade: -rustin, -cleveland), rebuilt from nothing each run.
 */
class CrossHostHandmadeFlushIntegrationTest {
    static final String SSH_PREFIX = System.getenv().getOrDefault("MFSHELL_TEST_CROSS_HANDMADE_SSH_PREFIX", "127.0.170");
    static final String RUSTIN_PREFIX = System.getenv().getOrDefault("MFSHELL_TEST_CROSS_HANDMADE_RUSTIN_PREFIX", "127.0.171");
    static final String CLEVELAND_PREFIX = System.getenv().getOrDefault("MFSHELL_TEST_CROSS_HANDMADE_CLEVELAND_PREFIX", "127.0.172");
    static final String LAB_ROOT = System.getenv().getOrDefault("MFSHELL_TEST_CROSS_HANDMADE_ROOT", "/var/tmp/mfshell-test-crosshandmade");
    private static final ProcessRunner RUN = new ProcessRunner(Duration.ofSeconds(60));

    private static Lab rustin;
    private static Lab cleveland;
    private static SeedReport rustinSeed;
    private static SshdFixture sshd;
    private static Map<String, String> env;

    @BeforeAll
    static void up() throws Exception {
        LabFixture.requireAvailable(LabShape.HANDMADE);
        SshdFixture.requireSshd();
        rustin = new Lab(new ProcessRunner(), Path.of(LAB_ROOT + "-rustin"), RUSTIN_PREFIX, LabShape.HANDMADE);
        cleveland = new Lab(new ProcessRunner(), Path.of(LAB_ROOT + "-cleveland"), CLEVELAND_PREFIX, LabShape.HANDMADE);
        long t0 = System.nanoTime();
        for (Lab l : List.of(rustin, cleveland)) {
            l.destroy();
            l.up();
        }
        adminsOwnMap(rustin.configDir("msn-a"));
        rustinSeed = rustin.seed();
        cleveland.seed();
        sshd = SshdFixture.create("crosshandmade");
        sshd.start("rustin", SSH_PREFIX + ".1", rustin, sshd.defaultPath());
        sshd.start("cleveland", SSH_PREFIX + ".2", cleveland, sshd.defaultPath());
        env = sshd.env();
        env.put("MFSHELL_STATE_DIR", sshd.dir().resolve("state-operator").toString());
        env.put("MFSHELL_AUDIT_LOG", sshd.dir().resolve("state-operator").resolve("audit.log").toString());
        System.out.printf("two handmade labs from nothing, seeded, two sshd: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** What an admin did by hand on msn-a: a hash map of its own pinning Microsoft's domains, enabled, reloaded. */
    private static void adminsOwnMap(Path dir) throws Exception {
        Path map = dir.resolve("transport");
        String provider = rustin.providerAddress();
        Files.writeString(map, "# Microsoft's domains straight to their MX, not via relayhost\n"
                + "hotmail.com     smtp:[" + provider + "]:25\n"
                + "outlook.com     smtp:[" + provider + "]:25\n");
        ok(RUN.run(List.of("postmap", "-c", dir.toString(), "hash:" + map)));
        ok(RUN.run(List.of("postconf", "-c", dir.toString(), "-e", "transport_maps = hash:" + map)));
        ok(RUN.run(List.of("postfix", "-c", dir.toString(), "reload")));
    }

    @AfterAll
    static void down() {
        SshdFixture.closeAll(sshd, rustin, cleveland);
    }

    private static void ok(ExecResult r) {
        assertTrue(r.ok(), r.argv() + ": " + r.stdout() + r.stderr());
    }

    private static ExecResult mfshell(String... args) {
        return MfshellProcess.run(env, args);
    }

    private static String postconf(Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", dir.toString()));
        argv.addAll(List.of(args));
        ExecResult r = RUN.run(argv);
        ok(r);
        return r.stdout().strip();
    }

    /** main.cf, master.cf and the admin's map with its .db: what --restore must give back byte for byte. */
    private static Map<String, byte[]> adminsFiles(Path dir) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String f : List.of("main.cf", "master.cf", "transport", "transport.db")) {
            out.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        return out;
    }

    private static String since(Path log, long offset) throws Exception {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    }

    @Test
    void crossHostRerouteBetweenHandmadeRelaysMovesEveryHotmailMessageOnceAndRestoreIsByteIdentical() throws Exception {
        Path msnA = rustin.configDir("msn-a");
        Path msnB = cleveland.configDir("msn-b");
        // The shape, as the admins left it: syslog only, postmulti's names, the one hostname, msn-a's own map.
        for (Path d : List.of(msnA, msnB)) {
            assertEquals("", postconf(d, "-h", "maillog_file"), d + ": maillog_file set");
            assertEquals("", postconf(d, "-n", "-h", "myhostname"), d + ": has a myhostname of its own");
        }
        assertEquals("postfix-msn-a", postconf(msnA, "-hx", "syslog_name"));
        assertEquals("hash:" + msnA.resolve("transport"), postconf(msnA, "-h", "transport_maps"));
        assertEquals(postconf(msnA, "-xh", "myhostname"), postconf(msnB, "-xh", "myhostname"), "one box, one hostname");

        List<String> hotmailIds = new ArrayList<>();
        for (SeedReport.SeededMessage m : rustinSeed.messages("msn-a")) {
            if (!m.held() && m.recipients().entrySet().stream().anyMatch(r -> r.getKey().endsWith("@hotmail.com")
                    && r.getValue() == SeedReport.Outcome.DEFERRED)) {
                hotmailIds.add(m.messageId());
            }
        }
        assertFalse(hotmailIds.isEmpty(), "the seed gives rustin's msn-a deferred hotmail mail");
        long outlookBefore = recipients(CrossHostFlushIntegrationTest.queue(rustin, "msn-a"), "@outlook.com");
        assertTrue(outlookBefore > 0, "rustin's msn-a holds deferred outlook.com mail too");
        Map<String, byte[]> before = adminsFiles(msnA);
        long clevelandProvider = Files.size(cleveland.providerLogFile());
        long rustinProvider = Files.size(rustin.providerLogFile());
        long rustinLog = Files.size(rustin.mailLog());
        long clevelandLog = Files.size(cleveland.mailLog());
        boolean restored = false;
        try {
            ExecResult dry = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--dry-run");
            assertEquals(0, dry.exitCode(), dry.stdout() + dry.stderr() + sshd.logs());
            assertTrue(dry.stdout().contains("dry run: nothing was changed"), dry.stdout());
            Map<String, byte[]> afterDry = adminsFiles(msnA);
            for (String f : before.keySet()) {
                assertArrayEquals(before.get(f), afterDry.get(f), "msn-a/" + f + " untouched by the dry run");
            }
            long t0 = System.nanoTime();
            ExecResult r = mfshell("flush", "rustin:msn-a", "--to", "cleveland:msn-b", "--domain", "hotmail.com", "--yes",
                    "--wait", "90s");
            System.out.printf("cross-host flush between handmade relays: %d ms%n%s%n", (System.nanoTime() - t0) / 1_000_000, r.stdout());
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr() + sshd.logs());
            assertTrue(r.stdout().contains("target cleveland:msn-b: facts read over ssh"), r.stdout());
            assertTrue(r.stdout().contains("cleveland:msn-b's mynetworks admits " + rustin.address("msn-a")), r.stdout());
            assertTrue(r.stdout().contains("moved to cleveland:msn-b: "), r.stdout());
            assertTrue(r.stdout().contains("still deferred in msn-a: 0   bounced: 0"), r.stdout());
            // mfshell's map goes first: the admin's own hotmail.com entry would shadow it otherwise.
            assertEquals("hash:" + msnA.resolve("transport.relay") + ", hash:" + msnA.resolve("transport"),
                    postconf(msnA, "-h", "transport_maps"));

            rustin.waitForQueuesToSettle(Duration.ofSeconds(60));
            cleveland.waitForQueuesToSettle(Duration.ofSeconds(60));
            CrossHostFlushIntegrationTest.assertAcceptedOnceThroughMsnB(hotmailIds, rustin, rustinProvider, cleveland,
                    clevelandProvider);
            List<JsonNode> left = CrossHostFlushIntegrationTest.queue(rustin, "msn-a");
            assertEquals(0, recipients(left, "@hotmail.com"), "no hotmail recipient left in rustin's msn-a");
            assertEquals(outlookBefore, recipients(left, "@outlook.com"), "outlook.com, the admin's other entry, stays as it was");

            // rustin's syslog: msn-a handed the moved mail to cleveland's msn-b, bounced nothing, saw no loop.
            String msnALog = since(rustin.mailLog(), rustinLog).lines().filter(l -> l.contains(" postfix-msn-a/"))
                    .reduce("", (a, b) -> a + b + "\n");
            assertFalse(msnALog.lines().anyMatch(l -> l.contains("status=bounced") || l.contains("loops back to myself")
                    || l.contains("greeted me with my own hostname")), "nothing bounced:\n" + msnALog);
            Set<String> handedOver = new HashSet<>();
            Matcher q = Pattern.compile("relay=" + Pattern.quote(cleveland.address("msn-b"))
                    + "\\[.*status=sent \\(250 [0-9.]+ Ok: queued as (\\w+)\\)").matcher(msnALog);
            while (q.find()) {
                handedOver.add(q.group(1));
            }
            assertFalse(handedOver.isEmpty(), msnALog);
            // cleveland's syslog: what msn-b queued for the moved mail bounced nothing; only the provider's own deferrals wait.
            String msnBLog = since(cleveland.mailLog(), clevelandLog);
            for (String l : msnBLog.lines().toList()) {
                for (String qid : handedOver) {
                    assertFalse(l.contains(" postfix-msn-b/") && l.contains(" " + qid + ": ") && l.contains("status=bounced"), l);
                }
            }
            for (JsonNode m : CrossHostFlushIntegrationTest.queue(cleveland, "msn-b")) {
                if (handedOver.contains(m.path("queue_id").asText())) {
                    for (JsonNode rc : m.path("recipients")) {
                        assertTrue(rc.path("delay_reason").asText().startsWith("host " + cleveland.providerAddress() + "["),
                                "moved mail stuck in cleveland's msn-b before reaching its provider: " + m);
                    }
                }
            }

            // rustin's own mfshell (its state dir, as sshd's SetEnv gave it) names the reroute next to the admin's map.
            ExecResult reroutes = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", rustin.configRoot().toString(),
                    "MFSHELL_STATE_DIR", sshd.stateDir("rustin").toString()), "reroutes", "--json");
            assertEquals(0, reroutes.exitCode(), reroutes.stderr());
            JsonNode rs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reroutes.stdout());
            assertEquals(1, rs.size(), reroutes.stdout());
            assertEquals("msn-a", rs.get(0).get("source").asText(), reroutes.stdout());
            assertEquals("cleveland:msn-b", rs.get(0).get("target").asText(), reroutes.stdout());
            assertEquals(cleveland.address("msn-b"), rs.get(0).get("targetAddress").asText(), reroutes.stdout());

            ExecResult restore = mfshell("flush", "rustin:msn-a", "--restore", "--yes");
            assertEquals(0, restore.exitCode(), restore.stdout() + restore.stderr());
            restored = true;
            assertTrue(restore.stdout().contains("reroute of msn-a switched off"), restore.stdout());
            Map<String, byte[]> now = adminsFiles(msnA);
            for (String f : before.keySet()) {
                assertArrayEquals(before.get(f), now.get(f), "msn-a/" + f + " is as the admin left it");
            }
            assertFalse(Files.exists(msnA.resolve("transport.relay")), "transport.relay left behind");
            assertFalse(Files.exists(msnA.resolve("transport.relay.db")), "transport.relay.db left behind");
        } finally {
            if (!restored) {
                mfshell("flush", "rustin:msn-a", "--restore", "--yes");
            }
        }
    }

    private static long recipients(List<JsonNode> q, String suffix) {
        long n = 0;
        for (JsonNode m : q) {
            for (JsonNode r : m.path("recipients")) {
                if (r.path("address").asText().endsWith(suffix)) {
                    n++;
                }
            }
        }
        return n;
    }
}
