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
 * Values are read as Postfix uses them: expanded ({@code -x}: {@code $config_directory},
 * {@code $myvar}, defaults), for main.cf and for master.cf's {@code -o} overrides alike.
 * Errors: {@link MfshellException} with postconf's first stderr line when it fails.
 */
public final class Postconf {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ProcessRunner runner;

    public Postconf(ProcessRunner runner) {
        this.runner = runner;
    }

    /**
     * Effective values of the named main.cf parameters, {@code $name} references expanded as
     * Postfix expands them ({@code postconf -x}). A {@code "-x"} among {@code params} is ignored.
     */
    public Map<String, String> values(Path configDir, List<String> params) {
        return parseAssignments(check(runner.run(valuesArgv(configDir, params), TIMEOUT)).stdout());
    }

    /**
     * Values as written, {@code $name} references left in ({@code postconf -c DIR NAME...}): for a
     * value a master.cf service's own {@code -o} overrides expand differently (smtp_helo_name's
     * {@code $myhostname} under {@code -o myhostname=}).
     */
    public Map<String, String> rawValues(Path configDir, List<String> params) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", configDir.toString()));
        argv.addAll(params);
        return parseAssignments(check(runner.run(argv, TIMEOUT)).stdout());
    }

    public static List<String> valuesArgv(Path configDir, List<String> params) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", configDir.toString(), "-x"));
        for (String p : params) {
            if (!p.equals("-x")) {
                argv.add(p);
            }
        }
        return argv;
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

    /** master.cf {@code -o} overrides, expanded, as {@code service/type/param -> value} ({@code postconf -P -x}). */
    public Map<String, String> masterOverrides(Path configDir) {
        return parseAssignments(check(runner.run(List.of("postconf", "-c", configDir.toString(), "-P", "-x"),
                TIMEOUT)).stdout());
    }

    /** master.cf services ({@code postconf -M -x}: {@code -o} values expanded), one entry per service line. */
    public List<MasterService> services(Path configDir) {
        return parseServices(check(runner.run(List.of("postconf", "-c", configDir.toString(), "-M", "-x"),
                TIMEOUT)).stdout());
    }

    /** Parses {@code postconf -M} output: one service per line, fields then the command's arguments. */
    static List<MasterService> parseServices(String out) {
        List<MasterService> services = new ArrayList<>();
        for (String line : out.split("\n")) {
            List<String> f = words(line);
            if (f.size() >= 8) {
                services.add(new MasterService(f.get(0), f.get(1), f.get(7), overrides(f)));
            }
        }
        return services;
    }

    /**
     * Splits a master.cf line on blanks, keeping a {@code {...}} group (master(5)'s way to put
     * blanks in an argument, which postconf prints as {@code {name=a b}}) as one word.
     */
    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i <= line.length(); i++) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            if (c == '{' && cur.length() == 0 && depth == 0) {
                depth = 1;
                cur.append(c);
                continue;
            }
            if (depth > 0) {
                cur.append(c);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                }
                if (i == line.length() && depth > 0) {
                    out.add(cur.toString().trim());
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        return out;
    }

    /** The {@code -o name=value} arguments of one master.cf line (also {@code -o {name = value}}). */
    private static Map<String, String> overrides(List<String> f) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 8; i + 1 < f.size(); i++) {
            if (!f.get(i).equals("-o")) {
                continue;
            }
            String arg = f.get(++i);
            if (arg.startsWith("{") && arg.endsWith("}")) {
                arg = arg.substring(1, arg.length() - 1);
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                o.put(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
            }
        }
        return o;
    }

    /**
     * One master.cf service entry as postconf prints it ({@code postconf -M smtp/unix}: the eight
     * columns and the command's arguments on one line), or null when there is no such service.
     */
    public String serviceLine(Path configDir, String nameSlashType) {
        String out = check(runner.run(List.of("postconf", "-c", configDir.toString(), "-M", nameSlashType), TIMEOUT)).stdout();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return null;
    }

    /** Edits main.cf through {@code postconf -e} (Postfix writes a temp file and renames it). */
    public void edit(Path configDir, Map<String, String> settings) {
        check(runner.run(editArgv(configDir, "-e", settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .toArray(String[]::new)), TIMEOUT));
    }

    /** One master.cf {@code -o} override as written, unexpanded ({@code postconf -Ph service/type/param}), or "". */
    public String override(Path configDir, String serviceTypeParam) {
        return check(runner.run(List.of("postconf", "-c", configDir.toString(), "-Ph", serviceTypeParam), TIMEOUT))
                .stdout().trim();
    }

    /** master.cf services as written, one line each ({@code postconf -M}, {@code -o} values unexpanded). */
    public List<String> serviceLines(Path configDir) {
        return check(runner.run(List.of("postconf", "-c", configDir.toString(), "-M"), TIMEOUT)).stdout().lines().toList();
    }

    /** Removes main.cf parameters ({@code postconf -X NAME...}). */
    public void remove(Path configDir, String... names) {
        check(runner.run(editArgv(configDir, "-X", names), TIMEOUT));
    }

    /** Sets master.cf fields ({@code postconf -F 'service/type/field = value'}, wildcards allowed). */
    public void editFields(Path configDir, String assignment) {
        check(runner.run(editArgv(configDir, "-F", assignment), TIMEOUT));
    }

    /** Adds or replaces a master.cf service ({@code postconf -M 'name/type = entry'}). */
    public void putService(Path configDir, String assignment) {
        check(runner.run(editArgv(configDir, "-M", assignment), TIMEOUT));
    }

    /** Removes master.cf services ({@code postconf -MX name/type}). */
    public void removeService(Path configDir, String nameSlashType) {
        check(runner.run(editArgv(configDir, "-MX", nameSlashType), TIMEOUT));
    }

    /** Removes a master.cf {@code -o} override ({@code postconf -PX service/type/param}). */
    public void removeOverride(Path configDir, String serviceTypeParam) {
        check(runner.run(editArgv(configDir, "-PX", serviceTypeParam), TIMEOUT));
    }

    /** {@code postconf -c DIR OPTION ARGS...}: the argv of every edit. */
    public static List<String> editArgv(Path configDir, String option, String... args) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", configDir.toString(), option));
        argv.addAll(List.of(args));
        return argv;
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
