package org.mfshell.instance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.Postqueue;
import org.mfshell.postfix.ProcessRunner;

/**
 * Discovers the Postfix instances under a config root: every {@code <root>/postfix-*} directory
 * holding a main.cf, every directory in {@code multi_instance_directories} of
 * {@code <root>/postfix/main.cf}, and the default instance {@code <root>/postfix} (named
 * {@code postfix}) when it has a main.cf. Values come from postconf; only the commented-out
 * transport_maps line is read from main.cf directly.
 *
 * <p>Errors: {@link UsageException} for an unknown instance (naming the known ones) and for a
 * config root that does not exist or holds no instance; bad directory names and unreadable
 * directories become {@link DiscoveryWarning}s and are never passed on.
 */
public final class InstanceRegistry {
    public static final List<String> QUEUES = List.of("maildrop", "incoming", "active", "deferred", "hold");
    private static final Pattern COMMENTED_TRANSPORT_MAPS = Pattern.compile("^\\s*#\\s*transport_maps\\s*=.*");

    private final Path configRoot;
    private final ProcessRunner runner;
    private final Postconf postconf;

    public InstanceRegistry(Path configRoot, ProcessRunner runner) {
        this.configRoot = configRoot;
        this.runner = runner;
        this.postconf = new Postconf(runner);
    }

    public Path configRoot() {
        return configRoot;
    }

    /** A candidate found on disk, before postconf is asked anything. */
    public record InstanceDir(String name, Path configDir) {
    }

    /** Result of a directory scan: usable instance directories plus what was skipped and why. */
    public record Scan(List<InstanceDir> dirs, List<DiscoveryWarning> warnings) {
    }

    /** Finds instance directories without running any program except, if present, postconf on the default main.cf. */
    public Scan scan() {
        if (!Files.isDirectory(configRoot)) {
            throw new UsageException("config root " + configRoot + " does not exist or is not a directory "
                    + "(set MFSHELL_CONFIG_ROOT or --config-root)");
        }
        Map<String, InstanceDir> found = new LinkedHashMap<>();
        List<DiscoveryWarning> warnings = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(configRoot, "postfix-*")) {
            ds.forEach(candidates::add);
        } catch (IOException e) {
            throw new MfshellException("cannot read config root " + configRoot + ": " + e.getMessage(), e);
        }
        Path defaultDir = configRoot.resolve("postfix");
        boolean hasDefault = Files.isRegularFile(defaultDir.resolve("main.cf"));
        if (hasDefault) {
            for (String dir : multiInstanceDirectories(defaultDir)) {
                candidates.add(Path.of(dir));
            }
        }
        candidates.sort(Comparator.comparing(Path::toString));
        for (Path dir : candidates) {
            String base = dir.getFileName() == null ? "" : dir.getFileName().toString();
            String name = base.startsWith("postfix-") ? base.substring("postfix-".length()) : base;
            if (!InstanceNames.isSane(name)) {
                warnings.add(new DiscoveryWarning(InstanceNames.printable(dir.toString()),
                        "not a valid instance name, ignored (letters, digits, '-', '_' and '.' only)"));
                continue;
            }
            if (!Files.isDirectory(dir)) {
                continue;
            }
            if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
                warnings.add(new DiscoveryWarning(dir.toString(), "directory not readable, ignored"));
                continue;
            }
            Path mainCf = dir.resolve("main.cf");
            if (!Files.isRegularFile(mainCf)) {
                continue;
            }
            if (!Files.isReadable(mainCf)) {
                warnings.add(new DiscoveryWarning(mainCf.toString(), "main.cf not readable, ignored"));
                continue;
            }
            if (found.containsKey(name) && !found.get(name).configDir().equals(dir)) {
                warnings.add(new DiscoveryWarning(dir.toString(), "instance name '" + name + "' already used by "
                        + found.get(name).configDir() + ", ignored"));
                continue;
            }
            found.put(name, new InstanceDir(name, dir));
        }
        if (hasDefault && !found.containsKey("postfix")) {
            found.put("postfix", new InstanceDir("postfix", defaultDir));
        }
        List<InstanceDir> dirs = new ArrayList<>(found.values());
        dirs.sort(Comparator.comparing(InstanceDir::name));
        return new Scan(dirs, warnings);
    }

    /** Instance names, sorted; cheap enough for TAB completion. */
    public List<String> names() {
        return scan().dirs().stream().map(InstanceDir::name).toList();
    }

    /** Every instance, fully described; throws if there is none. */
    public List<PostfixInstance> all() {
        Scan scan = scan();
        if (scan.dirs().isEmpty()) {
            throw new UsageException("no Postfix instance under " + configRoot
                    + " (looked for postfix-*/main.cf and postfix/main.cf)");
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, scan.dirs().size()));
        try {
            List<Future<PostfixInstance>> futures = new ArrayList<>();
            for (InstanceDir d : scan.dirs()) {
                futures.add(pool.submit(() -> describe(d)));
            }
            List<PostfixInstance> result = new ArrayList<>();
            for (Future<PostfixInstance> f : futures) {
                result.add(f.get());
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new MfshellException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The named instance's directory, validated; unknown names are a usage error listing the known ones. */
    public InstanceDir find(String name) {
        InstanceNames.require(name);
        Scan scan = scan();
        List<InstanceDir> dirs = scan.dirs();
        for (DiscoveryWarning w : scan.warnings()) {
            Path p = Path.of(w.path()).getFileName();
            if (p != null && (p.toString().equals("postfix-" + name) || p.toString().equals(name))
                    && dirs.stream().noneMatch(d -> d.name().equals(name))) {
                throw new MfshellException("instance '" + name + "' cannot be used: " + w);
            }
        }
        return dirs.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("unknown instance '" + name + "' (known: "
                        + String.join(", ", dirs.stream().map(InstanceDir::name).toList()) + ")"));
    }

    /** The named instance, fully described. */
    public PostfixInstance get(String name) {
        return describe(find(name));
    }

    /** Asks postconf about one instance and reads its queue and pid file. */
    public PostfixInstance describe(InstanceDir d) {
        Path dir = d.configDir();
        Map<String, String> v = postconf.values(dir, List.of("-x", "queue_directory", "syslog_name", "maillog_file",
                "smtp_bind_address", "inet_interfaces", "transport_maps", "mynetworks"));
        // One postconf -M gives both the inet listeners and the smtp service's -o overrides.
        List<Postconf.MasterService> services = postconf.services(dir);
        Path queueDir = Path.of(v.getOrDefault("queue_directory", "/var/spool/postfix"));
        String bind = services.stream().filter(s -> s.name().equals("smtp") && s.type().equals("unix"))
                .map(s -> s.overrides().get("smtp_bind_address")).filter(b -> b != null).findFirst().orElse(null);
        if (bind == null || bind.isBlank()) {
            bind = v.get("smtp_bind_address");
        }
        if (bind != null && bind.isBlank()) {
            bind = null;
        }
        List<String> listen = listenAddresses(services, v.getOrDefault("inet_interfaces", "all"));
        String tm = v.getOrDefault("transport_maps", "");
        TransportMapsState state = tm.isBlank()
                ? (hasCommentedTransportMaps(dir) ? TransportMapsState.COMMENTED : TransportMapsState.ABSENT)
                : TransportMapsState.ACTIVE;
        boolean reroute = state == TransportMapsState.ACTIVE && tm.contains("transport.relay");
        Long pid = masterPid(queueDir);
        String maillog = v.getOrDefault("maillog_file", "");
        List<String> mynetworks = Arrays.stream(v.getOrDefault("mynetworks", "").split("[\\s,]+"))
                .filter(s -> !s.isBlank()).toList();
        return new PostfixInstance(d.name(), dir, queueDir, v.getOrDefault("syslog_name", "postfix"), bind, listen,
                state, tm.isBlank() ? null : tm, reroute, maillog.isBlank() ? null : maillog, pid != null, pid,
                queueCounts(dir, queueDir), mynetworks);
    }

    private static List<String> listenAddresses(List<Postconf.MasterService> services, String inetInterfaces) {
        List<String> hosts = new ArrayList<>();
        for (String h : inetInterfaces.split("[\\s,]+")) {
            if (h.isBlank()) {
                continue;
            }
            hosts.add(switch (h) {
                case "all" -> "*";
                case "loopback-only" -> "127.0.0.1";
                default -> h;
            });
        }
        List<String> out = new ArrayList<>();
        for (Postconf.MasterService s : services) {
            if (!s.type().equals("inet")) {
                continue;
            }
            String name = s.name();
            int colon = name.lastIndexOf(':');
            if (colon > 0) {
                out.add(name);
            } else {
                for (String h : hosts) {
                    out.add(h + ":" + name);
                }
            }
        }
        return out;
    }

    private static boolean hasCommentedTransportMaps(Path dir) {
        try (Stream<String> lines = Files.lines(dir.resolve("main.cf"), StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(l -> COMMENTED_TRANSPORT_MAPS.matcher(l).matches());
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The master pid when {@code pid/master.pid} names a live {@code master} process, else null. */
    static Long masterPid(Path queueDir) {
        Path pidFile = queueDir.resolve("pid").resolve("master.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
            Path comm = Path.of("/proc", Long.toString(pid), "comm");
            if (Files.exists(comm) && Files.readString(comm).trim().equals("master")) {
                return pid;
            }
            return null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Counts queue files per queue by walking the queue directory (root can); when the queue is not
     * readable (not root), counts {@code postqueue -j} objects instead.
     */
    QueueCounts queueCounts(Path configDir, Path queueDir) {
        long[] n = new long[QUEUES.size()];
        try {
            for (int i = 0; i < QUEUES.size(); i++) {
                n[i] = countFiles(queueDir.resolve(QUEUES.get(i)));
            }
            return new QueueCounts(n[0], n[1], n[2], n[3], n[4]);
        } catch (AccessDeniedException e) {
            return countWithPostqueue(configDir);
        } catch (IOException e) {
            throw new MfshellException("cannot read queue " + queueDir + ": " + e.getMessage(), e);
        }
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        } catch (java.io.UncheckedIOException e) {
            // A file removed while walking (delivered mail) is not an error; access problems are.
            if (e.getCause() instanceof AccessDeniedException ade) {
                throw ade;
            }
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return countFiles(dir);
            }
            throw e.getCause();
        }
    }

    private QueueCounts countWithPostqueue(Path configDir) {
        long[] n = new long[QUEUES.size()];
        // The runner drains and closes postqueue's stdout itself: the parser must not close it.
        JsonFactory jf = new JsonFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
        new Postqueue(runner).streamJson(configDir, (InputStream in) -> {
            try (JsonParser p = jf.createParser(in)) {
                int depth = 0;
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        depth++;
                    } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                        depth--;
                    } else if (depth == 1 && t == JsonToken.FIELD_NAME && p.currentName().equals("queue_name")) {
                        p.nextToken();
                        int i = QUEUES.indexOf(p.getText());
                        if (i >= 0) {
                            n[i]++;
                        }
                    }
                }
            }
        });
        return new QueueCounts(n[0], n[1], n[2], n[3], n[4]);
    }

    private List<String> multiInstanceDirectories(Path defaultDir) {
        Map<String, String> v = postconf.values(defaultDir, List.of("-x", "multi_instance_directories"));
        String dirs = v.getOrDefault("multi_instance_directories", "");
        return Arrays.stream(dirs.split("[\\s,]+")).filter(s -> !s.isBlank()).toList();
    }
}
