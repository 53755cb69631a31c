package org.mfshell.log;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One place delivery lines come from: a plain file, a gzip file, standard input or the systemd
 * journal. {@code reference} is the time the newest line of the source can have (a file's
 * modification time, or now), used to give classic year-less timestamps their year.
 */
public record LogSource(Kind kind, Path path, Instant reference) {
    public enum Kind { FILE, GZIP, STDIN, JOURNAL }

    public static LogSource file(Path p, Instant reference) {
        return new LogSource(p.getFileName().toString().endsWith(".gz") ? Kind.GZIP : Kind.FILE, p, reference);
    }

    public String label() {
        return switch (kind) {
            case STDIN -> "-";
            case JOURNAL -> path == null ? "journal" : "journal " + path;
            default -> path.toString();
        };
    }
}
