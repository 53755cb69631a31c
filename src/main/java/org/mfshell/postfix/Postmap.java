package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mfshell.cli.MfshellException;

/**
 * {@code postmap -c DIR hash:FILE}: builds FILE.db from FILE with the owning instance's main.cf.
 * Errors: {@link MfshellException} with postmap's first stderr line.
 */
public final class Postmap {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final ProcessRunner runner;

    public Postmap(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> argv(Path configDir, Path source) {
        return List.of("postmap", "-c", configDir.toString(), "hash:" + source);
    }

    /** The file postmap writes for a hash: map of {@code source}. */
    public static Path hashDb(Path source) {
        return source.resolveSibling(source.getFileName() + ".db");
    }

    public void build(Path configDir, Path source) {
        ExecResult r = runner.run(argv(configDir, source), TIMEOUT);
        if (!r.ok()) {
            throw new MfshellException("postmap failed: " + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
    }
}
