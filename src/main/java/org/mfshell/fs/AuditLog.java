package org.mfshell.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.mfshell.cli.MfshellException;

/**
 * The audit trail of mutating actions: one line per action, appended to a file (default
 * /var/log/mfshell/audit.log, MFSHELL_AUDIT_LOG): time (UTC), the operator (SUDO_USER, else
 * USER), the command and its result, e.g.
 * {@code 2026-11-29T14:50:02Z user=alice command="flush msn-a --to msn-b" result="step 4 done"}.
 * Quotes, backslashes and control characters in fields are escaped, so one action is one line.
 *
 * <p>Errors: {@link MfshellException} when the file cannot be written.
 */
public final class AuditLog {
    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends one line. */
    public void record(String command, String result) {
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " user=" + quote(operator())
                + " pid=" + ProcessHandle.current().pid() + " command=" + quote(command) + " result=" + quote(result) + "\n";
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new MfshellException("cannot write audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /** The person behind the command: SUDO_USER when run through sudo, else USER, else the JVM's user name. */
    public static String operator() {
        String u = System.getenv("SUDO_USER");
        if (u == null || u.isBlank()) {
            u = System.getenv("USER");
        }
        if (u == null || u.isBlank()) {
            u = System.getProperty("user.name", "unknown");
        }
        return u;
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
