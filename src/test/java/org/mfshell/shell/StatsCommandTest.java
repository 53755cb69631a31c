package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;

/** The stats command in-process: each format, usage errors (exit 2, one line), warnings on stderr, --follow stopping on q. */
class StatsCommandTest {
    record Run(int code, String out, String err) {
    }

    static Path fixture(String name) throws Exception {
        return Path.of(StatsCommandTest.class.getResource("/stats/" + name).toURI());
    }

    static Run run(Path root, InputStream stdin, String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader(input)), false, false);
        List<MfCommand> cmds = new ArrayList<>(List.of(new StatsCommand(stdin)));
        AppContext ctx = AppContext.fromEnvironment(Map.of("MFSHELL_CONFIG_ROOT", root.toString()), null);
        int code = new Cli(ctx, cmds).run(List.of(args), io);
        return new Run(code, out.toString(), err.toString());
    }

    static Run run(Path root, String... args) {
        return run(root, InputStream.nullInputStream(), "", args);
    }

    @Test
    void mfFormatIsTheOldScriptsOutput(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "stats", "--format", "mf", "--log", fixture("classic-s1.log").toString());
        assertEquals(0, r.code());
        assertEquals(Files.readString(fixture("classic-s1.expected")), r.out());
        assertEquals("", r.err());
    }

    @Test
    void stdinWithDash(@TempDir Path tmp) throws Exception {
        byte[] log = Files.readAllBytes(fixture("rfc3339-s2.log"));
        Run r = run(tmp, new ByteArrayInputStream(log), "", "stats", "--format", "mf", "--log", "-");
        assertEquals(Files.readString(fixture("rfc3339-s2.expected")), r.out());
    }

    @Test
    void tableWithBarsAndNoColourWhenNotATerminal(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "stats", "--log", fixture("real-postfix/real-postfix.log").toString());
        assertEquals(0, r.code());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("INSTANCE +SENT +BOUNCED +DEFERRED +TOTAL +BOUNCE% +DEFER%"), lines[0]);
        // Instances are named as everywhere else (msn-a; the syslog name is in --format mf and JSON);
        // the bar's parts come in the columns' order: sent, bounced, deferred.
        assertTrue(lines[1].matches("msn-a +6 +1 +2 +9 +11\\.1 +22\\.2 +=+x+~+"), lines[1]);
        assertTrue(lines[2].startsWith("msn-b "), lines[2]);
        assertTrue(lines[3].matches("all +11 +2 +6 +19 +10\\.5 +31\\.6"), lines[3]);
        assertFalse(r.out().contains("\u001B["));
    }

    @Test
    void jsonForScripts(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "stats", "--json", "--by", "provider", "--log", fixture("real-postfix/real-postfix.log").toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("provider", j.get("by").asText());
        assertEquals("aol", j.get("rows").get(0).get("name").asText());
        assertEquals(4, j.get("rows").get(0).get("total").asLong());
        assertEquals(25.0, j.get("rows").get(0).get("bouncePercent").asDouble());
        assertEquals(0, j.get("unreadableLines").asLong());
    }

    @Test
    void unreadableLinesAreReportedOnStderrNotFatal(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, "stats", "--format", "mf", "--log", fixture("robustness.log").toString());
        assertEquals(0, r.code());
        assertEquals(Files.readString(fixture("robustness.expected")), r.out());
        assertTrue(r.err().startsWith("mfshell: warning: 3 line(s) look like deliveries but could not be read"), r.err());
    }

    @Test
    void badInputIsOneLineAndExit2(@TempDir Path tmp) throws Exception {
        String log = fixture("classic-s1.log").toString();
        for (String[] args : List.of(
                new String[] {"stats", "--since", "soon", "--log", log},
                new String[] {"stats", "--since", "2026-11-29", "--until", "2026-11-28", "--log", log},
                new String[] {"stats", "--format", "mf", "--json", "--log", log},
                new String[] {"stats", "--by", "country", "--log", log},
                new String[] {"stats", "--instance", "../etc", "--log", log},
                new String[] {"stats", "--log", tmp.resolve("nope.log").toString()},
                new String[] {"stats", "--follow", "--log", gzip(tmp).toString()})) {
            Run r = run(tmp, args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals("", r.out());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertTrue(r.err().startsWith("mfshell: "), r.err());
        }
    }

    /** A small gzip log: one that cannot grow, so --follow refuses it. */
    private static Path gzip(Path tmp) throws Exception {
        Path gz = tmp.resolve("mail.log.2.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(fixture("classic-s1.log")));
        }
        return gz;
    }

    @Test
    void instanceFilterTakesShortAndSyslogNames(@TempDir Path tmp) throws Exception {
        String log = fixture("real-postfix/real-postfix.log").toString();
        Run a = run(tmp, "stats", "--format", "mf", "--instance", "msn-b", "--log", log);
        Run b = run(tmp, "stats", "--format", "mf", "--instance", "postfix-msn-b", "--log", log);
        assertEquals("postfix-msn-b:total:10\npostfix-msn-b:bounced:1\npostfix-msn-b:deferred:4\npostfix-msn-b:sent:5\n", a.out());
        assertEquals(a.out(), b.out());
    }

    /** As mailq: an instance not on this machine is bad input naming the ones there are. */
    @Test
    void unknownInstanceIsExit2WithTheKnownOnes(@TempDir Path tmp) throws Exception {
        for (String n : List.of("msn-a", "msn-b")) {
            Files.createDirectories(tmp.resolve("postfix-" + n));
            Files.writeString(tmp.resolve("postfix-" + n).resolve("main.cf"), "");
        }
        String log = fixture("real-postfix/real-postfix.log").toString();
        Run r = run(tmp, "stats", "--instance", "nosuch", "--log", log);
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals("mfshell: stats: unknown instance 'nosuch' (known: msn-a, msn-b)\n", r.err());
        Run ok = run(tmp, "stats", "--format", "mf", "--instance", "postfix-msn-b", "--log", log);
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("postfix-msn-b:total:10\n"), ok.out());
    }

    /** --follow's NEW counts from the newest poll a minute old, not from the refresh before. */
    @Test
    void followsNewColumnSpansAMinute() {
        java.util.List<StatsCommand.Polled> window = new java.util.ArrayList<>();
        long second = 1_000_000_000L;
        java.util.List<Long> bases = new java.util.ArrayList<>();
        // A poll every 20 s; each report's sent count names the second it was taken at.
        for (long t = 0; t <= 100; t += 20) {
            org.mfshell.log.StatsReport r = new org.mfshell.log.StatsReport(org.mfshell.log.StatsQuery.By.INSTANCE,
                    java.util.List.of(new org.mfshell.log.StatsReport.Row("postfix-msn-a", t, 0, 0)), java.util.List.of(),
                    java.util.Map.of(), java.util.List.of(), null, null);
            window.add(new StatsCommand.Polled(t * second, r));
            bases.add(StatsCommand.base(window, t * second, java.time.Duration.ofMinutes(1)).rows().get(0).sent());
        }
        assertEquals(java.util.List.of(0L, 0L, 0L, 0L, 20L, 40L), bases);
        assertEquals(4, window.size(), "older polls are dropped");
    }

    @Test
    void followStopsOnQ(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        Files.copy(fixture("real-postfix/real-postfix.log"), log);
        Run r = run(tmp, InputStream.nullInputStream(), "q", "stats", "--follow", "--interval", "1s", "--log", log.toString());
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("mfshell stats --follow"), r.out());
        assertTrue(r.out().contains("msn-a "), r.out());
    }

    @Test
    void corruptGzipIsOneLineExit1(@TempDir Path tmp) throws Exception {
        Path gz = tmp.resolve("mail.log.2.gz");
        byte[] good = Files.readAllBytes(fixture("classic-s1.log"));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(good);
        }
        byte[] cut = java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() / 2);
        cut[cut.length / 2] ^= 0x55;
        Files.write(gz, cut);
        Run r = run(tmp, "stats", "--format", "mf", "--log", gz.toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains("mail.log.2.gz"), r.err());
    }
}
