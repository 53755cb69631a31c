package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;

/**
 * Typed access to {@code postcat -c DIR -q ID}: a queued message's headers ({@code -h}) or the
 * whole queue file (envelope, headers, body). Errors: {@link UsageException} when the queue has
 * no such message; {@link MfshellException} for any other postcat failure.
 */
public final class Postcat {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final ProcessRunner runner;

    public Postcat(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> argv(Path configDir, String queueId, boolean whole) {
        List<String> argv = new ArrayList<>(List.of("postcat", "-c", configDir.toString()));
        if (!whole) {
            argv.add("-h");
        }
        argv.add("-q");
        argv.add(queueId);
        return argv;
    }

    /** The message's headers, or with {@code whole} the envelope records, headers and body. */
    public String show(Path configDir, String queueId, boolean whole) {
        ExecResult r = runner.run(argv(configDir, queueId, whole), TIMEOUT);
        if (r.ok()) {
            return r.stdout();
        }
        if (r.stderr().contains("No such file or directory")) {
            throw new UsageException("no message " + queueId + " in the queue of " + configDir);
        }
        throw new MfshellException("postcat failed: " + r.firstErrorLine());
    }
}
