package org.mfshell.instance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Messages per Postfix queue of one instance, and the one counter of queue files (discovery and
 * the lab both count here). Errors: {@link #fromFiles} throws {@link AccessDeniedException} when
 * the queue is not readable (the caller then asks postqueue) and other IOExceptions as they come.
 */
public record QueueCounts(long maildrop, long incoming, long active, long deferred, long hold) {
    public static final QueueCounts EMPTY = new QueueCounts(0, 0, 0, 0, 0);
    /** The queues counted, in Postfix's order. */
    public static final List<String> QUEUES = List.of("maildrop", "incoming", "active", "deferred", "hold");

    public long total() {
        return maildrop + incoming + active + deferred + hold;
    }

    /** The counts by queue name, in {@link #QUEUES} order. */
    public Map<String, Long> byQueue() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("maildrop", maildrop);
        m.put("incoming", incoming);
        m.put("active", active);
        m.put("deferred", deferred);
        m.put("hold", hold);
        return m;
    }

    /**
     * Counts the queue files under each queue subdirectory; a missing subdirectory counts 0. A file
     * that leaves while the directory is walked (delivered mail) makes that queue be counted again.
     */
    public static QueueCounts fromFiles(Path queueDir) throws IOException {
        long[] n = new long[QUEUES.size()];
        for (int i = 0; i < QUEUES.size(); i++) {
            n[i] = countFiles(queueDir.resolve(QUEUES.get(i)));
        }
        return new QueueCounts(n[0], n[1], n[2], n[3], n[4]);
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof AccessDeniedException ade) {
                throw ade;
            }
            if (e.getCause() instanceof NoSuchFileException) {
                return countFiles(dir);
            }
            throw e.getCause();
        } catch (NoSuchFileException e) {
            return countFiles(dir);
        }
    }
}
