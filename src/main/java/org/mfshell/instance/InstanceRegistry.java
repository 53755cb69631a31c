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
import java.util.Collections;
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
import org.mfshell.postfix.ProgramMissingException;
import org.mfshell.postfix.ProcessRunner;

/**
 * Discovers the Postfix instances under a config root: every {@code <root>/postfix-*} directory
 * holding a main.cf, every directory in {@code multi_instance_directories} of
 * {@code <root>/postfix/main.cf}, and the default instance {@code <root>/postfix} (named
 * {@code postfix}) when it has a main.cf. Values come from postconf, expanded as Postfix expands
 * them ({@code postconf -x}, {@code postconf -M -x}); only the commented-out transport_maps line
 * is read from main.cf directly.
 *
 * <p>An instance is identified by its real config directory (symlinks resolved). A symlinked
 * directory that leads to another discovered instance is an alias of it: not listed on its own,
 * but {@link #find} by the alias name gives the real instance. When running as root, a directory
 * that someone other than root could change (its real directory, main.cf or master.cf not owned
 * by root or writable by group or others, or a parent directory another user could rename or
 * replace it in) is refused with a {@link DiscoveryWarning}: root would otherwise run that
 * user's postfix-script ({@code daemon_directory} comes from main.cf) on reload or start.
 *
 * <p>Errors: {@link UsageException} for an unknown instance (naming the known ones) and for a
 * config root that does not exist or holds no instance; bad directory names, unreadable and
 * untrusted directories become {@link DiscoveryWarning}s and are never passed on. An instance
 * whose configuration postconf cannot read is described with state {@link InstanceState#ERROR}
 * rather than failing the others; {@link #get} on it throws {@link MfshellException}.
 *
 * <p>Size: about 500 lines because discovery's three sources, the trust check on each directory
 * and the alias resolution must agree on one list; the small rules are apart ({@link TrustCheck},
 * {@link MasterServiceDisable}, {@link MapRef}, {@link MasterPid}, {@link QueueCounts}).
 */
public final class InstanceRegistry {
    public static final List<String> QUEUES = QueueCounts.QUEUES;
    private static final Pattern COMMENTED_TRANSPORT_MAPS = Pattern.compile("^\\s*#\\s*transport_maps\\s*=.*");
    /** Every main.cf parameter discovery (and its users) need: one postconf call per instance. */
    static final List<String> PARAMS = List.of("queue_directory", "syslog_name", "maillog_file",
            "smtp_bind_address", "inet_interfaces", "proxy_interfaces", "transport_maps", "mynetworks",
            "myhostname", "smtp_helo_name", "master_service_disable", "multi_instance_enable",
            "multi_instance_name", "multi_instance_directories");
    private static final int POOL = 4;

    private final Path configRoot;
    private final ProcessRunner runner;
    private final Postconf postconf;
    private final boolean checkOwners;
    private final DiscoveryCache cache;

    /** A registry that asks postconf every time (what write commands use). */
    public InstanceRegistry(Path configRoot, ProcessRunner runner) {
        this(configRoot, runner, runningAsRoot(), null);
    }

    /** A registry that reuses postconf's answers from {@code cache} (may be null) while its key holds: read-only use. */
    public InstanceRegistry(Path configRoot, ProcessRunner runner, DiscoveryCache cache) {
        this(configRoot, runner, runningAsRoot(), cache);
    }

    /** {@code checkOwners}: refuse directories other users could change (what a root process must do). */
    InstanceRegistry(Path configRoot, ProcessRunner runner, boolean checkOwners) {
        this(configRoot, runner, checkOwners, null);
    }

    InstanceRegistry(Path configRoot, ProcessRunner runner, boolean checkOwners, DiscoveryCache cache) {
        this.configRoot = configRoot;
        this.runner = runner;
        this.postconf = new Postconf(runner);
        this.checkOwners = checkOwners;
        this.cache = cache != null && cache.disabledReason() == null ? cache : null;
    }

    public Path configRoot() {
        return configRoot;
    }

    /**
     * A candidate found on disk, before postconf is asked anything.
     *
     * @param realConfigDir {@code configDir} with symlinks resolved: the instance's identity
     * @param postmulti     listed in the default instance's multi_instance_directories
     * @param aliases       names of symlinked dirs that lead to this same directory
     */
    public record InstanceDir(String name, Path configDir, Path realConfigDir, boolean postmulti,
                              List<String> aliases) {
        /** Stable identity: the real config directory. */
        public String id() {
            return realConfigDir.toString();
        }
    }

    /**
     * Result of a directory scan: usable instance directories, what was skipped and why, and the
     * alias names (symlinked dirs) with the instance each leads to.
     */
    public record Scan(List<InstanceDir> dirs, List<DiscoveryWarning> warnings, Map<String, String> aliases) {
    }

    /** Every instance described, plus the scan's warnings (one directory scan). */
    public record Discovery(List<PostfixInstance> instances, List<DiscoveryWarning> warnings) {
        /** The instances postconf could not read. */
        public List<PostfixInstance> broken() {
            return instances.stream().filter(i -> i.state() == InstanceState.ERROR).toList();
        }
    }

    private record Candidate(String name, Path dir, Path real, boolean symlink, boolean postmulti) {
    }

    /** Finds instance directories without running any program except, if present, postconf on the default main.cf. */
    public Scan scan() {
        if (!Files.isDirectory(configRoot)) {
            throw new UsageException("config root " + configRoot + " does not exist or is not a directory "
                    + "(set MFSHELL_CONFIG_ROOT or --config-root)");
        }
        List<DiscoveryWarning> warnings = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(configRoot, "postfix-*")) {
            ds.forEach(candidates::add);
        } catch (IOException e) {
            throw new MfshellException("cannot read config root " + configRoot + ": " + e.getMessage(), e);
        }
        Path defaultDir = configRoot.resolve("postfix");
        boolean hasDefault = Files.isRegularFile(defaultDir.resolve("main.cf"));
        List<Path> postmulti = new ArrayList<>();
        if (hasDefault) {
            try {
                for (String dir : multiInstanceDirectories(defaultDir)) {
                    postmulti.add(Path.of(dir));
                }
            } catch (ProgramMissingException e) {
                throw e;
            } catch (MfshellException e) {
                // A default main.cf postconf cannot read: the default instance's own row says so.
            }
            candidates.addAll(postmulti);
        }
        candidates.sort(Comparator.comparing(Path::toString));
        List<Candidate> ok = new ArrayList<>();
        for (Path dir : candidates) {
            Candidate c = candidate(dir, dir.getFileName() == null ? "" : dir.getFileName().toString(),
                    postmulti.contains(dir), warnings);
            if (c != null) {
                ok.add(c);
            }
        }
        if (hasDefault && ok.stream().noneMatch(c -> c.name().equals("postfix"))) {
            Candidate c = candidate(defaultDir, "postfix", false, warnings);
            if (c != null) {
                ok.add(c);
            }
        }
        return group(ok, warnings);
    }

    /** One directory checked: name, readability, main.cf, and (as root) who could change it; null if not usable. */
    private Candidate candidate(Path dir, String base, boolean fromPostmulti, List<DiscoveryWarning> warnings) {
        String name = base.startsWith("postfix-") ? base.substring("postfix-".length()) : base;
        if (!InstanceNames.isSane(name)) {
            warnings.add(new DiscoveryWarning(printable(dir.toString()),
                    "not a valid instance name, ignored (letters, digits, '-', '_' and '.' only)"));
            return null;
        }
        if (!Files.isDirectory(dir)) {
            return null;
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            warnings.add(new DiscoveryWarning(dir.toString(), "directory not readable, ignored"));
            return null;
        }
        Path mainCf = dir.resolve("main.cf");
        if (!Files.isRegularFile(mainCf)) {
            return null;
        }
        if (!Files.isReadable(mainCf)) {
            warnings.add(new DiscoveryWarning(mainCf.toString(), "main.cf not readable, ignored"));
            return null;
        }
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            warnings.add(new DiscoveryWarning(dir.toString(), "cannot resolve (" + e.getMessage() + "), ignored"));
            return null;
        }
        boolean symlink = Files.isSymbolicLink(dir);
        if (checkOwners) {
            String why = TrustCheck.untrusted(real);
            if (why != null) {
                warnings.add(new DiscoveryWarning(dir.toString(), (symlink ? "symlink to " + real + ": " : "")
                        + why + ": refused, root does not run Postfix on files another user can change"));
                return null;
            }
        }
        return new Candidate(name, dir, real, symlink, fromPostmulti);
    }

    /**
     * One instance per real directory: the entry that is not itself a symlink names it (else the
     * first by name); the other names become aliases. A name used for two different directories
     * keeps the first.
     */
    private static Scan group(List<Candidate> candidates, List<DiscoveryWarning> warnings) {
        Map<Path, List<Candidate>> byReal = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            byReal.computeIfAbsent(c.real(), k -> new ArrayList<>()).add(c);
        }
        Map<String, InstanceDir> found = new LinkedHashMap<>();
        Map<String, String> aliases = new java.util.TreeMap<>();
        for (List<Candidate> same : byReal.values()) {
            Candidate main = same.stream().filter(c -> !c.symlink()).findFirst().orElse(same.get(0));
            List<String> names = new ArrayList<>();
            boolean postmulti = false;
            for (Candidate c : same) {
                postmulti |= c.postmulti();
                if (!c.name().equals(main.name()) && !names.contains(c.name())) {
                    names.add(c.name());
                }
            }
            InstanceDir taken = found.get(main.name());
            if (taken != null) {
                warnings.add(new DiscoveryWarning(main.dir().toString(), "instance name '" + main.name()
                        + "' already used by " + taken.configDir() + ", ignored"));
                continue;
            }
            Collections.sort(names);
            found.put(main.name(), new InstanceDir(main.name(), main.dir(), main.real(), postmulti, List.copyOf(names)));
            for (String a : names) {
                aliases.put(a, main.name());
            }
        }
        aliases.keySet().removeIf(found::containsKey);
        List<InstanceDir> dirs = new ArrayList<>(found.values());
        dirs.sort(Comparator.comparing(InstanceDir::name));
        return new Scan(dirs, warnings, aliases);
    }

    /** Instance names, sorted; cheap enough for TAB completion. */
    public List<String> names() {
        return scan().dirs().stream().map(InstanceDir::name).toList();
    }

    /** Every instance, fully described; throws if there is none. Instances postconf cannot read have state ERROR. */
    public List<PostfixInstance> all() {
        return discover().instances();
    }

    /** Every instance, fully described, with the scan's warnings; throws if there is none. */
    public Discovery discover() {
        Scan scan = scan();
        if (scan.dirs().isEmpty()) {
            throw new UsageException("no Postfix instance under " + configRoot
                    + " (looked for postfix-*/main.cf and postfix/main.cf)");
        }
        int n = Math.min(POOL, scan.dirs().size());
        // Two pools: describe() waits on its master.cf call, which must never queue behind describe() itself.
        ExecutorService pool = Executors.newFixedThreadPool(n);
        ExecutorService side = Executors.newFixedThreadPool(n);
        try {
            List<Future<PostfixInstance>> futures = new ArrayList<>();
            for (InstanceDir d : scan.dirs()) {
                futures.add(pool.submit(() -> describe(d, side)));
            }
            List<PostfixInstance> result = new ArrayList<>();
            for (Future<PostfixInstance> f : futures) {
                result.add(f.get());
            }
            if (cache != null) {
                cache.save();
            }
            return new Discovery(result, scan.warnings());
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
            side.shutdownNow();
        }
    }

    /**
     * The named instance's directory, validated; an alias name gives the instance it leads to.
     * Unknown names are a usage error listing the known ones; a refused directory is a
     * {@link MfshellException} saying why.
     */
    public InstanceDir find(String name) {
        InstanceNames.require(name);
        Scan scan = scan();
        List<InstanceDir> dirs = scan.dirs();
        String real = scan.aliases().getOrDefault(name, name);
        for (InstanceDir d : dirs) {
            if (d.name().equals(real)) {
                return d;
            }
        }
        for (DiscoveryWarning w : scan.warnings()) {
            Path p = Path.of(w.path()).getFileName();
            if (p != null && (p.toString().equals("postfix-" + name) || p.toString().equals(name))) {
                throw new MfshellException("instance '" + name + "' cannot be used: " + w);
            }
        }
        throw new UsageException("unknown instance '" + name + "' (known: "
                + String.join(", ", dirs.stream().map(InstanceDir::name).toList()) + ")");
    }

    /** The named instance, fully described; {@link MfshellException} when postconf cannot read it. */
    public PostfixInstance get(String name) {
        PostfixInstance i = describe(find(name));
        if (i.state() == InstanceState.ERROR) {
            throw new MfshellException(i.name() + ": " + i.error());
        }
        return i;
    }

    /** Asks postconf about one instance (main.cf and master.cf at once) and reads its queue and pid file. */
    public PostfixInstance describe(InstanceDir d) {
        ExecutorService side = Executors.newSingleThreadExecutor();
        try {
            PostfixInstance i = describe(d, side);
            if (cache != null) {
                cache.save();
            }
            return i;
        } finally {
            side.shutdownNow();
        }
    }

    private PostfixInstance describe(InstanceDir d, ExecutorService side) {
        Path dir = d.configDir();
        Map<String, String> v;
        List<Postconf.MasterService> services;
        DiscoveryCache.Probe probe = cache == null ? null : cache.lookup(dir);
        DiscoveryCache.Answers cached = probe == null ? null : probe.hit();
        Future<List<Postconf.MasterService>> master = cached != null ? null : side.submit(() -> postconf.services(dir));
        try {
            if (cached != null) {
                v = cached.values();
                services = cached.services();
            } else {
                v = postconf.values(dir, PARAMS);
                services = master.get();
                if (cache != null) {
                    cache.put(dir, probe, new DiscoveryCache.Answers(Map.copyOf(v), List.copyOf(services)));
                }
            }
        } catch (ProgramMissingException e) {
            throw e;
        } catch (MfshellException e) {
            if (master != null) {
                master.cancel(true);
            }
            return PostfixInstance.broken(d.name(), dir, d.realConfigDir(), printable(e.getMessage()), d.aliases());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProgramMissingException pm) {
                throw pm;
            }
            return PostfixInstance.broken(d.name(), dir, d.realConfigDir(), printable(e.getCause().getMessage()),
                    d.aliases());
        }
        Path queueDir = Path.of(v.getOrDefault("queue_directory", "/var/spool/postfix"));
        String bind = services.stream().filter(s -> s.name().equals("smtp") && s.type().equals("unix"))
                .map(s -> s.overrides().get("smtp_bind_address")).filter(b -> b != null).findFirst().orElse(null);
        if (bind == null || bind.isBlank()) {
            bind = v.get("smtp_bind_address");
        }
        if (bind != null && bind.isBlank()) {
            bind = null;
        }
        List<String> listen = listenAddresses(services, v.getOrDefault("inet_interfaces", "all"),
                v.getOrDefault("master_service_disable", ""));
        String tm = v.getOrDefault("transport_maps", "");
        TransportMapsState state = tm.isBlank()
                ? (hasCommentedTransportMaps(dir) ? TransportMapsState.COMMENTED : TransportMapsState.ABSENT)
                : TransportMapsState.ACTIVE;
        List<MapRef> maps = MapRef.parseList(tm);
        Path relay = d.realConfigDir().resolve("transport.relay");
        boolean reroute = maps.stream().anyMatch(m -> m.isFile(relay));
        Long pid = masterPid(queueDir);
        InstanceState st = pid != null ? InstanceState.RUNNING
                : neverStarted(queueDir) ? InstanceState.NEVER_STARTED
                : d.postmulti() && !"yes".equalsIgnoreCase(v.getOrDefault("multi_instance_enable", "no"))
                ? InstanceState.DISABLED : InstanceState.STOPPED;
        QueueCounts counts;
        try {
            counts = queueCounts(dir, queueDir, st == InstanceState.NEVER_STARTED);
        } catch (ProgramMissingException e) {
            throw e;
        } catch (MfshellException e) {
            return PostfixInstance.broken(d.name(), dir, d.realConfigDir(), printable(e.getMessage()), d.aliases());
        }
        String maillog = v.getOrDefault("maillog_file", "");
        List<String> mynetworks = Arrays.stream(v.getOrDefault("mynetworks", "").split("[\\s,]+"))
                .filter(s -> !s.isBlank()).toList();
        return new PostfixInstance(d.name(), dir, queueDir, v.getOrDefault("syslog_name", "postfix"), bind, listen,
                state, tm.isBlank() ? null : tm, reroute, maillog.isBlank() ? null : maillog, pid != null, pid,
                counts, mynetworks, d.realConfigDir(), st, null, maps, Map.copyOf(v), d.aliases());
    }

    /**
     * True when the queue directory lacks any queue subdirectory: {@code postfix check} (run by
     * start) makes them all, and postqueue fails without them ({@code scan_dir_push: open
     * directory hold}). Seen on postmulti's default instance, which is never started.
     */
    static boolean neverStarted(Path queueDir) {
        for (String q : QUEUES) {
            if (!Files.isDirectory(queueDir.resolve(q))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Addresses of the enabled inet services: services that master_service_disable turns off
     * (postconf(5); Postfix's match_service_match) listen nowhere; a service named by port alone
     * listens on every inet_interfaces address.
     */
    static List<String> listenAddresses(List<Postconf.MasterService> services, String inetInterfaces,
                                        String masterServiceDisable) {
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
        List<String> disable = MasterServiceDisable.patterns(masterServiceDisable);
        List<String> out = new ArrayList<>();
        for (Postconf.MasterService s : services) {
            if (!s.type().equals("inet") || MasterServiceDisable.disabled(disable, s.name(), s.type())) {
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

    /** The master pid, or null when no master serves the queue ({@link MasterPid}). */
    static Long masterPid(Path queueDir) {
        long pid = MasterPid.of(queueDir);
        return pid == 0 ? null : pid;
    }

    /**
     * Counts queue files per queue by walking the queue directory (root can); when the queue is not
     * readable (not root), counts {@code postqueue -j} objects instead, except for a never-started
     * instance, which postqueue cannot list.
     */
    QueueCounts queueCounts(Path configDir, Path queueDir, boolean neverStarted) {
        try {
            return QueueCounts.fromFiles(queueDir);
        } catch (AccessDeniedException e) {
            // postqueue cannot list a queue without its subdirectories: nothing was ever queued there.
            return neverStarted ? QueueCounts.EMPTY : countWithPostqueue(configDir);
        } catch (IOException e) {
            throw new MfshellException("cannot read queue " + queueDir + ": " + e.getMessage(), e);
        }
    }

    private QueueCounts countWithPostqueue(Path configDir) {
        long[] n = new long[QUEUES.size()];
        new Postqueue(runner).read(configDir, m -> {
            int i = QUEUES.indexOf(m.queueName());
            if (i >= 0) {
                n[i]++;
            }
            return true;
        });
        return new QueueCounts(n[0], n[1], n[2], n[3], n[4]);
    }

    private List<String> multiInstanceDirectories(Path defaultDir) {
        DiscoveryCache.Answers cached = cache == null ? null : cache.lookup(defaultDir).hit();
        Map<String, String> v = cached != null ? cached.values()
                : postconf.values(defaultDir, List.of("multi_instance_directories"));
        String dirs = v.getOrDefault("multi_instance_directories", "");
        return Arrays.stream(dirs.split("[\\s,]+")).filter(s -> !s.isBlank()).toList();
    }

    private static String printable(String s) {
        return InstanceNames.printable(s);
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
