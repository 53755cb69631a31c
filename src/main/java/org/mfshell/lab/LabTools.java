package org.mfshell.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/**
 * The Postfix programs and file operations the lab needs, each run through {@link ProcessRunner}
 * with a config dir ({@code -c DIR}). Kept inside the lab package on purpose: the shared typed
 * wrappers in org.mfshell.postfix belong to the services. Errors: {@link MfshellException} with
 * the program's first stderr line when a program fails.
 */
final class LabTools {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ProcessRunner runner;

    LabTools(ProcessRunner runner) {
        this.runner = runner;
    }

    /** {@code postconf -c DIR ARGS...}, failing on a non-zero exit. */
    String postconf(Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("postconf", "-c", dir.toString()));
        argv.addAll(List.of(args));
        return check(runner.run(argv, TIMEOUT)).stdout();
    }

    /** {@code postfix -c DIR ACTION}; the caller reads the exit code (postfix prints nothing without a tty). */
    ExecResult postfix(Path dir, String action) {
        return runner.run(List.of("postfix", "-c", dir.toString(), action), TIMEOUT);
    }

    /** {@code postsuper -c DIR ARGS...}; postsuper reports on stderr, returned for the caller to read. */
    String postsuper(Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("postsuper", "-c", dir.toString()));
        argv.addAll(List.of(args));
        return check(runner.run(argv, TIMEOUT)).stderr();
    }

    private static ExecResult check(ExecResult r) {
        if (!r.ok()) {
            throw new MfshellException(String.join(" ", r.argv()) + " failed: "
                    + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
        return r;
    }

    /** Writes a file through a temp file beside it, forced to disk, then renamed over the target. */
    static void writeAtomically(Path target, String content) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new MfshellException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets a file's modification time 10 s into the past: Postfix commands wait until main.cf is
     * 2 s old, which would slow every freshly generated instance.
     */
    static void backdate(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(10)));
        } catch (IOException e) {
            throw new MfshellException("cannot set the time of " + file + ": " + e.getMessage(), e);
        }
    }
}
