package org.mfshell.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package graph of src/main/java has no upward arrow. Layers, lowest first; a package may use
 * only packages of a lower layer (and itself):
 * <pre>
 *   0  core                            errors, exit codes, durations, quoting: imports nothing of mfshell
 *   1  postfix  fs  mail  provider     programs and their argv, files, mail rules, provider groups
 *   2  instance                        discovery, master pid, queue counts
 *   3  queue  log  relay               queue reading and actions, mail logs, the relay map
 *   4  flush  health                   the guided reroute, verdicts
 *   5  warmup  lab  check  fleet       IP warm-up, the rehearsal lab, the monitoring check, --on over ssh
 *   6  dns  metrics  watch  (org.mfshell)  DNS checks (they use warmup), Prometheus metrics and watch's
 *                                      notices (they use check);
 *                                      AppContext, the composition root
 *   7  cli  shell                      the command layer (shell may use cli, not the other way), and Main
 * </pre>
 * cli's MfCommand and Cli take the AppContext, which is the composition root one layer below the
 * commands, not a service: no service imports cli or shell, so that is not a loop. A "use" is an
 * import or a fully qualified name in code (comments and strings are left out). Also: nothing
 * below the command layer writes to System.out or System.err, and outside postfix/ nothing runs a
 * program itself (runner.run / runner.stream); shell/TerminalMode's stty is the one exception
 * left, until the terminal is switched to JLine's own attributes.
 */
class PackageGraphTest {
    private static final Path SRC = Path.of("src/main/java/org/mfshell");
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("core", 0),
            Map.entry("postfix", 1), Map.entry("fs", 1), Map.entry("mail", 1), Map.entry("provider", 1),
            Map.entry("instance", 2),
            Map.entry("queue", 3), Map.entry("log", 3), Map.entry("relay", 3),
            Map.entry("flush", 4), Map.entry("health", 4),
            Map.entry("warmup", 5), Map.entry("lab", 5), Map.entry("check", 5), Map.entry("fleet", 5),
            Map.entry("dns", 6), Map.entry("metrics", 6), Map.entry("watch", 6),
            Map.entry("", 6),
            Map.entry("cli", 7), Map.entry("shell", 7));
    private static final Pattern USE = Pattern.compile("\\borg\\.mfshell\\.([a-z]+)\\.|\\borg\\.mfshell\\.([A-Z]\\w*)");
    private static final Set<String> RUNS_PROGRAMS_OUTSIDE_POSTFIX = Set.of("shell/TerminalMode.java");

    @Test
    void noPackageUsesAHigherOrEqualLayer() throws IOException {
        List<String> upward = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Path f : sources()) {
            String pkg = packageOf(f);
            if (f.getFileName().toString().equals("Main.java") && pkg.isEmpty()) {
                continue; // the entry point sits on top of everything
            }
            seen.add(pkg);
            assertTrue(LAYER.containsKey(pkg), "package " + pkg + " has no layer: add it to this test's table");
            Matcher m = USE.matcher(code(f));
            while (m.find()) {
                String used = m.group(1) != null ? m.group(1) : "";
                if (used.equals(pkg) || (pkg.equals("shell") && used.equals("cli"))) {
                    continue;
                }
                Integer to = LAYER.get(used);
                if (to == null || to >= LAYER.get(pkg)) {
                    upward.add(SRC.relativize(f) + " (" + name(pkg) + ", layer " + LAYER.get(pkg) + ") uses "
                            + name(used) + (to == null ? " (no layer)" : " (layer " + to + ")"));
                }
            }
        }
        assertEquals(List.of(), upward.stream().distinct().toList());
        assertTrue(seen.containsAll(List.of("core", "postfix", "flush", "shell", "cli")), "scanned " + seen);
    }

    @Test
    void nothingBelowTheCommandLayerPrints() throws IOException {
        List<String> printing = new ArrayList<>();
        for (Path f : sources()) {
            String pkg = packageOf(f);
            if (LAYER.getOrDefault(pkg, 7) < 7 && !f.getFileName().toString().equals("Main.java")
                    && code(f).matches("(?s).*\\bSystem\\s*\\.\\s*(out|err)\\b.*")) {
                printing.add(SRC.relativize(f).toString());
            }
        }
        assertEquals(List.of(), printing);
    }

    @Test
    void onlyPostfixRunsPrograms() throws IOException {
        List<String> running = new ArrayList<>();
        for (Path f : sources()) {
            String rel = SRC.relativize(f).toString();
            if (rel.startsWith("postfix/") || RUNS_PROGRAMS_OUTSIDE_POSTFIX.contains(rel)) {
                continue;
            }
            String c = code(f);
            if (c.contains("ProcessRunner") && c.matches("(?s).*\\b(runner(\\(\\))?)\\s*\\.\\s*(run|stream)\\s*\\(.*")) {
                running.add(rel);
            }
            if (c.matches("(?s).*\\bnew\\s+ProcessBuilder\\b.*|.*Runtime\\.getRuntime\\(\\)\\s*\\.\\s*exec\\b.*")) {
                running.add(rel + " (starts a process itself)");
            }
        }
        assertEquals(List.of(), running);
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(SRC)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path f) {
        Path rel = SRC.relativize(f).getParent();
        return rel == null ? "" : rel.getName(0).toString();
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "org.mfshell (AppContext)" : pkg;
    }

    /** The file without comments and string literals. */
    static String code(Path f) throws IOException {
        String s = Files.readString(f, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? s.length() : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
