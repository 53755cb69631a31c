package org.mfshell.log;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ProcessRunner;

/**
 * The delivery lines one instance adds to its log from now on, a poll at a time, for the flush
 * drain: read by the one follower ({@link LogTail}) from the instance's own maillog_file, from the
 * system's syslog file, or from the journal; in the last two, which every instance writes to, only
 * the lines of its syslog_name ({@code postfix-msn-a/smtp[PID]:}) count. Each line is read with
 * {@link DeliveryLine}. Reports no errors: a source that cannot be read (unreadable file,
 * journalctl failing) yields nothing for that poll.
 */
public final class DeliveryFollower implements AutoCloseable {
    private final LogSource source;
    private final String onlyProgram;
    private final LogTail tail;

    private DeliveryFollower(LogSource source, String syslogName, ProcessRunner runner) {
        this.source = source;
        this.onlyProgram = syslogName == null ? null : " " + syslogName + "/";
        this.tail = new LogTail(List.of(source), null, null, true, runner);
    }

    /** Follows an instance's own log file from its current end. */
    public static DeliveryFollower fromEnd(Path file) {
        return fromEnd(file, null);
    }

    /**
     * Follows a log file from its current end; with a syslog name, only that instance's lines
     * count (a syslog file all instances write to).
     */
    public static DeliveryFollower fromEnd(Path file, String syslogName) {
        return new DeliveryFollower(new LogSource(LogSource.Kind.FILE, file, Instant.now()), syslogName, null);
    }

    /** Follows the system journal from now on, only the lines of {@code syslogName}. */
    public static DeliveryFollower journalFromNow(String syslogName, ProcessRunner runner) {
        return new DeliveryFollower(new LogSource(LogSource.Kind.JOURNAL, null, Instant.now()), syslogName, runner);
    }

    /** Follows a journal file or directory from now on (tests: a journal written by systemd-journal-remote). */
    static DeliveryFollower journalFromNow(Path journal, String syslogName, ProcessRunner runner) {
        return new DeliveryFollower(new LogSource(LogSource.Kind.JOURNAL, journal, Instant.now()), syslogName, runner);
    }

    /** True when a systemd journal runs here (its socket exists), so journalctl has lines to give. */
    public static boolean journalRunning() {
        return Files.exists(Path.of("/run/systemd/journal/socket"));
    }

    /** The file followed, or null for the journal. */
    public Path file() {
        return source.kind() == LogSource.Kind.FILE ? source.path() : null;
    }

    public LogSource source() {
        return source;
    }

    public List<DeliveryLine> poll() {
        List<DeliveryLine> out = new ArrayList<>();
        try {
            tail.poll((i, lines) -> {
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                ByteArrayOutputStream line = new ByteArrayOutputStream(512);
                while (true) {
                    b.clear();
                    int n = lines.fill(b, b.capacity());
                    if (n < 0) {
                        break;
                    }
                    for (int k = 0; k < b.position(); k++) {
                        byte c = b.get(k);
                        if (c == '\n') {
                            add(line.toString(StandardCharsets.UTF_8), out);
                            line.reset();
                        } else {
                            line.write(c);
                        }
                    }
                }
                if (line.size() > 0) {
                    add(line.toString(StandardCharsets.UTF_8), out);
                }
            });
        } catch (MfshellException e) {
            return out;
        }
        return out;
    }

    private void add(String line, List<DeliveryLine> out) {
        DeliveryLine d = onlyProgram == null || line.contains(onlyProgram) ? DeliveryLine.parse(line) : null;
        if (d != null) {
            out.add(d);
        }
    }

    /** Deletes the journal cursor file, if any. */
    @Override
    public void close() {
        tail.close();
    }
}
