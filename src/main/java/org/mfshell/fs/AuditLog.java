package org.mfshell.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.mfshell.core.MfshellException;

/**
 * The audit trail of state-changing commands: one line per action, appended to a file whose parent
 * directories are created as needed. A line reads
 * {@code 2026-11-29T15:02:11Z user=alice command="hold msn-a --domain hotmail.com" result="held 12"}:
 * UTC time, the operator (SUDO_USER when run through sudo, else USER), the command and what it did.
 * The directory is made 0700 and the file 0600 (see {@link #record}): the log tells who changed
 * what, so only root writes it; an admin may widen reading (chmod 0750/0640, chgrp adm), which is
 * accepted, since nobody else can write it then.
 * Errors: {@link MfshellException} when the file cannot be written or is refused.
 */
public final class AuditLog {
    private final Path file;

    /** @throws org.mfshell.core.UsageException when {@code file} is empty or relative (MFSHELL_AUDIT_LOG) */
    public AuditLog(Path file) {
        this.file = StateDir.requireAbsolute(file, "MFSHELL_AUDIT_LOG");
    }

    public Path file() {
        return file;
    }

    /**
     * Appends one line. The directory is a {@link StateDir} (created 0700, refused when someone
     * else could write it) and the file is opened with O_NOFOLLOW|O_APPEND, created 0600, and
     * refused when it is a link, not a plain file, or writable by others.
     *
     * @throws MfshellException one line naming the file and the reason, ending with the audit
     *     line itself, so a caller that cannot stop can still print it to stderr (or hand it to
     *     syslog) and nothing is lost
     */
    public void record(String command, String result) {
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " user=" + user()
                + " command=" + quote(command) + " result=" + quote(result) + "\n";
        Path abs = file;
        try {
            new StateDir(abs.getParent(), "the audit log's directory").dir();
            // One write call per line with O_APPEND: concurrent mfshell processes do not interleave.
            try (FileChannel ch = StateDir.open(abs, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (IOException | MfshellException e) {
            String why = e instanceof IOException io ? AtomicFiles.reason(io) : e.getMessage();
            throw new MfshellException("cannot write audit log " + abs + ": " + why + "; the line was: " + line.strip(), e);
        }
    }

    /** The person behind the command: SUDO_USER when run through sudo, else USER, else the JVM's user name. */
    public static String user() {
        String sudo = System.getenv("SUDO_USER");
        if (sudo != null && !sudo.isBlank()) {
            return sudo;
        }
        String user = System.getenv("USER");
        return user != null && !user.isBlank() ? user : System.getProperty("user.name", "unknown");
    }

    /** Double-quoted, with quotes, backslashes and control characters escaped, so one record stays one line. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
