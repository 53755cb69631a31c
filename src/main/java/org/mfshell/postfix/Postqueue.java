package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.core.MfshellException;

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

    /**
     * Streams {@code postqueue -j} through the one reader, {@link QueueReader}: each message goes to
     * {@code handler} before the next is read. Returns postqueue's exit and stderr.
     */
    public ExecResult read(Path configDir, QueueReader.Handler handler) {
        return streamJson(configDir, in -> QueueReader.read(in, handler));
    }

    /**
     * Every message in every queue of the instance, for callers that need them all at once (a
     * flush's source queue). A line that is not a message object is an error here.
     */
    public List<QueueMessage> messages(Path configDir) {
        List<QueueMessage> out = new ArrayList<>();
        read(configDir, m -> {
            out.add(m);
            return true;
        });
        return out;
    }

    public static List<String> flushAllArgv(Path configDir) {
        return List.of("postqueue", "-c", configDir.toString(), "-f");
    }

    public static List<String> flushIdArgv(Path configDir, String queueId) {
        return List.of("postqueue", "-c", configDir.toString(), "-i", queueId);
    }

    /**
     * {@code postqueue -i ID} for many messages: one xargs run (argv, no shell) that starts
     * {@code postqueue -c DIR -i ID} for each id read from its stdin, {@code parallel} at a time.
     * Starting a thousand processes from the JVM costs several times what xargs does. Ids must be
     * Postfix queue ids (letters and digits). Returns the failure text, or null when every run
     * worked (postqueue -i exits 0 for an id that is gone: it only asks the flush service).
     */
    public String flushIds(Path configDir, List<String> queueIds, int parallel) {
        if (queueIds.isEmpty()) {
            return null;
        }
        StringBuilder in = new StringBuilder(queueIds.size() * 16);
        for (String id : queueIds) {
            if (id.isEmpty() || !id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                throw new IllegalArgumentException("not a queue id: " + id);
            }
            in.append(id).append('\n');
        }
        Duration timeout = SHORT_TIMEOUT.plusMillis(100L * queueIds.size());
        ExecResult r = runner.run(flushIdsArgv(configDir, parallel), timeout,
                in.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), Map.of());
        return r.ok() ? null : (r.timedOut() ? "timed out" : r.firstErrorLine());
    }

    public static List<String> flushIdsArgv(Path configDir, int parallel) {
        return List.of("xargs", "-r", "-n", "1", "-P", Integer.toString(parallel),
                "postqueue", "-c", configDir.toString(), "-i");
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
