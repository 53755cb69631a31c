package org.mfshell.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.PostfixCtl;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.Rsyslogd;
import org.mfshell.shell.Commands;
import org.mfshell.testutil.MfshellProcess;

/**
 * {@code watch} on the lab (real Postfix; msn-a blocked by the lab's provider, then drained by a
 * reroute to msn-b). Mail goes through therest-a's real sendmail and smtp client (a
 * sender-dependent relayhost sends watch's sender to the test's SMTP sink); syslog through the
 * real logger to a real rsyslogd on the test's own socket; the webhook to the JDK's HttpServer.
 * Exactly one notice per change on each channel (by Message-ID and Idempotency-Key), nothing on a
 * run without a change, nothing again from a new process, hold-down damping, a failing webhook
 * retried and then sent once, config errors with line numbers, the state file 0600 under umask 000.
 * Addresses: MFSHELL_TEST_WATCH_SMTP (default 127.0.153.1:0, any port) and
 * MFSHELL_TEST_WATCH_WEBHOOK (default 127.0.153.2:0).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchLabIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FROM = "mfshell-watch@watch.test";
    static Lab lab;
    static Path dir;
    static String since;
    static SmtpSink smtp;
    static WebhookSink webhook;
    static Path syslogFile;
    static Path syslogPid;
    static Path relayMap;
    static Path confB;
    static Path confDamped;
    static String blockKey;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void setUp() throws Exception {
        lab = LabFixture.shared();
        dir = lab.root().resolve("watch-test");
        deleteTree(dir);
        Files.createDirectories(dir);
        smtp = new SmtpSink(host("MFSHELL_TEST_WATCH_SMTP", "127.0.153.1:0"), port("MFSHELL_TEST_WATCH_SMTP", "127.0.153.1:0"));
        webhook = new WebhookSink(host("MFSHELL_TEST_WATCH_WEBHOOK", "127.0.153.2:0"),
                port("MFSHELL_TEST_WATCH_WEBHOOK", "127.0.153.2:0"));
        startSyslog();
        // therest-a relays watch's sender to the sink; everything else still goes to the provider.
        relayMap = dir.resolve("watch-relay");
        Files.writeString(relayMap, FROM + " [" + smtpHost() + "]:" + smtpPort() + "\n");
        Postconf postconf = new Postconf(new ProcessRunner());
        postconf.edit(lab.configDir("therest-a"), Map.of("sender_dependent_relayhost_maps", "texthash:" + relayMap));
        new PostfixCtl(new ProcessRunner()).reload(lab.configDir("therest-a"));
        lab.purgeQueues();
        since = "@" + (java.time.Instant.now().getEpochSecond() - 1);
        lab.seed();
        confB = write("watch.conf", "# the test's config\nhold_down = 0s\n\n[mail]\nto = ops@watch.test\nfrom = " + FROM
                + "\ninstance = therest-a\n\n[syslog]\nsocket = " + dir.resolve("log.sock") + "\n\n[webhook]\nurl = "
                + webhook.url("/hook") + "\ntimeout = 5s\n");
        confDamped = write("damped.conf", "hold_down = 1h\n[webhook]\nurl = " + webhook.url("/damped") + "\n");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (lab != null) {
            cli("B", "flush", "msn-a", "--restore", "--yes");
            new Postconf(new ProcessRunner()).remove(lab.configDir("therest-a"), "sender_dependent_relayhost_maps");
            new PostfixCtl(new ProcessRunner()).reload(lab.configDir("therest-a"));
        }
        if (syslogPid != null && Files.exists(syslogPid)) {
            long pid = Long.parseLong(Files.readString(syslogPid).strip());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        if (smtp != null) {
            smtp.close();
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    @Test
    @Order(1)
    void configErrorsNameFileAndLineAndExit2() throws IOException {
        String[][] cases = {
            {"hold_down = 5m\n[mail]\nto = ops@watch.test\nfrom = x@watch.test\ninstance = no-such\n", ":5: instance: no instance 'no-such'"},
            {"# c\nhold_down = 5x\n[syslog]\n", ":2: hold_down: bad duration '5x'"},
            {"[mail]\nto = not-an-address\nfrom = a@watch.test\n", ":2: to: 'not-an-address' is not a mail address"},
            {"[webhook]\nurl = http://192.0.2.1/hook\n", ":2: url: plain http only to a loopback address"},
            {"[syslog]\n[pager]\n", ":2: unknown section '[pager]'"},
            {"[syslog]\npriority = mail.loud\n", ":2: priority: 'mail.loud' is not FACILITY.LEVEL"},
            {"interval = 1m\n", ":1: no channel"},
            {"[mail]\nfrom = a@watch.test\nto = -oQ/tmp@watch.test\n", ":3: to: '-oQ/tmp@watch.test': bad local part"},
        };
        for (String[] c : cases) {
            Path f = write("bad.conf", c[0]);
            Run r = cli("E", "watch", "--once", "--config", f.toString());
            assertEquals(2, r.code, c[0] + ": " + r);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(r.err.contains(f + c[1]), "expected " + f + c[1] + " in: " + r.err);
        }
        String[][] badOptions = {
            {"watch", "--status", "--once"},
            {"watch", "--json", "--once", "--config", confB.toString()},
            {"watch", "--once", "--interval", "1m", "--config", confB.toString()},
            {"watch", "--interval", "1x", "--config", confB.toString()},
            {"watch", "--once", "--config", dir.resolve("missing.conf").toString()},
            {"watch", "--once", "--bogus"},
        };
        for (String[] args : badOptions) {
            Run r = cli("E", args);
            assertEquals(2, r.code, String.join(" ", args) + ": " + r);
            assertEquals(1, r.err.lines().count(), r.err);
        }
        // MFSHELL_WATCH_CONF names the file when --config does not.
        Path viaEnv = write("env.conf", "[syslog]\ntag = -x\n");
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(err), new BufferedReader(new StringReader("")),
                false, false);
        AppContext ctx = new AppContext(lab.configRoot(), dir.resolve("state-E"), dir.resolve("audit.log"), lab.root(),
                lab.mailLog(), new ProcessRunner());
        int code = new Cli(ctx, List.of(new org.mfshell.shell.WatchCommand(Map.of("MFSHELL_WATCH_CONF", viaEnv.toString()))))
                .run(new String[] {"watch", "--once"}, io);
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(viaEnv + ":2: tag: '-x'"), err.toString());
        assertFalse(Files.exists(dir.resolve("state-E/watch/state.json")), "bad input records nothing");
    }

    @Test
    @Order(2)
    void holdDownKeepsANewVerdictWaiting() {
        Run r = cli("D", "watch", "--once", "--config", confDamped.toString(), "--since", since);
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("no change; 1 waiting out the hold-down"), r.out);
        Run s = cli("D", "watch", "--status");
        assertTrue(s.out.matches("(?s).*msn-a/msn +BLOCKED +OK +BLOCKED since .*"), s.out);
        assertEquals(0, webhook.requests().stream().filter(q -> q.path().equals("/damped")).count());
    }

    @Test
    @Order(3)
    void blockIsNotifiedOnceOnEveryChannel() throws Exception {
        Run r = cli("B", "watch", "--once", "--config", confB.toString(), "--since", since);
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("msn-a BLOCKED for msn (was OK): microsoft-4.7.651"), r.out);
        List<WebhookSink.Request> hooks = webhook.requests().stream().filter(q -> q.path().equals("/hook")).toList();
        assertEquals(1, hooks.size(), hooks.toString());
        JsonNode j = JSON.readTree(hooks.get(0).body());
        blockKey = j.get("id").asText();
        assertEquals(blockKey, hooks.get(0).idempotencyKey());
        assertEquals("application/json", hooks.get(0).contentType());
        assertEquals("msn-a", j.get("instance").asText());
        assertEquals("OK", j.get("from").asText());
        assertEquals("BLOCKED", j.get("to").asText());
        assertTrue(j.get("evidence").get("signatures").get("microsoft-4.7.651").asLong() > 0, j.toString());
        assertEquals("mfshell flush msn-a --to msn-b --domain hotmail.com --domain outlook.com",
                j.get("suggested_command").asText());
        waitFor(() -> smtp.messages().size() >= 1, 90, "the notice mail at the sink");
        SmtpSink.Message m = smtp.messages().get(0);
        assertTrue(m.header("Message-ID").startsWith("<mfshell-watch." + blockKey + "@"), m.data());
        assertTrue(m.header("Subject").contains("msn-a BLOCKED for msn (was OK)"), m.data());
        assertNotNull(m.header("Date"), m.data());
        assertTrue(m.from().contains(FROM), m.from());
        assertTrue(m.data().contains("Suggested command:\n  mfshell flush msn-a --to msn-b --domain hotmail.com"), m.data());
        assertTrue(m.data().contains("oldest deferred") || m.data().contains("deferred queue of msn-a"), m.data());
        waitFor(() -> syslogLines(blockKey) == 1, 10, "the syslog line");
        assertTrue(syslog().contains("mfshell-watch: msn-a BLOCKED for msn"), syslog());

        // A second run, and a new process: nothing new anywhere.
        Run again = cli("B", "watch", "--once", "--config", confB.toString(), "--since", since);
        assertEquals(0, again.code, again.toString());
        assertTrue(again.out.contains("no change"), again.out);
        ExecResult p = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_STATE_DIR", dir.resolve("state-B").toString(), "MFSHELL_AUDIT_LOG", dir.resolve("audit.log").toString()),
                "watch", "--once", "--config", confB.toString(), "--since", since);
        assertEquals(0, p.exitCode(), p.toString());
        assertTrue(p.stdout().contains("no change"), p.stdout());
        Thread.sleep(3000);
        assertEquals(1, smtp.messages().size());
        assertEquals(1, webhook.requests().stream().filter(q -> q.path().equals("/hook")).count());
        assertEquals(1, syslogLines(blockKey));
    }

    @Test
    @Order(4)
    void drainIsNotifiedAndAFailingWebhookIsRetriedThenSentOnce() throws Exception {
        Run flush = cli("B", "flush", "msn-a", "--to", "msn-b", "--domain", "hotmail.com", "--domain", "outlook.com", "--yes");
        assertEquals(0, flush.code, flush.toString());
        webhook.status.set(503);
        Run r = null;
        for (int i = 0; i < 60; i++) {
            r = cli("B", "watch", "--once", "--config", confB.toString(), "--since", since);
            if (r.out.contains("change ")) {
                break;
            }
            Thread.sleep(1000);
        }
        assertEquals(1, r.code, "the webhook failed: " + r);
        assertTrue(r.out.contains("msn-a OK for msn again (was BLOCKED): drained, reroute to msn-b in force"), r.out);
        assertTrue(r.out.contains("webhook failed") && r.out.contains("HTTP 503"), r.out);
        List<WebhookSink.Request> failed = webhook.requests().stream().filter(q -> q.answered() == 503).toList();
        assertEquals(1, failed.size());
        String okKey = failed.get(0).idempotencyKey();
        Run status = cli("B", "watch", "--status");
        assertTrue(status.out.contains(okKey + " msn-a BLOCKED -> OK for msn: mail sent, syslog sent, webhook failed"),
                status.out);

        // The damped watcher saw BLOCKED waiting; now msn-a is OK again before its hold-down ended: nothing, ever.
        Run damped = cli("D", "watch", "--once", "--config", confDamped.toString(), "--since", since);
        assertEquals(0, damped.code, damped.toString());
        assertTrue(damped.out.contains("no change") && !damped.out.contains("waiting"), damped.out);

        webhook.status.set(200);
        Run retry = cli("B", "watch", "--once", "--config", confB.toString(), "--since", since);
        assertEquals(0, retry.code, retry.toString());
        assertTrue(retry.out.contains("webhook sent " + okKey + " (retry)"), retry.out);
        assertFalse(retry.out.contains("mail sent"), retry.out);
        Run quiet = cli("B", "watch", "--once", "--config", confB.toString(), "--since", since);
        assertTrue(quiet.out.contains("no change"), quiet.out);
        waitFor(() -> smtp.messages().size() >= 2, 90, "the second notice mail");
        Thread.sleep(3000);
        List<String> ids = smtp.messages().stream().map(m -> m.header("Message-ID")).toList();
        assertEquals(2, ids.size(), ids.toString());
        assertTrue(ids.get(1).startsWith("<mfshell-watch." + okKey + "@"), ids.toString());
        assertTrue(smtp.messages().get(1).data().contains("mfshell flush msn-a --restore"), smtp.messages().get(1).data());
        List<WebhookSink.Request> hooks = webhook.requests().stream().filter(q -> q.path().equals("/hook")).toList();
        assertEquals(List.of(blockKey, okKey), hooks.stream().filter(q -> q.answered() == 200)
                .map(WebhookSink.Request::idempotencyKey).toList());
        assertEquals(3, hooks.size(), "one refused attempt in all");
        assertEquals(0, webhook.requests().stream().filter(q -> q.path().equals("/damped")).count());
        assertEquals(1, syslogLines(okKey));
    }

    @Test
    @Order(5)
    void stateFileIsPrivateUnderUmask000() throws Exception {
        Path state = dir.resolve("state-U");
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "umask 000 && exec \"$@\"", "sh"));
        argv.addAll(MfshellProcess.javaCommand());
        argv.addAll(List.of("watch", "--once", "--config", confDamped.toString(), "--since", since));
        ExecResult r = new ProcessRunner().run(argv, java.time.Duration.ofMinutes(2), null,
                Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(), "MFSHELL_STATE_DIR", state.toString(),
                        "MFSHELL_AUDIT_LOG", dir.resolve("audit.log").toString()));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("watch/state.json"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("watch"))));
        try (Stream<Path> s = Files.list(state.resolve("watch"))) {
            assertEquals(List.of("state.json"), s.map(x -> x.getFileName().toString()).toList(), "no temp file left");
        }
    }

    @Test
    @Order(6)
    void theLoopStopsCleanlyOnSigterm() throws Exception {
        List<String> argv = new ArrayList<>(MfshellProcess.javaCommand());
        argv.addAll(List.of("watch", "--interval", "2s", "--config", confDamped.toString(), "--since", since));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().putAll(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_STATE_DIR", dir.resolve("state-L").toString(), "MFSHELL_AUDIT_LOG", dir.resolve("audit.log").toString()));
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(l).append('\n');
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        });
        reader.start();
        // Two runs recorded (the state file's last run changes), then SIGTERM.
        waitFor(() -> Files.exists(dir.resolve("state-L/watch/state.json")), 120, "the loop's first run");
        long first = JSON.readTree(dir.resolve("state-L/watch/state.json").toFile()).get("lastRunMs").asLong();
        waitFor(() -> {
            try {
                return JSON.readTree(dir.resolve("state-L/watch/state.json").toFile()).get("lastRunMs").asLong() > first;
            } catch (IOException e) {
                return false;
            }
        }, 120, "a second run of the loop");
        // SIGTERM through the handle: Process.destroy() would also close our end of its output.
        p.toHandle().destroy();
        assertTrue(p.waitFor(150, java.util.concurrent.TimeUnit.SECONDS), "the loop did not stop");
        reader.join(5000);
        String text;
        synchronized (out) {
            text = out.toString();
        }
        assertEquals(143, p.exitValue(), text);
        assertTrue(text.contains(" watch: every 2s, hold-down 3600s, channels webhook"), text);
        assertTrue(text.trim().endsWith("watch: stopped"), text);
        JSON.readTree(dir.resolve("state-L/watch/state.json").toFile());
    }

    private static void startSyslog() throws Exception {
        syslogFile = dir.resolve("syslog.log");
        syslogPid = dir.resolve("rsyslogd.pid");
        Path work = dir.resolve("rsyslog-work");
        Files.createDirectories(work);
        Path conf = dir.resolve("rsyslog.conf");
        Files.writeString(conf, "global(workDirectory=\"" + work + "\")\n"
                + "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                + "input(type=\"imuxsock\" Socket=\"" + dir.resolve("log.sock") + "\" CreatePath=\"on\" RateLimit.Interval=\"0\")\n"
                + "mail.*\t" + syslogFile + "\n");
        Rsyslogd rsyslogd = new Rsyslogd(new ProcessRunner());
        rsyslogd.check(conf);
        rsyslogd.start(conf, syslogPid);
        waitFor(() -> Files.exists(dir.resolve("log.sock")), 20, "rsyslogd's socket");
    }

    private static String syslog() {
        try {
            return Files.exists(syslogFile) ? Files.readString(syslogFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long syslogLines(String key) {
        return syslog().lines().filter(l -> l.contains("[id=" + key + "]")).count();
    }

    static void waitFor(BooleanSupplier ok, int seconds, String what) throws InterruptedException {
        for (int i = 0; i < seconds * 10; i++) {
            if (ok.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " within " + seconds + " s");
    }

    private static Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static String smtpHost() {
        return host("MFSHELL_TEST_WATCH_SMTP", "127.0.153.1:0");
    }

    private static int smtpPort() {
        return smtp.port();
    }

    private static String host(String env, String dflt) {
        String v = System.getenv().getOrDefault(env, dflt);
        return v.substring(0, v.lastIndexOf(':'));
    }

    private static int port(String env, String dflt) {
        String v = System.getenv().getOrDefault(env, dflt);
        return Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
    }

    /** Runs in-process with the state dir state-NAME. */
    static Run cli(String stateName, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
        AppContext ctx = new AppContext(lab.configRoot(), dir.resolve("state-" + stateName), dir.resolve("audit.log"),
                lab.root(), lab.mailLog(), new ProcessRunner());
        int code = new Cli(ctx, Commands.all()).run(args, io);
        return new Run(code, out.toString(), err.toString());
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
