package org.mfshell.postfix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.core.MfshellException;

/**
 * Builds and reads hash: maps with the real {@code postmap}, always with the owning instance's
 * main.cf: {@code postmap -c DIR hash:FILE} (builds FILE.db), {@code postmap -c DIR -q - hash:FILE}
 * (keys on stdin, {@code key<TAB>value} out for those found) and {@code postmap -c DIR -s hash:FILE}
 * (every entry). Errors: {@link MfshellException} with postmap's first stderr line when it fails;
 * warnings on stderr are returned to the caller.
 */
public final class Postmap {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final ProcessRunner runner;

    public Postmap(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> argv(Path configDir, Path source) {
        return List.of("postmap", "-c", configDir.toString(), "hash:" + source);
    }

    /** The file postmap writes for a hash: map of {@code source}. */
    public static Path hashDb(Path source) {
        return source.resolveSibling(source.getFileName() + ".db");
    }

    /** Builds FILE.db; returns postmap's stderr lines (warnings about the source file). */
    public List<String> build(Path configDir, Path source) {
        ExecResult r = runner.run(argv(configDir, source), TIMEOUT);
        if (!r.ok()) {
            throw new MfshellException("postmap failed: " + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
        return lines(r.stderr());
    }

    /** Looks every key up in one {@code postmap -q -} run; keys that are not found are absent from the result. */
    public Map<String, String> query(Path configDir, Path source, List<String> keys) {
        byte[] in = (String.join("\n", keys) + "\n").getBytes(StandardCharsets.UTF_8);
        ExecResult r = runner.run(List.of("postmap", "-c", configDir.toString(), "-q", "-", "hash:" + source), TIMEOUT,
                in, Map.of());
        // Exit 1 means "some key not found"; anything else with stderr is a failure.
        if (r.timedOut() || (r.exitCode() != 0 && r.exitCode() != 1) || (r.exitCode() == 1 && !r.stderr().isBlank())) {
            throw new MfshellException("postmap -q failed: " + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
        return pairs(r.stdout());
    }

    /**
     * Looks every key up in one map given as Postfix names it ({@code hash:/etc/postfix/transport},
     * {@code lmdb:...}, {@code regexp:...}), in one {@code postmap -q -} run; keys not found are absent.
     */
    public Map<String, String> queryMap(Path configDir, String map, List<String> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        byte[] in = (String.join("\n", keys) + "\n").getBytes(StandardCharsets.UTF_8);
        ExecResult r = runner.run(List.of("postmap", "-c", configDir.toString(), "-q", "-", map), TIMEOUT, in, Map.of());
        if (r.timedOut() || (r.exitCode() != 0 && r.exitCode() != 1) || (r.exitCode() == 1 && !r.stderr().isBlank())) {
            throw new MfshellException("postmap -q - " + map + " failed: " + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
        return pairs(r.stdout());
    }

    /** Every entry of the map ({@code postmap -s}). */
    public Map<String, String> dump(Path configDir, Path source) {
        ExecResult r = runner.run(List.of("postmap", "-c", configDir.toString(), "-s", "hash:" + source), TIMEOUT);
        if (!r.ok()) {
            throw new MfshellException("postmap -s failed: " + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
        return pairs(r.stdout());
    }

    private static Map<String, String> pairs(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : out.split("\n")) {
            int tab = l.indexOf('\t');
            if (tab > 0) {
                m.put(l.substring(0, tab), l.substring(tab + 1));
            }
        }
        return m;
    }

    private static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }
}
