package org.mfshell.log;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.ProcessRunner;

/**
 * Where an instance's delivery lines appear, for the flush drain: its maillog_file; else the
 * system's syslog file (lines of its syslog_name only); else, when a systemd journal runs and a
 * runner is given, the journal (lines of its syslog_name only); else nowhere readable (null: the
 * drain then counts mail leaving the queue). Reports no errors.
 */
public final class DeliveryLogs {
    private final Path systemMailLog;
    private final ProcessRunner runner;

    /** {@code runner} runs journalctl; null means the journal is never followed. */
    public DeliveryLogs(Path systemMailLog, ProcessRunner runner) {
        this.systemMailLog = systemMailLog;
        this.runner = runner;
    }

    /** The system's syslog mail log looked at (may be null). */
    public Path systemMailLog() {
        return systemMailLog;
    }

    /** A follower from now on of {@code source}'s delivery lines, or null when none can be read. */
    public DeliveryFollower follow(PostfixInstance source) {
        if (source.maillogFile() != null && !source.maillogFile().isBlank()) {
            return DeliveryFollower.fromEnd(Path.of(source.maillogFile()));
        }
        if (systemMailLog != null && Files.isRegularFile(systemMailLog) && Files.isReadable(systemMailLog)) {
            return DeliveryFollower.fromEnd(systemMailLog, source.syslogName());
        }
        if (runner != null && DeliveryFollower.journalRunning()) {
            return DeliveryFollower.journalFromNow(source.syslogName(), runner);
        }
        return null;
    }
}
