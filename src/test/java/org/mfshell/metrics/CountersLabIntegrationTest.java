package org.mfshell.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * The delivery counters of {@code metrics} on the lab's real Postfix instances, whose logs keep
 * growing while the test runs (msn-a's blocked mail is retried): across a rename-and-new-file
 * rotation (aol-a) and Postfix's own {@code postfix logrotate} (rename and gzip, msn-a), no
 * counter goes down, aol-a's counters grow by exactly the lines appended, and every instance's
 * growth equals an independent count (the mf-stats rule, written with Strings and regexes) of
 * the bytes between the first and the last saved offsets. Also: deferral reasons keep 10 series
 * plus "other"; two concurrent scrapes (two processes) count each line once; the state file is
 * 0600 under umask 000; a damaged state file is refused and left as it was.
 */
class CountersLabIntegrationTest {
    private static Lab lab;
    private static int serial;

    @BeforeAll
    static void labUp() {
        lab = LabFixture.shared();
    }

    private static Path freshState(String name) throws Exception {
        Path dir = lab.root().resolve("counters-test-" + name);
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return dir;
    }

    private static MetricsLabIntegrationTest.Run metrics(Path state) {
        MetricsLabIntegrationTest.stateDir = state;
        MetricsLabIntegrationTest.lab = lab;
        return MetricsLabIntegrationTest.cli("metrics");
    }

    /** Series name{labels} to value for every mfshell_deliveries_total / mfshell_deferrals_total line. */
    private static Map<String, Long> counters(String text) {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^(mfshell_(?:deliveries|deferrals)_total\\{[^}]*\\}) ([0-9.eE+]+)$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), (long) Double.parseDouble(m.group(2)));
        }
        return out;
    }

    private static long sum(Map<String, Long> c, String metric, String instance, String status) {
        return c.entrySet().stream().filter(e -> e.getKey().startsWith(metric + "{")
                        && e.getKey().contains("instance=\"" + instance + "\"")
                        && (status == null || e.getKey().contains("status=\"" + status + "\"")))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static void neverDown(Map<String, Long> before, Map<String, Long> after) {
        before.forEach((k, v) -> {
            assertTrue(after.containsKey(k), "series " + k + " vanished");
            assertTrue(after.get(k) >= v, k + " went down: " + v + " -> " + after.get(k));
        });
    }

    /** Appends delivery lines of postfix-NAME/smtp to {@code log}: sent, deferred (one reason each), bounced. */
    private static void append(Path log, String instance, int sent, List<String> deferredReasons, int bounced)
            throws Exception {
        StringBuilder b = new StringBuilder();
        String tag = " relay-test postfix-" + instance + "/smtp[4242]: ";
        for (int i = 0; i < sent; i++) {
            b.append("Dec  2 10:00:00").append(tag).append("T").append(++serial)
                    .append(": to=<s").append(serial).append("@aol.com>, relay=mx.aol.com[10.9.9.9]:25, delay=1, "
                            + "dsn=2.0.0, status=sent (250 ok)\n");
        }
        for (String r : deferredReasons) {
            b.append("Dec  2 10:00:00").append(tag).append("T").append(++serial)
                    .append(": to=<d").append(serial).append("@aol.com>, relay=mx.aol.com[10.9.9.9]:25, delay=1, "
                            + "dsn=4.7.0, status=deferred (host mx.aol.com[10.9.9.9] said: 421 4.7.0 ").append(r)
                    .append(" (in reply to MAIL FROM command))\n");
        }
        for (int i = 0; i < bounced; i++) {
            b.append("Dec  2 10:00:00").append(tag).append("T").append(++serial)
                    .append(": to=<b").append(serial).append("@aol.com>, relay=mx.aol.com[10.9.9.9]:25, delay=1, "
                            + "dsn=5.1.1, status=bounced (host mx.aol.com[10.9.9.9] said: 550 5.1.1 no such user)\n");
        }
        Files.writeString(log, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The saved offsets, by source: the "mark" lines of the state file (paths here have no tab or backslash). */
    private static Map<String, Long> marks(Path state) throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (String line : Files.readAllLines(state.resolve("metrics/counters.state"))) {
            String[] f = line.split("\t");
            if (f[0].equals("mark")) {
                out.put(f[1], Long.parseLong(f[3]));
            }
        }
        return out;
    }

    private static byte[] bytes(Path p) throws Exception {
        if (p.getFileName().toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                return in.readAllBytes();
            }
        }
        return Files.readAllBytes(p);
    }

    /** The counting rule the slow, obvious way, over bytes: syslog name to {sent, deferred, bounced}. */
    static Map<String, long[]> oracle(byte[] bytes) {
        Map<String, long[]> n = new TreeMap<>();
        for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            if (!line.contains("status=")) {
                continue;
            }
            String[] f = line.strip().split("[ \t]+");
            boolean rfc = f.length > 0 && f[0].matches("^[0-9]{4}-.*");
            String tag = f.length > (rfc ? 2 : 4) ? f[rfc ? 2 : 4] : "";
            String m = f.length > (rfc ? 4 : 6) ? f[rfc ? 4 : 6] : "";
            int p = line.indexOf(" status=");
            if (!tag.matches(".*/smtp\\[[0-9]+\\]:") || !m.startsWith("to=") || p < 0) {
                continue;
            }
            String s = line.substring(p + 8, Math.min(line.length(), p + 17));
            int st = s.matches("^sent[ ,].*") || s.equals("sent") ? 0 : s.startsWith("deferred") ? 1
                    : s.startsWith("bounced") ? 2 : -1;
            if (st >= 0) {
                n.computeIfAbsent(tag.substring(0, tag.indexOf('/')), k -> new long[3])[st]++;
            }
        }
        return n;
    }

    private static byte[] range(byte[] b, long from, long to) {
        return java.util.Arrays.copyOfRange(b, (int) from, (int) to);
    }

    private static Set<Path> rotations(Path log) throws Exception {
        try (Stream<Path> s = Files.list(log.getParent())) {
            return new TreeSet<>(s.filter(p -> p.getFileName().toString().startsWith(log.getFileName() + ".")).toList());
        }
    }

    @Test
    void counterssurviveRotationsAndCountEachLineOnce() throws Exception {
        Path state = freshState("rotation");
        MetricsLabIntegrationTest.Run r0 = metrics(state);
        assertEquals(0, r0.code(), r0.toString());
        assertTrue(r0.out().contains("mfshell_counters_started_seconds "), r0.out());
        assertEquals(0, counters(r0.out()).values().stream().mapToLong(Long::longValue).sum(),
                "the first run starts at the logs' end: " + counters(r0.out()));
        Map<String, Long> m0 = marks(state);
        Path aol = lab.logFile("aol-a");
        Path msn = lab.logFile("msn-a");
        assertTrue(m0.containsKey(aol.toString()) && m0.containsKey(msn.toString()), m0.toString());

        append(aol, "aol-a", 3, List.of("[TSS04] too much mail", "[TSS04] too much mail"), 1);
        MetricsLabIntegrationTest.Run r1 = metrics(state);
        Map<String, Long> c1 = counters(r1.out());
        assertEquals(3, sum(c1, "mfshell_deliveries_total", "aol-a", "sent"), r1.out());
        assertEquals(2, sum(c1, "mfshell_deliveries_total", "aol-a", "deferred"), r1.out());
        assertEquals(1, sum(c1, "mfshell_deliveries_total", "aol-a", "bounced"), r1.out());
        assertEquals(2, sum(c1, "mfshell_deferrals_total", "aol-a", null), r1.out());
        assertTrue(r1.out().contains("mfshell_deliveries_total{instance=\"aol-a\",ip=\"" + lab.address("aol-a")
                + "\",provider=\"aol\",status=\"sent\"} 3.0"), r1.out());

        // logrotate's default: rename, more lines still reach the old file, then a new file.
        Path aolOld = aol.resolveSibling(aol.getFileName() + ".1");
        if (Files.exists(aolOld)) {
            Files.move(aolOld, aol.resolveSibling(aol.getFileName() + ".2"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(aol, aolOld);
        append(aolOld, "aol-a", 2, List.of(), 0);
        append(aol, "aol-a", 4, List.of("[TSS04] other words"), 0);
        // Postfix's own rotation of msn-a: renamed with a date suffix and gzipped, postlogd reopens.
        Set<Path> before = rotations(msn);
        ExecResult rot = new ProcessRunner().run(List.of("postfix", "-c", lab.configDir("msn-a").toString(),
                "logrotate"), Duration.ofMinutes(1));
        assertEquals(0, rot.exitCode(), rot.stderr());
        Set<Path> after = rotations(msn);
        after.removeAll(before);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (after.stream().noneMatch(p -> p.toString().endsWith(".gz")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            after = rotations(msn);
            after.removeAll(before);
        }
        String listing = rotations(msn).toString();
        Path msnOld = after.stream().filter(p -> p.toString().endsWith(".gz")).findFirst().orElseThrow(
                () -> new AssertionError("postfix logrotate made no .gz: " + listing));
        // Real mail to msn-a (blocked: deferred by the lab's provider), logged to the new file.
        lab.block("msn-a");
        sendTo("msn-a", 3);
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(msn) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(msn), "postlogd started no new " + msn);
        // The deferrals are logged when msn-a's smtp has tried them: wait for them to reach the new file.
        deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (Files.readString(msn, StandardCharsets.ISO_8859_1).lines().filter(l -> l.contains("/smtp[")
                && l.contains(" status=deferred")).count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        MetricsLabIntegrationTest.Run r2 = metrics(state);
        Map<String, Long> c2 = counters(r2.out());
        neverDown(c1, c2);
        assertEquals(3 + 2 + 4, sum(c2, "mfshell_deliveries_total", "aol-a", "sent"), r2.out());
        assertEquals(3, sum(c2, "mfshell_deliveries_total", "aol-a", "deferred"), r2.out());
        assertEquals(3, sum(c2, "mfshell_deferrals_total", "aol-a", null), r2.out());

        MetricsLabIntegrationTest.Run r3 = metrics(state);
        Map<String, Long> c3 = counters(r3.out());
        neverDown(c2, c3);
        assertEquals(c2.entrySet().stream().filter(e -> e.getKey().contains("aol-a")).toList(),
                c3.entrySet().stream().filter(e -> e.getKey().contains("aol-a")).toList(), "nothing counted twice");

        // The oracle over exactly the bytes between the first and the last saved offsets.
        Map<String, Long> m3 = marks(state);
        Map<String, long[]> expected = new TreeMap<>();
        for (String inst : Lab.INSTANCES) {
            Path log = lab.logFile(inst);
            long from = m0.get(log.toString());
            long to = m3.get(log.toString());
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            if (inst.equals("aol-a") || inst.equals("msn-a")) {
                byte[] old = bytes(inst.equals("aol-a") ? aolOld : msnOld);
                seen.writeBytes(range(old, from, old.length));
                seen.writeBytes(range(bytes(log), 0, to));
            } else {
                seen.writeBytes(range(bytes(log), from, to));
            }
            oracle(seen.toByteArray()).forEach((name, n) -> {
                if (name.equals("postfix-" + inst)) {
                    expected.put(inst, n);
                }
            });
            expected.putIfAbsent(inst, new long[3]);
            long[] got = {sum(c3, "mfshell_deliveries_total", inst, "sent"),
                    sum(c3, "mfshell_deliveries_total", inst, "deferred"),
                    sum(c3, "mfshell_deliveries_total", inst, "bounced")};
            assertArrayEquals(expected.get(inst), got, inst + ": counters vs the oracle over the same bytes");
            assertEquals(got[1], sum(c3, "mfshell_deferrals_total", inst, null), inst + ": deferrals by reason");
        }
        assertTrue(expected.get("msn-a")[1] > 0, "msn-a's retries were counted across postfix logrotate");
        ExecResult lint = new ProcessRunner().run(List.of("promtool", "check", "metrics"), Duration.ofSeconds(30),
                r3.out().getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(0, lint.exitCode(), lint.stdout() + lint.stderr());
        assertEquals("", lint.stdout().strip() + lint.stderr().strip(), "promtool lint findings");
    }

    /** {@code n} messages to hotmail.com recipients through the instance's smtpd, by plain SMTP. */
    private static void sendTo(String instance, int n) throws Exception {
        try (java.net.Socket sock = new java.net.Socket(lab.address(instance), 25,
                java.net.InetAddress.getByName(lab.clientAddress()), 0)) {
            sock.setSoTimeout(30_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(sock.getInputStream(), StandardCharsets.US_ASCII));
            var out = sock.getOutputStream();
            java.util.function.Function<String, String> say = cmd -> {
                try {
                    if (cmd != null) {
                        out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    String line;
                    do {
                        line = in.readLine();
                    } while (line != null && line.length() > 3 && line.charAt(3) == '-');
                    return line;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            assertTrue(say.apply(null).startsWith("220"));
            assertTrue(say.apply("HELO bulk.lab.invalid").startsWith("250"));
            for (int i = 0; i < n; i++) {
                assertTrue(say.apply("MAIL FROM:<counters@bulk.lab.invalid>").startsWith("250"));
                String rcpt = say.apply("RCPT TO:<counters" + (++serial) + "@hotmail.com>");
                assertTrue(rcpt.startsWith("250"), rcpt);
                assertTrue(say.apply("DATA").startsWith("354"));
                String done = say.apply("Subject: counters test\r\nMessage-ID: <counters." + serial
                        + "@bulk.lab.invalid>\r\n\r\ncounters test\r\n.");
                assertTrue(done.startsWith("250"), done);
            }
            say.apply("QUIT");
        }
    }

    @Test
    void reasonsKeepTenSeriesThenOther() throws Exception {
        Path state = freshState("reasons");
        assertEquals(0, metrics(state).code());
        Path log = lab.logFile("therest-a");
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            reasons.add("reason" + (char) ('a' + i) + " words");
        }
        append(log, "therest-a", 0, reasons, 0);
        String out = metrics(state).out();
        Map<String, Long> c = counters(out);
        long series = c.keySet().stream().filter(k -> k.startsWith("mfshell_deferrals_total{instance=\"therest-a\"")).count();
        assertEquals(11, series, out);
        assertTrue(out.contains("mfshell_deferrals_total{instance=\"therest-a\",ip=\"" + lab.address("therest-a")
                + "\",reason=\"other\"} 4.0"), out);
        // a reason that has its own series keeps it; a new one goes to other
        append(log, "therest-a", 0, List.of(reasons.get(0), "reasonz words"), 0);
        Map<String, Long> c2 = counters(metrics(state).out());
        assertEquals(11, c2.keySet().stream().filter(k -> k.startsWith("mfshell_deferrals_total{instance=\"therest-a\"")).count());
        assertEquals(5, c2.get("mfshell_deferrals_total{instance=\"therest-a\",ip=\"" + lab.address("therest-a")
                + "\",reason=\"other\"}"));
        assertEquals(16, sum(c2, "mfshell_deferrals_total", "therest-a", null));
    }

    private static ExecResult child(Path state, String umask) {
        List<String> prefix = List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "sh");
        Map<String, String> env = Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(), "MFSHELL_STATE_DIR",
                state.toString(), "MFSHELL_AUDIT_LOG", lab.root().resolve("counters-test-audit.log").toString(),
                "MFSHELL_MAIL_LOG", lab.mailLog().toString(), "MFSHELL_LAB_ROOT", lab.root().toString());
        return MfshellProcess.run(prefix, env, null, "metrics");
    }

    @Test
    void concurrentScrapesCountEachLineOnceAndTheStateIsPrivateUnderUmask000() throws Exception {
        Path state = freshState("concurrent");
        ExecResult first = child(state, "000");
        assertEquals(0, first.exitCode(), first.stderr());
        Path file = state.resolve("metrics/counters.state");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        Path log = lab.logFile("earthlink-a");
        for (int round = 0; round < 3; round++) {
            append(log, "earthlink-a", 50, List.of("busy"), 0);
            CompletableFuture<ExecResult> a = CompletableFuture.supplyAsync(() -> child(state, "000"));
            CompletableFuture<ExecResult> b = CompletableFuture.supplyAsync(() -> child(state, "000"));
            ExecResult ra = a.get();
            ExecResult rb = b.get();
            assertEquals(0, ra.exitCode(), ra.stderr());
            assertEquals(0, rb.exitCode(), rb.stderr());
            long sa = sum(counters(ra.stdout()), "mfshell_deliveries_total", "earthlink-a", "sent");
            long sb = sum(counters(rb.stdout()), "mfshell_deliveries_total", "earthlink-a", "sent");
            assertEquals(50L * (round + 1), Math.max(sa, sb), "one of the two counted the round, once");
            assertTrue(Math.min(sa, sb) == 50L * round || Math.min(sa, sb) == 50L * (round + 1), sa + " " + sb);
        }
        ExecResult last = child(state, "000");
        assertEquals(150, sum(counters(last.stdout()), "mfshell_deliveries_total", "earthlink-a", "sent"));
        assertEquals(3, sum(counters(last.stdout()), "mfshell_deferrals_total", "earthlink-a", null));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(Set.of("counters.state", "counters.lock"),
                    new TreeSet<>(s.map(p -> p.getFileName().toString()).toList()), "no temporary file left");
        }
    }

    @Test
    void aDamagedStateFileIsRefusedAndLeftAsItWas() throws Exception {
        Path state = freshState("damaged");
        assertEquals(0, metrics(state).code());
        Path file = state.resolve("metrics/counters.state");
        byte[] whole = Files.readAllBytes(file);
        // cut short after its first lines, as by a full disk under a writer that did not rename
        byte[] damaged = java.util.Arrays.copyOf(whole, new String(whole, StandardCharsets.UTF_8).indexOf("mark\t") + 20);
        Files.write(file, damaged);
        append(lab.logFile("aol-a"), "aol-a", 1, List.of(), 0);
        MetricsLabIntegrationTest.Run r = metrics(state);
        assertEquals(0, r.code(), "the other metrics are still given: " + r);
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("counters.state is damaged") && r.err().contains("mv "), r.err());
        assertFalse(r.out().contains("mfshell_deliveries_total"), r.out());
        assertTrue(r.out().contains("mfshell_scrape_errors 1.0"), r.out());
        assertArrayEquals(damaged, Files.readAllBytes(file), "left for the operator");
        // A symbolic link in its place is refused too, and not followed.
        Path elsewhere = state.resolve("elsewhere.json");
        Files.delete(file);
        Files.writeString(elsewhere, "{}");
        Files.createSymbolicLink(file, elsewhere);
        MetricsLabIntegrationTest.Run link = metrics(state);
        assertTrue(link.err().contains("symbolic link"), link.err());
        assertEquals("{}", Files.readString(elsewhere));
        assertTrue(Files.isSymbolicLink(file));
    }
}
