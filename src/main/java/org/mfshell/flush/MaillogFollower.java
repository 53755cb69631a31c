package org.mfshell.flush;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the delivery lines an instance appends to its mail log from a starting point on, a poll
 * at a time: {@code QUEUEID: to=<rcpt>, relay=host[ip]:port, ..., status=sent} from any delivery
 * agent (smtp, or a master.cf service such as mfshell-reroute; status may be SOFTBOUNCE). The log is the
 * instance's own maillog_file, or the system's syslog file shared by every instance, of which
 * only the lines of one syslog_name ({@code postfix-msn-a/smtp[PID]:}) are read. A file that
 * shrank (rotated) is read again from its start. Lines still being written (no newline yet) wait
 * for the next poll. Unreadable files yield nothing.
 */
public final class MaillogFollower {
    private static final Pattern DELIVERY = Pattern.compile(
            "/[\\w.-]+\\[\\d+\\]: ([0-9A-Za-z]+): to=<([^>]*)>,"
                    + "(?:.*? relay=([^,\\s]*?)(?:\\[([^\\]]*)\\])?(?::(\\d+))?,)?.*? status=(\\w+)");

    /** One delivery attempt for one recipient. relayIp is null when the line names none. */
    public record Delivery(String queueId, String recipient, String relayIp, String status, String line) {
    }

    private final Path file;
    private final String onlyProgram;
    private long offset;
    private byte[] partial = new byte[0];

    private MaillogFollower(Path file, String syslogName, long offset) {
        this.file = file;
        this.onlyProgram = syslogName == null ? null : " " + syslogName + "/";
        this.offset = offset;
    }

    /** Follows an instance's own log file from its current end. */
    public static MaillogFollower fromEnd(Path file) {
        return fromEnd(file, null);
    }

    /**
     * Follows a log file from its current end; with a syslog name, only that instance's lines
     * count (a syslog file all instances write to).
     */
    public static MaillogFollower fromEnd(Path file, String syslogName) {
        long size = 0;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            // starts at 0 once it exists
        }
        return new MaillogFollower(file, syslogName, size);
    }

    public Path file() {
        return file;
    }

    public List<Delivery> poll() {
        List<Delivery> out = new ArrayList<>();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long size = raf.length();
            if (size < offset) {
                offset = 0;
                partial = new byte[0];
            }
            if (size == offset) {
                return out;
            }
            byte[] buf = new byte[(int) Math.min(size - offset, 64L << 20)];
            raf.seek(offset);
            raf.readFully(buf);
            offset += buf.length;
            byte[] all = new byte[partial.length + buf.length];
            System.arraycopy(partial, 0, all, 0, partial.length);
            System.arraycopy(buf, 0, all, partial.length, buf.length);
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == '\n') {
                    String line = new String(all, start, i - start, StandardCharsets.UTF_8);
                    Delivery d = onlyProgram == null || line.contains(onlyProgram) ? parse(line) : null;
                    if (d != null) {
                        out.add(d);
                    }
                    start = i + 1;
                }
            }
            partial = java.util.Arrays.copyOfRange(all, start, all.length);
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    public static Delivery parse(String line) {
        Matcher m = DELIVERY.matcher(line);
        if (!m.find()) {
            return null;
        }
        return new Delivery(m.group(1), m.group(2), m.group(4), m.group(6), line);
    }
}
