package org.mfshell.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.Ssh;

/**
 * The fleet file (/etc/mfshell/fleet, or the file MFSHELL_FLEET names): one ssh destination a line,
 * {@code #} comments, {@code [group]} lines starting a group. Resolves an {@code --on} value
 * ({@code all}, a group name, or HOST[,HOST...]) to hosts in the order given, each checked by
 * {@link Ssh#checkDestination}. Errors: {@link UsageException} for a bad host name, an empty list,
 * or {@code all}/a group without a fleet file; {@link MfshellException} when the file cannot be read.
 */
public final class FleetFile {
    public static final Path DEFAULT = Path.of("/etc/mfshell/fleet");

    private final List<String> all;
    private final Map<String, List<String>> groups;
    private final Path path;

    FleetFile(Path path, List<String> all, Map<String, List<String>> groups) {
        this.path = path;
        this.all = all;
        this.groups = groups;
    }

    public static Path path(Map<String, String> env) {
        String p = env.get("MFSHELL_FLEET");
        return p == null || p.isEmpty() ? DEFAULT : Path.of(p);
    }

    /** The file at {@code path}; an absent file is an empty fleet. */
    public static FleetFile read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new FleetFile(path, List.of(), Map.of());
        } catch (IOException e) {
            throw new MfshellException("cannot read the fleet file " + path + ": " + e.getMessage(), e);
        }
        return parse(path, lines);
    }

    static FleetFile parse(Path path, List<String> lines) {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        String group = null;
        int n = 0;
        for (String raw : lines) {
            n++;
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                group = line.substring(1, line.length() - 1).strip();
                groups.putIfAbsent(group, new ArrayList<>());
                continue;
            }
            try {
                Ssh.checkDestination(line);
            } catch (UsageException e) {
                throw new UsageException(path + " line " + n + ": " + e.getMessage().replaceFirst("^--on: ", ""));
            }
            all.add(line);
            if (group != null && !groups.get(group).contains(line)) {
                groups.get(group).add(line);
            }
        }
        return new FleetFile(path, new ArrayList<>(all), groups);
    }

    /** The hosts an {@code --on} value names, in the order given, without repeats. */
    public List<String> resolve(String on) {
        if (on.equals("all")) {
            if (all.isEmpty()) {
                throw new UsageException("--on all: no host in the fleet file " + path);
            }
            return all;
        }
        if (groups.containsKey(on)) {
            if (groups.get(on).isEmpty()) {
                throw new UsageException("--on " + Quote.quote(on) + ": that group of " + path + " has no host");
            }
            return groups.get(on);
        }
        LinkedHashSet<String> hosts = new LinkedHashSet<>();
        for (String h : on.split(",", -1)) {
            hosts.add(Ssh.checkDestination(h));
        }
        return new ArrayList<>(hosts);
    }
}
