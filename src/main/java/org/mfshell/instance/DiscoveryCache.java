package org.mfshell.instance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.fs.StateDir;
import org.mfshell.postfix.Postconf;

/**
 * Postconf's answers about each instance (the {@link InstanceRegistry#PARAMS} values and the
 * master.cf services), kept between runs so a read-only one-shot command need not start two
 * postconf processes per instance. Nothing else is cached: the directory scan and its trust
 * checks, the master pid (RUNNING), the queue counts and the commented transport_maps line are
 * read fresh every time.
 *
 * <p>Where: MFSHELL_CACHE_DIR, else $XDG_CACHE_HOME/mfshell/discovery, else
 * ~/.cache/mfshell/discovery; one file per config root and user. The directory is made and
 * checked by {@link StateDir} (0700 whatever the umask, a real directory owned by us, never a
 * symlink); the file is read with O_NOFOLLOW and must be ours, 0600-like and singly linked, and
 * is written atomically 0600 ({@link AtomicFiles#writePrivate}). Its name comes from a hash of
 * the config root, never from anything read from disk. A cache directory that fails the checks
 * turns the cache off for the run (discovery then asks postconf as before). MFSHELL_DISCOVERY_CACHE=off
 * turns it off.
 *
 * <p>Key. The whole file is valid only while a global key matches: the format, the parameter
 * list, the uid, the postconf binary found on PATH (and its stat), /usr/lib/postfix,
 * /etc/postfix/{main.cf,dynamicmaps.cf,dynamicmaps.cf.d/*}, the config root directory, the default
 * instance's directory, main.cf and master.cf (its multi_instance_directories decides which
 * instances exist), /etc/hosts, the hostname, the host's interface addresses (/proc/net/if_inet6,
 * /proc/net/fib_trie: mynetworks and inet_interfaces defaults depend on them), and the
 * environment variables postconf or discovery read (MAIL_CONFIG, MAIL_VERBOSE, MAIL_DEBUG, TZ,
 * PATH, MFSHELL_CONFIG_ROOT). Each instance's answers are valid only while its config directory,
 * main.cf and master.cf have the same (dev, inode, size, mtime ns, ctime ns) as when they were
 * asked. ctime catches an edit whose mtime was put back. A file modified less than
 * {@value #SETTLE_SECONDS} s before the answers would be stored is not trusted (mtime
 * granularity, an edit in the same tick): those answers are not stored.
 *
 * <p>Safety of writes: write commands (flush, restore, queue actions, ips off/on, lab, config
 * edits) never use this cache: they take {@code AppContext.instances()}, which builds an
 * uncached registry, so every fact they act on comes from a fresh postconf run in the same
 * process. Bypassing is simpler and safer than revalidating: a cached answer can only be
 * checked by asking postconf again, which is the cost the cache saves; and a write is slow
 * anyway (postsuper, reload), so the 10 ms saved would not matter. Only read-only commands
 * (instances, mailq, health, check, metrics, completion) take {@code AppContext.readOnlyInstances()}.
 *
 * <p>Errors: never thrown to the caller; a damaged, foreign or unreadable file is ignored and
 * replaced at the next store; a failed store leaves the run's results as they were.
 */
public final class DiscoveryCache {
    static final int SETTLE_SECONDS = 2;
    private static final String MAGIC = "mfshell-discovery-cache 1";
    private static final List<String> ENV_KEYS = List.of("MAIL_CONFIG", "MAIL_VERBOSE", "MAIL_DEBUG", "TZ", "PATH",
            "MFSHELL_CONFIG_ROOT");

    /** Postconf's answers about one config directory. */
    public record Answers(Map<String, String> values, List<Postconf.MasterService> services) {
    }

    private record Entry(String stat, Answers answers, boolean settled) {
    }

    private final Path dir;
    private final Path configRoot;
    private final Map<String, String> env;
    private final String disabled;
    private long settleMillis = TimeUnit.SECONDS.toMillis(SETTLE_SECONDS);
    private String globalKey;
    private boolean globalSettled;
    private Map<String, Entry> loaded;
    private final Map<String, Entry> fresh = new ConcurrentHashMap<>();
    private volatile boolean changed;

    private DiscoveryCache(Path dir, Path configRoot, Map<String, String> env, String disabled) {
        this.dir = dir;
        this.configRoot = configRoot.toAbsolutePath().normalize();
        this.env = env;
        this.disabled = disabled;
    }

    /** The cache for {@code configRoot} as the environment sets it up (possibly off: see {@link #disabledReason}). */
    public static DiscoveryCache fromEnvironment(Map<String, String> env, Path configRoot) {
        if ("off".equalsIgnoreCase(env.getOrDefault("MFSHELL_DISCOVERY_CACHE", "").trim())) {
            return new DiscoveryCache(null, configRoot, env, "off (MFSHELL_DISCOVERY_CACHE=off)");
        }
        Path d;
        String explicit = env.get("MFSHELL_CACHE_DIR");
        String xdg = env.get("XDG_CACHE_HOME");
        String home = env.get("HOME");
        if (explicit != null && !explicit.isEmpty()) {
            d = Path.of(explicit);
        } else if (xdg != null && xdg.startsWith("/")) {
            d = Path.of(xdg, "mfshell", "discovery");
        } else if (home != null && home.startsWith("/")) {
            d = Path.of(home, ".cache", "mfshell", "discovery");
        } else {
            return new DiscoveryCache(null, configRoot, env, "off (no HOME)");
        }
        if (!d.isAbsolute()) {
            return new DiscoveryCache(null, configRoot, env, "off (MFSHELL_CACHE_DIR is not absolute)");
        }
        DiscoveryCache c = new DiscoveryCache(d.normalize(), configRoot, env, null);
        // CDS training (packaging/mfshell-cds, a private temporary config root made a moment ago)
        // must walk the hit path too, so its classes and method handles are in the archive.
        return "1".equals(env.get("MFSHELL_CDS_TRAIN")) ? c.settleAfter(0) : c;
    }

    /** The same cache trusting files modified more than {@code millis} ago (tests: 0, to avoid sleeping). */
    DiscoveryCache settleAfter(long millis) {
        settleMillis = millis;
        return this;
    }

    /** Null when the cache is usable (so far); else why not. */
    public String disabledReason() {
        return disabled;
    }

    /** The file this config root's answers are kept in (null when off). */
    public Path file() {
        if (dir == null) {
            return null;
        }
        return dir.resolve(new StringBuilder(HexFormat.of().toHexDigits(fnv(configRoot.toString().getBytes(StandardCharsets.UTF_8))))
                .append(".cache").toString());
    }

    /**
     * What the cache knows about {@code configDir}: its answers on a hit, else the files' stat taken
     * now, before postconf is asked, to be given back to {@link #put} with postconf's answers (so
     * an edit while postconf runs makes the next lookup a miss).
     */
    public Probe lookup(Path configDir) {
        if (dir == null) {
            return new Probe(null, "", false);
        }
        long now = System.currentTimeMillis();
        String stat = dirStat(configDir);
        boolean settled = settled(now, configDir.resolve("main.cf"), configDir.resolve("master.cf"), configDir);
        synchronized (this) {
            if (loaded == null) {
                loaded = load();
            }
        }
        String id = configDir.toString();
        Entry e = loaded.get(id);
        if (e != null && stat.equals(e.stat())) {
            fresh.put(id, new Entry(stat, e.answers(), true));
            return new Probe(e.answers(), stat, true);
        }
        return new Probe(null, stat, settled);
    }

    /** A lookup's result: {@code hit} is null on a miss. */
    public record Probe(Answers hit, String stat, boolean settled) {
    }

    /** Records postconf's fresh answers about {@code configDir} (asked after {@code probe}), stored at {@link #save}. */
    public void put(Path configDir, Probe probe, Answers answers) {
        fresh.put(configDir.toString(), new Entry(probe.stat(), answers, probe.settled()));
        changed = true;
    }

    /** Writes what this run learned when something was new; entries not yet settled are left out. */
    public synchronized void save() {
        if (dir == null || !changed) {
            return;
        }
        try {
            String key = globalKey();
            if (!globalSettled) {
                return;
            }
            StringBuilder sb = new StringBuilder(MAGIC).append('\n').append("key ").append(key).append('\n');
            for (Map.Entry<String, Entry> me : new TreeMap<>(fresh).entrySet()) {
                Entry e = me.getValue();
                if (!e.settled()) {
                    continue;
                }
                sb.append("dir ").append(esc(me.getKey())).append('\t').append(e.stat()).append('\n');
                for (Map.Entry<String, String> v : new TreeMap<>(e.answers().values()).entrySet()) {
                    sb.append("v ").append(esc(v.getKey())).append('\t').append(esc(v.getValue())).append('\n');
                }
                for (Postconf.MasterService s : e.answers().services()) {
                    sb.append("s ").append(esc(s.name())).append('\t').append(esc(s.type())).append('\t')
                            .append(esc(s.command()));
                    for (Map.Entry<String, String> o : s.overrides().entrySet()) {
                        sb.append('\t').append(esc(o.getKey())).append('\t').append(esc(o.getValue()));
                    }
                    sb.append('\n');
                }
                sb.append("end\n");
            }
            sb.append("eof\n");
            Path d = new StateDir(dir, "MFSHELL_CACHE_DIR").dir();
            AtomicFiles.writePrivate(d.resolve(file().getFileName()), sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (MfshellException | SecurityException e) {
            // The run's results stand; the next run asks postconf again.
        }
    }

    private Map<String, Entry> load() {
        Map<String, Entry> out = new LinkedHashMap<>();
        String key = globalKey();
        try {
            if (new StateDir(dir, "MFSHELL_CACHE_DIR").existingDir() == null) {
                return out;
            }
            byte[] bytes = StateDir.read(file());
            if (bytes == null) {
                return out;
            }
            Map<String, Entry> parsed = parse(new String(bytes, StandardCharsets.UTF_8), key);
            return parsed == null ? out : parsed;
        } catch (MfshellException | SecurityException e) {
            return out;
        }
    }

    /** The entries of a cache file whose key is {@code key}; null when the file is damaged or for another key. */
    static Map<String, Entry> parse(String text, String key) {
        if (!text.endsWith("\neof\n")) {
            return null;
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < 3 || !lines[0].equals(MAGIC) || !(lines[1].startsWith("key ") && lines[1].regionMatches(4, key, 0, key.length())
                && lines[1].length() == key.length() + 4)) {
            return null;
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        String id = null;
        String stat = null;
        Map<String, String> values = null;
        List<Postconf.MasterService> services = null;
        try {
            for (int i = 2; i < lines.length; i++) {
                String l = lines[i];
                if (l.equals("eof")) {
                    return id == null && i == lines.length - 2 ? out : null;
                }
                if (l.startsWith("dir ")) {
                    if (id != null) {
                        return null;
                    }
                    String[] f = l.substring(4).split("\t", -1);
                    if (f.length != 2 || !f[1].matches("[0-9:;-]+")) {
                        return null;
                    }
                    id = unesc(f[0]);
                    if (!id.startsWith("/")) {
                        return null;
                    }
                    stat = f[1];
                    values = new LinkedHashMap<>();
                    services = new ArrayList<>();
                } else if (l.startsWith("v ") && id != null) {
                    String[] f = l.substring(2).split("\t", -1);
                    if (f.length != 2) {
                        return null;
                    }
                    values.put(unesc(f[0]), unesc(f[1]));
                } else if (l.startsWith("s ") && id != null) {
                    String[] f = l.substring(2).split("\t", -1);
                    if (f.length < 3 || (f.length - 3) % 2 != 0) {
                        return null;
                    }
                    Map<String, String> o = new LinkedHashMap<>();
                    for (int j = 3; j < f.length; j += 2) {
                        o.put(unesc(f[j]), unesc(f[j + 1]));
                    }
                    services.add(new Postconf.MasterService(unesc(f[0]), unesc(f[1]), unesc(f[2]),
                            java.util.Collections.unmodifiableMap(o)));
                } else if (l.equals("end") && id != null) {
                    if (!values.keySet().containsAll(InstanceRegistry.PARAMS)) {
                        return null;
                    }
                    out.put(id, new Entry(stat, new Answers(Map.copyOf(values), List.copyOf(services)), true));
                    id = null;
                } else {
                    return null;
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    private String globalKey() {
        if (globalKey != null) {
            return globalKey;
        }
        long settleBefore = System.currentTimeMillis() - settleMillis;
        StringBuilder sb = new StringBuilder(MAGIC).append('\n');
        sb.append(String.join(",", InstanceRegistry.PARAMS)).append('\n');
        sb.append("uid ").append(StateDir.myUid()).append('\n');
        sb.append("root ").append(configRoot).append('\n');
        for (String k : ENV_KEYS) {
            sb.append("env ").append(k).append('=').append(env.getOrDefault(k, "\u0000unset")).append('\n');
        }
        List<Path> files = new ArrayList<>();
        files.add(postconfBinary());
        files.add(Path.of("/usr/lib/postfix"));
        files.add(Path.of("/etc/postfix/main.cf"));
        files.add(Path.of("/etc/postfix/dynamicmaps.cf"));
        Path dmd = Path.of("/etc/postfix/dynamicmaps.cf.d");
        files.add(dmd);
        TreeSet<Path> dm = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dmd)) {
            ds.forEach(dm::add);
        } catch (IOException e) {
            // absent: its stat says so
        }
        files.addAll(dm);
        files.add(configRoot);
        Path def = configRoot.resolve("postfix");
        files.add(def);
        files.add(def.resolve("main.cf"));
        files.add(def.resolve("master.cf"));
        files.add(Path.of("/etc/hosts"));
        boolean settled = true;
        for (Path p : files) {
            sb.append("stat ").append(p).append(' ').append(stat(p)).append('\n');
            settled &= settledOne(p, settleBefore);
        }
        for (String f : List.of("/proc/sys/kernel/hostname", "/proc/net/if_inet6", "/proc/net/fib_trie")) {
            sb.append("content ").append(f).append(' ').append(contentHash(Path.of(f))).append('\n');
        }
        globalSettled = settled;
        globalKey = esc(sb.toString());
        return globalKey;
    }

    private Path postconfBinary() {
        String path = env.get("PATH");
        List<String> dirs = new ArrayList<>();
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "postconf"))) {
                return Path.of(d, "postconf");
            }
        }
        return Path.of("/nonexistent/postconf");
    }

    private static String dirStat(Path configDir) {
        return new StringBuilder(stat(configDir)).append(';').append(stat(configDir.resolve("main.cf"))).append(';')
                .append(stat(configDir.resolve("master.cf"))).toString();
    }

    /** dev:inode:size:mtime-ns:ctime-ns of {@code p} (following a link, as postconf does), or "-" when absent. */
    static String stat(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime");
            return new StringBuilder().append(a.get("dev")).append(':').append(a.get("ino")).append(':')
                    .append(a.get("size")).append(':').append(nanos((FileTime) a.get("lastModifiedTime"))).append(':')
                    .append(nanos((FileTime) a.get("ctime"))).toString();
        } catch (NoSuchFileException e) {
            return "-";
        } catch (IOException | RuntimeException e) {
            return "-err";
        }
    }

    private boolean settled(long now, Path... paths) {
        long before = now - settleMillis;
        for (Path p : paths) {
            if (!settledOne(p, before)) {
                return false;
            }
        }
        return true;
    }

    private static boolean settledOne(Path p, long before) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:lastModifiedTime,ctime");
            return ((FileTime) a.get("lastModifiedTime")).toMillis() < before
                    && ((FileTime) a.get("ctime")).toMillis() < before;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    private static String contentHash(Path p) {
        try {
            return HexFormat.of().toHexDigits(fnv(Files.readAllBytes(p)));
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    /** 64-bit FNV-1a: a file name and a change detector, not a defence (the key itself is compared whole). */
    private static long fnv(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c < 0x20 || c == 0x7f) {
                sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String unesc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !HexFormat.isHexDigit(s.charAt(i + 1)) || !HexFormat.isHexDigit(s.charAt(i + 2))) {
                    throw new IllegalArgumentException("bad escape");
                }
                sb.append((char) HexFormat.fromHexDigits(s, i + 1, i + 3));
                i += 2;
            } else if (c < 0x20) {
                throw new IllegalArgumentException("control character");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
