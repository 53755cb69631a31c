package org.mfshell.dns;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DNS answers kept between runs for as long as their TTL allows: one JSON file,
 * {@code STATE_DIR/dns-cache.json}, mode 0600. Keys name the resolver too, so answers of one
 * resolver are never served for another. The file is opened without following a symlink, and
 * ignored (treated as empty, with a warning) when it is not a regular file owned by this user or
 * is writable by group or others, or does not parse. It is written to a new 0600 temp file in the
 * same directory (created exclusively, so never through a link) and renamed over the old one;
 * expired entries are dropped then. Failed answers (timeouts) are never kept. Nothing is thrown:
 * a cache that cannot be read or written costs only speed, and says so in {@link #warnings()}.
 */
public final class DnsCache {
    public static final String FILE = "dns-cache.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");

    /** One stored answer; {@code expires} in epoch milliseconds, {@code ttl} as the server gave it. */
    public record Entry(long expires, long ttl, DnsAnswer.Status status, List<String> data) {
    }

    private final Path file;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private volatile boolean dirty;

    private DnsCache(Path file) {
        this.file = file;
    }

    /** The cache in {@code stateDir}, loaded now. */
    public static DnsCache open(Path stateDir) {
        DnsCache c = new DnsCache(stateDir.resolve(FILE));
        c.load();
        return c;
    }

    public Path file() {
        return file;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * The answer under {@code key}, or null when absent or expired. Its TTL is the record's own
     * (what the zone says), not the time left, so a TTL check reads the same from the cache.
     */
    public DnsAnswer get(String key, String name, RecordType type, long nowMs) {
        Entry e = entries.get(key);
        if (e == null || e.expires() <= nowMs) {
            return null;
        }
        return new DnsAnswer(name, type, e.status(), e.data(), e.ttl(), null, true);
    }

    public void put(String key, DnsAnswer a, long nowMs) {
        if (!a.known() || a.ttl() <= 0 || a.cached()) {
            return;
        }
        entries.put(key, new Entry(nowMs + a.ttl() * 1000, a.ttl(), a.status(), a.data()));
        dirty = true;
    }

    private void load() {
        try {
            PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String me = System.getProperty("user.name");
            Set<PosixFilePermission> p = attrs.permissions();
            if (!attrs.isRegularFile() || !attrs.owner().getName().equals(me)
                    || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                warnings.add("DNS cache " + file + " ignored: not a regular file of " + me + " with mode 0600");
                return;
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS, StandardOpenOption.READ)) {
                Map<String, Entry> read = MAPPER.readValue(in, new TypeReference<Map<String, Entry>>() {
                });
                long now = System.currentTimeMillis();
                read.forEach((k, v) -> {
                    if (k != null && v != null && v.status() != null && v.data() != null && v.expires() > now) {
                        entries.put(k, v);
                    }
                });
            }
        } catch (NoSuchFileException e) {
            // first run
        } catch (IOException | RuntimeException e) {
            warnings.add("DNS cache " + file + " ignored: " + e.getMessage());
        }
    }

    /** Writes the cache when it changed. */
    public void save() {
        if (!dirty) {
            return;
        }
        long now = System.currentTimeMillis();
        entries.values().removeIf(e -> e.expires() <= now);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            tmp = Files.createTempFile(dir, "." + FILE + ".", ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                 OutputStream out = Channels.newOutputStream(ch)) {
                MAPPER.writeValue(nonClosing(out), Map.copyOf(entries));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            dirty = false;
        } catch (IOException | RuntimeException e) {
            warnings.add("DNS cache " + file + " not written: " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temp file named after the cache; the next save makes a new one
                }
            }
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
