package org.mfshell.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postmulti;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * The handmade lab shape on real Postfix, postmulti and rsyslogd: up from nothing without touching
 * /etc, made by postmulti with Debian's defaults, discovered by mfshell, one shared hostname, a
 * default instance that never ran, aol-a's own transport map, every log line through the lab's
 * rsyslogd into an RFC 3339 mail.log (and none in a maillog_file), seed, block/unblock, rebuild,
 * {@code mfshell lab status}, running next to the default lab, down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HandmadeLabIntegrationTest {
    private static final ProcessRunner RUN = new ProcessRunner();
    private static final Pattern RFC3339_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d (\\S+) (\\S+)\\[\\d+\\]: (.*)$");
    private static Lab lab;

    @BeforeAll
    static void fromNothing() {
        lab = LabFixture.handmadeUnstarted();
        lab.destroy();
        assertFalse(Files.exists(lab.root()), "lab root still there after destroy");
    }

    @Test
    @Order(1)
    void upFromNothingWritesOnlyUnderTheLabRoot() throws Exception {
        Map<String, String> etcBefore = etcPostfixState();
        long t0 = System.nanoTime();
        LabStatus status = lab.up();
        System.out.printf("handmade lab up from nothing: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(status.allRunning(), "not all running: " + status);
        assertEquals(LabShape.HANDMADE, status.shape());
        assertNotEquals(0, status.syslogPid());
        assertEquals(Set.of("msn-a"), status.blocked());
        assertEquals(etcBefore, etcPostfixState(), "/etc/postfix changed");
        try (Stream<Path> etc = Files.list(Path.of("/etc"))) {
            assertTrue(etc.noneMatch(p -> p.getFileName().toString().startsWith("postfix-")
                    && p.toString().contains(lab.root().getFileName().toString())), "an instance dir in /etc");
        }
        assertEquals(lab.root().resolve("etc"), lab.configRoot());
        assertEquals(lab.root().resolve("var/log/mail.log"), lab.mailLog());
        for (String name : Lab.INSTANCES) {
            assertEquals(lab.root().resolve("etc/postfix-" + name), lab.configDir(name));
            assertEquals(lab.root().resolve("var/spool/postfix-" + name), lab.queueDir(name));
            assertEquals(lab.queueDir(name).toString(), postconf(lab.configDir(name), "-h", "queue_directory"));
        }
    }

    @Test
    @Order(2)
    void everyInstanceIsMadeByPostmultiWithDebiansDefaults() throws Exception {
        List<Postmulti.Entry> managed = lab.postmultiInstances();
        assertEquals("-", managed.get(0).name());
        assertEquals(lab.defaultConfigDir(), managed.get(0).configDir());
        List<String> names = managed.stream().skip(1).map(Postmulti.Entry::name).toList();
        assertEquals(Lab.INSTANCES.stream().map(n -> "postfix-" + n).toList(), names);
        assertTrue(managed.stream().allMatch(Postmulti.Entry::enabled), managed.toString());

        Path defaultDir = lab.defaultConfigDir();
        assertEquals("${command_directory}/postmulti -p --", postconf(defaultDir, "-h", "multi_instance_wrapper"));
        assertEquals("yes", postconf(defaultDir, "-h", "multi_instance_enable"));
        assertEquals(String.join(" ", Lab.INSTANCES.stream().map(n -> lab.configDir(n).toString()).toList()),
                postconf(defaultDir, "-h", "multi_instance_directories"));

        List<String> proto = Files.readAllLines(Path.of("/etc/postfix/main.cf.proto"));
        for (String name : Lab.INSTANCES) {
            Path dir = lab.configDir(name);
            String addr = lab.address(name);
            assertEquals("postfix-" + name, postconf(dir, "-hx", "syslog_name"), name);
            assertEquals("", postconf(dir, "-h", "maillog_file"), name + ": maillog_file set");
            assertEquals("", postconf(dir, "-h", "authorized_submit_users"), name + ": postmulti leaves it empty");
            String nonDefault = postconf(dir, "-n");
            assertFalse(nonDefault.lines().anyMatch(l -> l.startsWith("myhostname ")), name + " sets myhostname:\n" + nonDefault);
            assertFalse(nonDefault.lines().anyMatch(l -> l.startsWith("master_service_disable ")), name + " still disables inet");
            // What postmulti -e create changed in Debian's main.cf.proto, then the lab's edits; nothing else.
            List<String> main = Files.readAllLines(dir.resolve("main.cf"));
            List<String> expectedAdded = new ArrayList<>(List.of(
                    "#command_directory = /usr/sbin", "#daemon_directory = /usr/lib/postfix/sbin",
                    "data_directory = " + lab.root().resolve("var/lib/postfix-" + name),
                    "#sendmail_path =", "#newaliases_path =", "#mailq_path =", "#setgid_group =", "#html_directory =",
                    "#manpage_directory =", "#sample_directory =", "readme_directory = no",
                    "queue_directory = " + lab.queueDir(name), "authorized_submit_users =",
                    "multi_instance_name = postfix-" + name, "multi_instance_enable = yes",
                    "relayhost = [" + lab.providerAddress() + "]:25", "smtp_dns_support_level = disabled",
                    "queue_run_delay = 60s", "minimal_backoff_time = 60s", "maximal_backoff_time = 120s"));
            if (name.equals("aol-a")) {
                expectedAdded.add("transport_maps = hash:" + dir.resolve("transport"));
            }
            assertEquals(sorted(expectedAdded), sorted(minus(main, proto)), name + " main.cf: lines not in main.cf.proto");
            assertEquals(sorted(List.of("command_directory = /usr/sbin", "daemon_directory = /usr/lib/postfix/sbin",
                    "data_directory = /var/lib/postfix", "sendmail_path =", "newaliases_path =", "mailq_path =",
                    "setgid_group =", "html_directory =", "manpage_directory =", "sample_directory =",
                    "readme_directory =")), sorted(minus(proto, main)), name + " main.cf: main.cf.proto lines gone");

            List<String> master = Files.readAllLines(dir.resolve("master.cf"));
            assertTrue(master.contains("smtp unix - - - - - smtp -o smtp_bind_address=" + addr), name + " master.cf");
            assertTrue(master.contains(addr + ":smtp inet n - n - - smtpd"), name + " master.cf");
            assertEquals(addr, postconf(dir, "-Ph", "smtp/unix/smtp_bind_address"));
            for (String service : postconf(dir, "-M").split("\n")) {
                String[] f = service.trim().split("\\s+");
                if (f.length > 1 && f[1].equals("inet")) {
                    assertEquals(addr + ":smtp", f[0], name + ": inet service on another address: " + service);
                }
            }
            // Debian's relay service keeps its own syslog_name, as on a relay nobody tidied.
            assertEquals("postfix/$service_name", postconf(dir, "-Ph", "relay/unix/syslog_name"));
        }
    }

    @Test
    @Order(3)
    void discoveryFindsTheFiveInstancesAndTheDefault() {
        InstanceRegistry registry = new InstanceRegistry(lab.configRoot(), RUN);
        assertEquals(List.of("aol-a", "earthlink-a", "msn-a", "msn-b", "postfix", "therest-a"), registry.names());
        assertEquals(lab.defaultConfigDir(), registry.find("postfix").configDir());
        for (String name : Lab.INSTANCES) {
            assertEquals(lab.configDir(name), registry.find(name).configDir());
        }
    }

    @Test
    @Order(3)
    void everyInstanceHasTheBoxsOneHostnameAndTheProviderItsOwn() throws Exception {
        String hostname = postconf(lab.defaultConfigDir(), "-h", "myhostname");
        assertFalse(hostname.isBlank());
        for (String name : Lab.INSTANCES) {
            assertEquals(hostname, postconf(lab.configDir(name), "-h", "myhostname"), name);
            assertEquals("220 " + hostname + " ESMTP Postfix (Debian/GNU)", banner(lab.address(name)), name + " banner");
        }
        String provider = banner(lab.providerAddress());
        assertTrue(provider.startsWith("220 provider.lab.invalid "), provider);
    }

    @Test
    @Order(3)
    void theDefaultInstanceIsPresentButNeverStarted() throws Exception {
        Path dir = lab.defaultConfigDir();
        assertEquals("inet", postconf(dir, "-h", "master_service_disable"));
        assertEquals(lab.defaultQueueDir().toString(), postconf(dir, "-h", "queue_directory"));
        assertNotEquals(0, RUN.run(List.of("postfix", "-c", dir.toString(), "status"), Duration.ofSeconds(20)).exitCode());
        LabStatus.Node node = lab.status().defaultInstance().orElseThrow();
        assertEquals("postfix", node.name());
        assertFalse(node.running());
        assertTrue(Files.isDirectory(lab.defaultQueueDir()));
        for (String sub : List.of("hold", "deferred", "active", "incoming", "maildrop", "pid", "public")) {
            assertFalse(Files.exists(lab.defaultQueueDir().resolve(sub)), sub + " exists in the default queue");
        }
        // What a real relay shows then: postqueue cannot read that queue.
        ExecResult r = RUN.run(List.of("postqueue", "-c", dir.toString(), "-p"), Duration.ofSeconds(20));
        assertNotEquals(0, r.exitCode(), r.stdout());
    }

    @Test
    @Order(3)
    void aolAHasItsOwnActiveTransportMap() {
        Path dir = lab.configDir("aol-a");
        Path map = dir.resolve("transport");
        assertEquals("hash:" + map, postconf(dir, "-h", "transport_maps"));
        assertTrue(Files.isRegularFile(Postmap.hashDb(map)));
        Map<String, String> found = new Postmap(RUN).query(dir, map, List.of("aol.com", "aim.com", "example.net", "gmail.com"));
        String route = "smtp:[" + lab.providerAddress() + "]:25";
        assertEquals(Map.of("aol.com", route, "aim.com", route, "example.net", route), found);
        for (String name : Lab.INSTANCES) {
            if (!name.equals("aol-a")) {
                assertEquals("", postconf(lab.configDir(name), "-h", "transport_maps"), name);
            }
        }
    }

    @Test
    @Order(4)
    void seededMailIsLoggedOnlyThroughRsyslogWithRfc3339TimeStamps() throws Exception {
        SeedReport seed = LabFixture.handmadeSeededOnce();
        for (String name : Lab.INSTANCES) {
            SeedReport.Counts c = seed.counts().get(name);
            assertTrue(c.sent() > 0 && c.deferred() > 0 && c.bounced() > 0, name + " mix: " + c);
        }
        assertEquals(2, seed.counts().get("therest-a").held());
        assertEquals(2, lab.status().instance("therest-a").queue("hold"));
        Set<String> accepted = lab.acceptedMessageIds();
        for (SeedReport.SeededMessage m : seed.messages()) {
            assertEquals(m.has(SeedReport.Outcome.SENT), accepted.contains(m.messageId()), m.instance() + " " + m.recipients());
        }
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().split("\\.")[0];
        List<String> lines = Files.readAllLines(lab.mailLog());
        Map<String, String> firstLineOfTag = new TreeMap<>();
        for (String l : lines) {
            Matcher m = RFC3339_LINE.matcher(l);
            assertTrue(m.matches(), "not an RFC 3339 syslog line: " + l);
            assertEquals(host, m.group(1), l);
            firstLineOfTag.putIfAbsent(m.group(2).substring(0, m.group(2).indexOf('/') < 0 ? m.group(2).length()
                    : m.group(2).indexOf('/')), l);
        }
        assertEquals(Set.of("postfix-aol-a", "postfix-earthlink-a", "postfix-msn-a", "postfix-msn-b", "postfix-therest-a"),
                firstLineOfTag.keySet(), "syslog tags (the provider logs to its own file, the default instance never)");

        SeedReport.SeededMessage sent = seed.messages("msn-a").stream().filter(m -> m.has(SeedReport.Outcome.SENT))
                .findFirst().orElseThrow();
        String rcpt = sent.recipients().keySet().iterator().next();
        Pattern delivery = Pattern.compile(" postfix-msn-a/smtp\\[\\d+\\]: " + sent.queueId() + ": to=<" + Pattern.quote(rcpt)
                + ">, relay=" + Pattern.quote(lab.providerAddress()) + "\\[.*status=sent ");
        assertTrue(lines.stream().anyMatch(l -> delivery.matcher(l).find()), "no delivery line for " + rcpt);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" postfix-msn-a/smtp[") && l.contains("status=deferred")
                && l.contains("451 4.7.651") && l.contains("[" + lab.address("msn-a") + "]")), "no 4.7.651 deferral");

        List<Path> dirs = new ArrayList<>(Lab.INSTANCES.stream().map(lab::configDir).toList());
        dirs.add(lab.defaultConfigDir());
        for (Path dir : dirs) {
            assertEquals("", postconf(dir, "-h", "maillog_file"), dir.toString());
        }
        try (Stream<Path> files = Files.walk(lab.root())) {
            List<Path> logs = files.filter(p -> p.getFileName().toString().endsWith(".log") && Files.isRegularFile(p)).toList();
            assertEquals(Set.of(lab.mailLog(), lab.providerLogFile()), Set.copyOf(logs));
        }
        for (String name : Lab.INSTANCES) {
            assertEquals(lab.mailLog(), lab.logFile(name));
        }
    }

    @Test
    @Order(5)
    void statsReadsTheMailLogNamedByMfshellMailLog() {
        SeedReport seed = LabFixture.handmadeSeededOnce();
        long sentRecipients = seed.messages("msn-a").stream()
                .flatMap(m -> m.recipients().values().stream()).filter(o -> o == SeedReport.Outcome.SENT).count();
        ExecResult r = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_MAIL_LOG", lab.mailLog().toString()), "stats", "--format", "mf");
        assertEquals(0, r.exitCode(), r.stderr());
        String line = r.stdout().lines().filter(l -> l.startsWith("postfix-msn-a:sent:")).findFirst().orElse("");
        assertFalse(line.isEmpty(), r.stdout());
        assertTrue(Long.parseLong(line.substring("postfix-msn-a:sent:".length())) >= sentRecipients, r.stdout());
    }

    @Test
    @Order(5)
    void labStatusCommandShowsTheShape() {
        Map<String, String> env = Map.of();
        ExecResult r = MfshellProcess.run(env, "lab", "status", "--root", lab.root().toString(), "--prefix", lab.prefix());
        assertEquals(0, r.exitCode(), r.stderr());
        for (String name : Lab.INSTANCES) {
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith(name + " ") && l.contains(lab.address(name) + " ")
                    && l.contains("yes (pid ")), name + " missing or not running in:\n" + r.stdout());
        }
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("postfix +- +no .*")), r.stdout());
        assertTrue(r.stdout().contains("(shape handmade)"), r.stdout());
        assertTrue(r.stdout().contains("syslog: rsyslogd running (pid " + lab.status().syslogPid() + "), mail log "
                + lab.mailLog()), r.stdout());
        ExecResult wrong = MfshellProcess.run(env, "lab", "status", "--shape", "default", "--root", lab.root().toString(),
                "--prefix", lab.prefix());
        assertEquals(2, wrong.exitCode(), wrong.stderr());
        assertEquals("mfshell: the lab at " + lab.root() + " has the shape handmade, not default: use --shape handmade"
                + " or another --root\n", wrong.stderr());
    }

    @Test
    @Order(6)
    void unblockThenFlushDeliversMsnAsDeferredMail() {
        SeedReport seed = LabFixture.handmadeSeededOnce();
        List<String> blockedIds = seed.messages("msn-a").stream()
                .filter(m -> m.recipients().keySet().stream().anyMatch(r -> r.endsWith("@hotmail.com") || r.endsWith("@outlook.com")))
                .map(SeedReport.SeededMessage::messageId).toList();
        assertFalse(blockedIds.isEmpty());
        assertTrue(blockedIds.stream().noneMatch(lab.acceptedMessageIds()::contains));
        lab.unblock("msn-a");
        try {
            assertEquals(0, RUN.run(List.of("postqueue", "-c", lab.configDir("msn-a").toString(), "-f"),
                    Duration.ofSeconds(20)).exitCode());
            Instant deadline = Instant.now().plusSeconds(30);
            while (!lab.acceptedMessageIds().containsAll(blockedIds) && Instant.now().isBefore(deadline)) {
                sleep(200);
            }
            assertTrue(lab.acceptedMessageIds().containsAll(blockedIds), "msn-a's hotmail/outlook mail not delivered");
        } finally {
            lab.block("msn-a");
        }
        assertEquals(Set.of("msn-a"), lab.blockedInstances());
    }

    @Test
    @Order(7)
    void rebuildPutsTheConfigBackByteForByteAndKeepsLoggingThroughSyslog() throws Exception {
        Path dir = lab.configDir("aol-a");
        byte[] main = Files.readAllBytes(dir.resolve("main.cf"));
        byte[] master = Files.readAllBytes(dir.resolve("master.cf"));
        byte[] transport = Files.readAllBytes(dir.resolve("transport"));
        Files.writeString(dir.resolve("main.cf"), new String(main, StandardCharsets.UTF_8).replace(
                "transport_maps = hash:" + dir.resolve("transport"), "transport_maps = hash:" + dir.resolve("transport.relay")
                        + ", hash:" + dir.resolve("transport")));
        Files.writeString(dir.resolve("transport.relay"), "aol.com smtp:[" + lab.address("msn-b") + "]\n");
        long pid = lab.status().instance("aol-a").pid();
        long logSize = Files.size(lab.mailLog());
        lab.rebuild("aol-a");
        assertArrayEquals(main, Files.readAllBytes(dir.resolve("main.cf")));
        assertArrayEquals(master, Files.readAllBytes(dir.resolve("master.cf")));
        assertArrayEquals(transport, Files.readAllBytes(dir.resolve("transport")));
        assertFalse(Files.exists(dir.resolve("transport.relay")));
        LabStatus s = lab.status();
        assertTrue(s.instance("aol-a").running());
        assertNotEquals(pid, s.instance("aol-a").pid());
        String added = Files.readString(lab.mailLog()).substring((int) logSize);
        assertTrue(added.contains(" postfix-aol-a/master[" + s.instance("aol-a").pid() + "]: daemon started"), added);
    }

    @Test
    @Order(8)
    void runsNextToTheDefaultLab() throws Exception {
        Lab other = LabFixture.shared();
        assertTrue(other.status().allRunning());
        assertTrue(lab.status().allRunning());
        assertNotEquals(other.prefix(), lab.prefix());
        String mailLog = Files.readString(lab.mailLog());
        assertFalse(mailLog.contains(other.root().toString()), "default lab lines in the handmade mail.log");
    }

    @Test
    @Order(9)
    void downStopsEveryMasterAndTheSyslogAndLeavesNoPidFile() throws Exception {
        long syslogPid = lab.status().syslogPid();
        lab.down();
        List<Path> dirs = new ArrayList<>(List.of(lab.providerConfigDir(), lab.defaultConfigDir()));
        for (String name : Lab.INSTANCES) {
            dirs.add(lab.configDir(name));
        }
        for (Path dir : dirs) {
            assertNotEquals(0, RUN.run(List.of("postfix", "-c", dir.toString(), "status"), Duration.ofSeconds(20)).exitCode(),
                    dir + " still running");
            Path pid = Path.of(postconf(dir, "-h", "queue_directory"), "pid", "master.pid");
            assertFalse(Files.exists(pid), pid + " left behind");
        }
        assertFalse(Files.exists(Path.of("/proc", Long.toString(syslogPid), "cmdline"))
                && Files.readString(Path.of("/proc", Long.toString(syslogPid), "cmdline")).contains(lab.root().toString()),
                "rsyslogd still running");
        assertEquals(0, lab.status().syslogPid());
        assertFalse(Files.exists(lab.root().resolve("run/rsyslogd.pid")));
        for (Path proc : Files.list(Path.of("/proc")).filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
            try {
                assertFalse(Files.readSymbolicLink(proc.resolve("cwd")).startsWith(lab.root()), "process left: " + proc);
            } catch (java.io.IOException gone) {
                // not ours or already exited
            }
        }
        lab.down();
    }

    /** Every file under /etc/postfix with its size and modification time. */
    private static Map<String, String> etcPostfixState() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(Path.of("/etc/postfix"))) {
            for (Path p : s.toList()) {
                FileTime t = Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                out.put(p.toString(), (Files.isRegularFile(p) ? Files.size(p) : -1) + "@" + t);
            }
        }
        return out;
    }

    private static List<String> minus(List<String> a, List<String> b) {
        List<String> rest = new ArrayList<>(a);
        for (String l : b) {
            rest.remove(l);
        }
        return rest.stream().map(String::stripTrailing).toList();
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
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
