package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.core.MfshellException;

/**
 * Typed access to {@code postconf -c DIR}: Postfix's own parser of main.cf and master.cf.
 * Errors: {@link MfshellException} with postconf's first stderr line when it fails.
 */
public final class Postconf {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ProcessRunner runner;

    public Postconf(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Effective values (defaults expanded by postconf) of the named main.cf parameters. */
    public Map<String, String> values(Path configDir, List<String> params) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", configDir.toString()));
        argv.addAll(params);
        return parseAssignments(check(runner.run(argv, TIMEOUT)).stdout());
    }

    /**
     * Values with {@code $name} references expanded ({@code postconf -c DIR -x NAME...}): what the
     * daemons use, e.g. smtp_helo_name's default {@code $myhostname} becomes the host name.
     */
    public Map<String, String> expandedValues(Path configDir, List<String> params) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", configDir.toString(), "-x"));
        argv.addAll(params);
        return parseAssignments(check(runner.run(argv, TIMEOUT)).stdout());
    }

    /** Parameters explicitly set in main.cf ({@code postconf -n}). */
    public Map<String, String> nonDefault(Path configDir) {
        return parseAssignments(check(runner.run(List.of("postconf", "-c", configDir.toString(), "-n"), TIMEOUT)).stdout());
    }

    /** master.cf {@code -o} overrides as {@code service/type/param -> value} ({@code postconf -P}). */
    public Map<String, String> masterOverrides(Path configDir) {
        return parseAssignments(check(runner.run(List.of("postconf", "-c", configDir.toString(), "-P"), TIMEOUT)).stdout());
    }

    /** master.cf services ({@code postconf -M}), one entry per service line. */
    public List<MasterService> services(Path configDir) {
        String out = check(runner.run(List.of("postconf", "-c", configDir.toString(), "-M"), TIMEOUT)).stdout();
        List<MasterService> services = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8) {
                services.add(new MasterService(f[0], f[1], f[7], overrides(f)));
            }
        }
        return services;
    }

    /** The {@code -o name=value} arguments of one master.cf line (also {@code -o { name = value }}). */
    private static Map<String, String> overrides(String[] f) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 8; i + 1 < f.length; i++) {
            if (!f[i].equals("-o")) {
                continue;
            }
            String arg = f[i + 1];
            if (arg.equals("{")) {
                StringBuilder sb = new StringBuilder();
                int j = i + 2;
                while (j < f.length && !f[j].equals("}")) {
                    sb.append(sb.length() == 0 ? "" : " ").append(f[j++]);
                }
                arg = sb.toString();
                i = j;
            } else if (arg.startsWith("{") && arg.endsWith("}")) {
                arg = arg.substring(1, arg.length() - 1);
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                o.put(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
            }
        }
        return o;
    }

    /** Edits main.cf through {@code postconf -e} (Postfix writes a temp file and renames it). */
    public void edit(Path configDir, Map<String, String> settings) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", configDir.toString(), "-e"));
        settings.forEach((k, v) -> argv.add(k + "=" + v));
        check(runner.run(argv, TIMEOUT));
    }

    /** Parses {@code name = value} lines; values may be empty. */
    static Map<String, String> parseAssignments(String out) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                map.put(line.substring(0, eq).trim(), line.substring(eq + 3).trim());
            } else if (line.endsWith(" =")) {
                map.put(line.substring(0, line.length() - 2).trim(), "");
            }
        }
        return map;
    }

    private static ExecResult check(ExecResult r) {
        if (!r.ok()) {
            throw new MfshellException("postconf failed: " + r.firstErrorLine());
        }
        return r;
    }

    /**
     * One master.cf service: name (e.g. {@code 127.0.0.2:25} or {@code smtp}), type, command, and
     * its {@code -o} overrides (e.g. {@code smtp_bind_address -> 216.66.15.4}).
     */
    public record MasterService(String name, String type, String command, Map<String, String> overrides) {
    }
}
