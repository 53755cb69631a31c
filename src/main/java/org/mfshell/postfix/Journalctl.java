package org.mfshell.postfix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * Typed access to {@code journalctl -o json}: the fields the mail-log parser needs from the
 * system journal or from a journal file or directory, optionally from/until a time and after a
 * cursor kept in a file ({@code --cursor-file}: journalctl starts after the cursor it wrote the
 * previous time and writes the new one). The output is streamed, never held in memory.
 * Errors: {@link ProgramMissingException} without systemd's journalctl; {@link MfshellException}
 * when journalctl exits non-zero or is killed by the timeout.
 */
public final class Journalctl {
    private final ProcessRunner runner;

    public Journalctl(ProcessRunner runner) {
        this.runner = runner;
    }

    /**
     * The argv. {@code source} is a journal file or directory, or null for the system journal;
     * {@code sinceMs}/{@code untilMs} (epoch milliseconds, may be null) are widened to whole
     * seconds, journalctl's resolution, so nothing inside the window is cut off;
     * {@code cursorFile} may be null.
     */
    public static List<String> argv(Path source, Long sinceMs, Long untilMs, Path cursorFile) {
        List<String> argv = new ArrayList<>(List.of("journalctl", "-o", "json", "--no-pager", "-q",
                "--output-fields=SYSLOG_IDENTIFIER,SYSLOG_PID,_PID,_HOSTNAME,MESSAGE"));
        if (source != null) {
            argv.add((Files.isDirectory(source) ? "--directory=" : "--file=") + source);
        }
        if (sinceMs != null) {
            argv.add("--since=@" + Math.floorDiv(sinceMs, 1000));
        }
        if (untilMs != null) {
            argv.add("--until=@" + (Math.floorDiv(untilMs, 1000) + 1));
        }
        if (cursorFile != null) {
            argv.add("--cursor-file=" + cursorFile);
        }
        return argv;
    }

    /** Runs journalctl and hands its JSON output to {@code consumer} while it runs. */
    public void stream(Path source, Long sinceMs, Long untilMs, Path cursorFile, Duration timeout,
                       ProcessRunner.StreamConsumer consumer) {
        ExecResult r = runner.stream(argv(source, sinceMs, untilMs, cursorFile), timeout, consumer);
        if (!r.ok()) {
            throw new MfshellException("journalctl failed: " + r.firstErrorLine());
        }
    }
}
