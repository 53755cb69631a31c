package org.mfshell.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Errors: {@link MfshellException} when the file cannot be written.
 */
public final class AuditLog {
    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void record(String command, String result) {
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " user=" + user()
                + " command=" + quote(command) + " result=" + quote(result) + "\n";
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // One write call per line with O_APPEND: concurrent mfshell processes do not interleave.
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new MfshellException("cannot write audit log " + file + ": " + e.getMessage(), e);
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
    static String quote(String s) {
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
