package org.mfshell.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Postqueue;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.shell.Commands;

/**
 * {@code metrics} on the lab, checked by Debian's Prometheus: promtool accepts the output and the
 * shipped alerting rules, {@code --textfile} writes mfshell.prom (0644, nothing else left), and a
 * real Prometheus on 127.0.102.1 scrapes the output from a loopback endpoint (127.0.102.2) and
 * answers a query for msn-a's queue with the lab's numbers. Without prometheus/promtool the test
 * fails under CI=true (setup-debian.sh installs Debian's prometheus) and skips visibly elsewhere.
 */
class MetricsLabIntegrationTest {
    static final String PROM_ADDR = System.getenv().getOrDefault("MFSHELL_TEST_PROMETHEUS_ADDR", "127.0.102.1");
    static final String ENDPOINT_ADDR = System.getenv().getOrDefault("MFSHELL_TEST_METRICS_ADDR", "127.0.102.2");
    static Lab lab;
    static Path stateDir;

    record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void seededLab() {
        requireProgram("/usr/bin/promtool");
        requireProgram("/usr/bin/prometheus");
        lab = LabFixture.shared();
        // A seed of its own: an earlier test may have drained msn-a's blocked mail to msn-b.
        lab.purgeQueues();
        // Blocked as the lab starts: an earlier test may have unblocked it.
        lab.block("msn-a");
        lab.seed();
        stateDir = lab.root().resolve("metrics-test-state");
    }

    @Test
    void promtoolAcceptsTheOutputAndTheShippedRules() {
        Run r = cli("metrics");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("mfshell_verdict{instance=\"msn-a\",ip=\"" + lab.address("msn-a")
                + "\",provider=\"msn\"} 2.0"), r.out);
        assertTrue(r.out.contains("mfshell_scrape_errors 0.0"), r.out);
        ExecResult check = new ProcessRunner().run(List.of("promtool", "check", "metrics"), Duration.ofSeconds(30),
                r.out.getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertEquals("", check.stdout().strip() + check.stderr().strip(), "promtool lint findings");
        ExecResult rules = new ProcessRunner().run(List.of("promtool", "check", "rules",
                "packaging/monitoring/mfshell-alerts.yml"), Duration.ofSeconds(30));
        assertEquals(0, rules.exitCode(), rules.stdout() + rules.stderr());
        assertTrue(rules.stdout().contains("SUCCESS: 5 rules found"), rules.stdout());
    }

    @Test
    void textfileIsWrittenWhole(@TempDir Path dir) throws IOException {
        Run r = cli("metrics", "--textfile", dir.toString());
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.out);
        Path prom = dir.resolve("mfshell.prom");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(prom)));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(prom), s.toList(), "no temporary file left");
        }
        String text = Files.readString(prom);
        assertTrue(text.contains("# TYPE mfshell_queue_messages gauge") && text.endsWith("\n"), text);
        Run missing = cli("metrics", "--textfile", dir.resolve("nope").toString());
        assertEquals(2, missing.code, missing.toString());
        assertTrue(missing.err.contains("no such directory"), missing.err);
    }

    @Test
    void prometheusScrapesTheLabsNumbers(@TempDir Path dir) throws Exception {
        String text;
        long labQueue;
        for (int attempt = 0; ; attempt++) {
            long before = msnAQueue();
            Run r = cli("metrics");
            long after = msnAQueue();
            assertEquals(0, r.code, r.toString());
            text = r.out;
            labQueue = before;
            // Retries move msn-a's mail between active and deferred; its total holds still unless mail leaves.
            if (before == after || attempt == 5) {
                assertEquals(before, after, "msn-a's queue kept changing");
                break;
            }
        }
        assertTrue(labQueue >= 4, "the seed leaves msn-a blocked mail: " + labQueue);
        long deferredInText = value(text, "mfshell_queue_messages\\{instance=\"msn-a\",ip=\"[^\"]+\",queue=\"deferred\"\\}");
        long activeInText = value(text, "mfshell_queue_messages\\{instance=\"msn-a\",ip=\"[^\"]+\",queue=\"active\"\\}");
        assertEquals(labQueue, deferredInText + activeInText, text);

        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(ENDPOINT_ADDR, 0), 0);
        server.createContext("/metrics", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
        Process prometheus = null;
        try {
            int port = server.getAddress().getPort();
            Path config = dir.resolve("prometheus.yml");
            // honor_labels: mfshell's own instance label (the Postfix instance) is kept, not renamed exported_instance.
            Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    + "scrape_configs:\n  - job_name: mfshell\n    honor_labels: true\n    static_configs:\n      - targets: ['"
                    + ENDPOINT_ADDR + ":" + port + "']\n");
            int promPort = freePort();
            prometheus = new ProcessBuilder("/usr/bin/prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=" + PROM_ADDR + ":" + promPort,
                    "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            String query = "mfshell_queue_messages{instance=\"msn-a\",queue=\"deferred\"}";
            JsonNode result = null;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                if (!prometheus.isAlive()) {
                    fail("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
                }
                try {
                    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://" + PROM_ADDR + ":"
                            + promPort + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    if (resp.statusCode() == 200) {
                        JsonNode res = new ObjectMapper().readTree(resp.body()).path("data").path("result");
                        if (res.size() > 0) {
                            result = res;
                            break;
                        }
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(500);
            }
            assertTrue(result != null, "no answer from prometheus within 90 s: "
                    + Files.readString(dir.resolve("prometheus.log")));
            assertEquals(1, result.size(), result.toString());
            JsonNode series = result.get(0);
            assertEquals("msn-a", series.path("metric").path("instance").asText(), series.toString());
            assertEquals(lab.address("msn-a"), series.path("metric").path("ip").asText(), series.toString());
            assertEquals(deferredInText, Long.parseLong(series.path("value").get(1).asText()), series.toString());
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor();
                }
            }
            server.stop(0);
        }
    }

    private static long value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\d+)\\.0$").matcher(text);
        assertTrue(m.find(), series + " in " + text);
        long v = Long.parseLong(m.group(1));
        assertFalse(m.find(), "one series");
        return v;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(PROM_ADDR))) {
            return s.getLocalPort();
        }
    }

    private static long msnAQueue() {
        return new Postqueue(new ProcessRunner()).messages(lab.configDir("msn-a")).size();
    }

    private static void requireProgram(String path) {
        if (Files.isExecutable(Path.of(path))) {
            return;
        }
        String msg = path + " is missing (Debian's prometheus package; scripts/setup-debian.sh installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg + " (CI=true: this test must run)");
        }
        System.err.println("SKIPPED: " + msg);
        org.junit.jupiter.api.Assumptions.abort(msg);
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
        AppContext ctx = new AppContext(lab.configRoot(), stateDir, lab.root().resolve("metrics-test-audit.log"),
                lab.root(), lab.mailLog(), new ProcessRunner());
        int code = new Cli(ctx, Commands.all()).run(args, io);
        return new Run(code, out.toString(), err.toString());
    }
}
