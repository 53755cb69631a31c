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
 * Run over ssh (SSH_CONNECTION set) it also says {@code via=ssh from=CLIENT-IP}, and with the
 * global {@code --operator USER@HOST} (sent by the operator's own mfshell under {@code --on})
 * {@code by=USER@HOST}: {@code user=root by=alice@laptop via=ssh from=192.0.2.7 command=...}. The
 * login user and SSH_CONNECTION are facts of this session; {@code by=} is only the caller's claim,
 * checked for its form and nothing else.
 * The directory is made 0700 and the file 0600 (see {@link #record}): the log tells who changed
 * what, so only root writes it; an admin may widen reading (chmod 0750/0640, chgrp adm), which is
 * accepted, since nobody else can write it then.
 * Errors: {@link MfshellException} when the file cannot be written or is refused.
 */
public final class AuditLog {
    private static final java.util.regex.Pattern OPERATOR =
            java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}@[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");
    private static final java.util.regex.Pattern CLIENT_IP = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static volatile String claimedOperator;

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
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " user=" + user() + origin(claimedOperator, System.getenv("SSH_CONNECTION"))
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

    /**
     * {@code USER@HOST} when it is one: a user name (letters, digits, {@code _ . -}, at most 32, not
     * starting with {@code . -}) and a host name of DNS labels.
     *
     * @throws org.mfshell.core.UsageException naming what is wrong
     */
    public static String checkOperator(String operator) {
        if (operator.length() > 160 || !OPERATOR.matcher(operator).matches()) {
            throw new org.mfshell.core.UsageException("--operator: " + org.mfshell.core.Quote.quote(operator)
                    + " is not USER@HOST (a user name of letters, digits, _ . -; a host name of letters, digits, - and dots)");
        }
        return operator;
    }

    /** The operator's claim ({@code --operator}, checked) named as {@code by=} on every line this process writes. */
    public static void claimOperator(String operator) {
        claimedOperator = operator == null ? null : checkOperator(operator);
    }

    /** {@code " by=CLAIM"} and {@code " via=ssh from=IP"} as far as they are known; empty without either. */
    static String origin(String claim, String sshConnection) {
        StringBuilder sb = new StringBuilder();
        if (claim != null) {
            sb.append(" by=").append(claim);
        }
        if (sshConnection != null && !sshConnection.isBlank()) {
            String ip = sshConnection.strip().split("\\s+")[0];
            sb.append(" via=ssh from=").append(CLIENT_IP.matcher(ip).matches() ? ip : quote(ip));
        }
        return sb.toString();
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
