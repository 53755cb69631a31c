package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mfshell.cli.MfshellException;

/**
 * Typed access to {@code postqueue -c DIR}: the JSON queue listing as a stream ({@code -j}), the
 * classic listing ({@code -p}), flushing ({@code -f}) and delivering one message ({@code -i ID}).
 * postqueue works on a stopped instance by reading the queue directly and says so on stderr;
 * {@link #mailSystemDown} recognises that note. Errors: {@link MfshellException} with
 * postqueue's first stderr line when it fails or times out.
 */
public final class Postqueue {
    /** Generous: 100,000 queued messages take a few seconds. */
    public static final Duration LIST_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(60);

    private final ProcessRunner runner;

    public Postqueue(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> jsonArgv(Path configDir) {
        return List.of("postqueue", "-c", configDir.toString(), "-j");
    }

    /** Runs {@code postqueue -j} and hands its stdout to {@code consumer} while it runs; returns exit and stderr. */
    public ExecResult streamJson(Path configDir, ProcessRunner.StreamConsumer consumer) {
        return check(runner.stream(jsonArgv(configDir), LIST_TIMEOUT, consumer));
    }

    /** {@code postqueue -p} as text. */
    public String list(Path configDir) {
        return check(runner.run(List.of("postqueue", "-c", configDir.toString(), "-p"), LIST_TIMEOUT)).stdout();
    }

    /** {@code postqueue -f}: attempt delivery of all queued mail now. */
    public void flush(Path configDir) {
        check(runner.run(List.of("postqueue", "-c", configDir.toString(), "-f"), SHORT_TIMEOUT));
    }

    /** {@code postqueue -i ID}: attempt delivery of one message now. */
    public void deliver(Path configDir, String queueId) {
        check(runner.run(List.of("postqueue", "-c", configDir.toString(), "-i", queueId), SHORT_TIMEOUT));
    }

    /** True when postqueue's stderr says the instance is not running (it then read the queue directly). */
    public static boolean mailSystemDown(String stderr) {
        return stderr != null && stderr.contains("Mail system is down");
    }

    private static ExecResult check(ExecResult r) {
        if (r.timedOut()) {
            throw new MfshellException("postqueue timed out: " + String.join(" ", r.argv()));
        }
        if (r.exitCode() != 0) {
            throw new MfshellException("postqueue failed: " + r.firstErrorLine());
        }
        return r;
    }
}
