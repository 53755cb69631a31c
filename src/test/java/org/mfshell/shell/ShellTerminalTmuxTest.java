package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;

/**
 * The interactive shell as an operator meets it, in real tmux panes on the lab: Ctrl-C stops
 * {@code stats --follow} and a long log scan and gives back a live prompt (the next command
 * answers, the shell never ends); {@code q} stops {@code --follow}; at 80 columns no line of
 * instances, mailq, mailq NAME, mailq NAME --summary, stats, health or help is wider than 80;
 * long output opens in less and {@code q} returns to the prompt; {@code | include} and
 * {@code | count} filter; a typo gets "did you mean".
 */
class ShellTerminalTmuxTest {
    // The shell writes its history into HOME/.config as it exits, which can be a moment after its
    // tmux session ended: these two are removed by deleteShellDirs, which waits for that.
    @TempDir(cleanup = CleanupMode.NEVER)
    Path home;
    @TempDir(cleanup = CleanupMode.NEVER)
    Path cwd;
    @TempDir
    Path tmp;

    @AfterEach
    void deleteShellDirs() throws Exception {
        for (Path dir : List.of(home, cwd)) {
            for (int attempt = 0; ; attempt++) {
                try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                    break;
                } catch (java.io.IOException e) {
                    if (attempt == 50) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    @Test
    void ctrlCAndQStopLongCommandsNotTheShell() throws Exception {
        Lab lab = LabFixture.shared();
        Path log = tmp.resolve("mail.log");
        Files.copy(StatsCommandTest.fixture("real-postfix/real-postfix.log"), log);
        Path big = bigGzipLog(tmp.resolve("big.log.gz"), 200L << 20);
        try (TmuxShell sh = new TmuxShell(home, cwd, 100, 40, Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()))) {
            sh.line("stats --follow --interval 1s --log " + log);
            sh.waitFor(s -> s.contains("(q to quit)") && s.contains("msn-a"), Duration.ofSeconds(60), "stats --follow");
            sh.keys("q");
            sh.proveLive();

            sh.line("clear");
            sh.waitFor(s -> !s.contains("(q to quit)"), Duration.ofSeconds(20), "a cleared screen");
            sh.line("stats --follow --interval 1s --log " + log);
            sh.waitFor(s -> s.contains("(q to quit)") && s.contains("msn-a"), Duration.ofSeconds(60), "stats --follow again");
            sh.keys("C-c");
            sh.proveLive();

            // A scan of 24 x 200 MB takes far longer than the wait below: Ctrl-C must cut it short.
            sh.line("clear");
            sh.waitFor(s -> !s.contains("(q to quit)"), Duration.ofSeconds(20), "a cleared screen");
            sh.line("stats" + (" --log " + big).repeat(24));
            sh.waitFor(s -> s.contains("scanning ["), Duration.ofSeconds(60), "the scan's progress bar");
            long t0 = System.nanoTime();
            sh.keys("C-c");
            String screen = sh.waitFor(s -> s.contains("mfshell: interrupted"), Duration.ofSeconds(15), "the scan to stop");
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos());
            assertFalse(screen.contains("INSTANCE"), "the scan did not run to its end:\n" + screen);
            assertFalse(screen.contains("scanning ["), "the progress bar is gone:\n" + screen);
            sh.proveLive();
            assertFalse(sh.scrollback().contains("MFSHELL-EXITED"), "the shell never ended");
        }
    }

    /** mailq --follow and instances --follow redraw in place and stop on q, Esc and Ctrl-C. */
    @Test
    void liveViewsRefreshAndStop() throws Exception {
        Lab lab = LabFixture.shared();
        try (TmuxShell sh = new TmuxShell(home, cwd, 80, 30, Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()))) {
            sh.line("mailq --follow --interval 1s");
            String first = sh.waitFor(s -> s.contains("mfshell mailq --follow") && s.contains("msn-a"),
                    Duration.ofSeconds(60), "mailq --follow");
            String clock = first.lines().filter(l -> l.contains("mfshell mailq --follow")).findFirst().orElseThrow();
            String again = sh.waitFor(s -> s.lines().anyMatch(l -> l.contains("mfshell mailq --follow") && !l.equals(clock)),
                    Duration.ofSeconds(30), "a second frame");
            assertEquals(1, again.lines().filter(l -> l.contains("mfshell mailq --follow")).count(),
                    "the frame is redrawn in place, not appended:\n" + again);
            sh.keys("q");
            sh.proveLive();
            sh.line("instances --follow");
            sh.waitFor(s -> s.contains("mfshell instances --follow") && s.contains("LISTEN"), Duration.ofSeconds(60),
                    "instances --follow");
            sh.keys("C-c");
            sh.proveLive();
            sh.line("mailq msn-a --follow");
            sh.waitFor(s -> s.contains("mfshell mailq msn-a --follow") && s.contains("DOMAIN"), Duration.ofSeconds(60),
                    "mailq msn-a --follow");
            sh.keys("Escape");
            sh.proveLive();
        }
    }

    @Test
    void outputFitsEightyColumns() throws Exception {
        LabFixture.seededOnce();
        Lab lab = LabFixture.shared();
        try (TmuxShell sh = new TmuxShell(home, cwd, 80, 50, Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_PAGER", "off"))) {
            List<String> commands = List.of("instances", "mailq", "mailq msn-a", "mailq msn-a --summary", "stats", "health",
                    "help", "help flush");
            for (String c : commands) {
                sh.line(c);
                sh.proveLive();
            }
            String all = sh.scrollback();
            for (String expected : List.of("LISTEN", "TOP DOMAIN", "Requests.", "Top deferral reasons", "INSTANCE",
                    "VERDICT", "COMMAND", "Options:")) {
                assertTrue(all.contains(expected), expected + " missing in:\n" + all);
            }
            List<String> wide = new ArrayList<>();
            for (String l : all.lines().toList()) {
                if (l.stripTrailing().length() > 80) {
                    wide.add(l.stripTrailing().length() + ": " + l);
                }
            }
            assertEquals(List.of(), wide, "lines wider than the 80-column pane");
        }
    }

    @Test
    void pagerFiltersAndDidYouMean() throws Exception {
        LabFixture.seededOnce();
        Lab lab = LabFixture.shared();
        try (TmuxShell sh = new TmuxShell(home, cwd, 80, 20, Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()))) {
            sh.line("mailq msn-a");
            String screen = sh.waitFor(s -> s.contains("Queue ID") && s.stripTrailing().endsWith(":"),
                    Duration.ofSeconds(60), "less showing the first page");
            assertFalse(screen.contains("Requests."), "only the first page is shown:\n" + screen);
            sh.keys("q");
            sh.proveLive();

            sh.line("clear");
            sh.line("instances | include msn");
            String out = sh.waitForScrollback(s -> s.contains("msn-b") && s.strip().endsWith(">"),
                    Duration.ofSeconds(60), "filtered instances");
            List<String> rows = between(out, "instances | include msn");
            assertEquals(2, rows.size(), String.join("\n", rows));
            assertTrue(rows.get(0).startsWith("msn-a") && rows.get(1).startsWith("msn-b"), String.join("\n", rows));

            sh.line("mailq msn-a | include ^[0-9A-F]+ | count");
            sh.waitForScrollback(s -> between(s, "| count").stream().anyMatch(l -> l.matches("\\d+")),
                    Duration.ofSeconds(60), "a count");
            long counted = Long.parseLong(between(sh.scrollback(), "| count").get(0));
            assertTrue(counted >= 1, "messages counted: " + counted);

            sh.line("mialq");
            sh.waitForScrollback(s -> s.contains("unknown command 'mialq'; did you mean mailq?"), Duration.ofSeconds(30),
                    "did you mean");
            sh.proveLive();
        }
    }

    /** The lines printed after the (last) command line containing {@code command}, up to the next prompt. */
    private static List<String> between(String all, String command) {
        List<String> lines = all.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("mfshell@") && lines.get(i).contains(command)) {
                start = i;
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = start + 1; start >= 0 && i < lines.size() && !lines.get(i).contains("mfshell@"); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(lines.get(i).strip());
            }
        }
        return out;
    }

    /** A gzip mail log of about {@code bytes} uncompressed: the lab fixture's lines over and over. */
    private static Path bigGzipLog(Path file, long bytes) throws Exception {
        byte[] block = Files.readAllBytes(StatsCommandTest.fixture("real-postfix/real-postfix.log"));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            byte[] chunk = new byte[block.length * Math.max(1, (1 << 20) / block.length)];
            for (int i = 0; i + block.length <= chunk.length; i += block.length) {
                System.arraycopy(block, 0, chunk, i, block.length);
            }
            for (long written = 0; written < bytes; written += chunk.length) {
                out.write(chunk);
            }
        }
        return file;
    }
}
