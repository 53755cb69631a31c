package org.mfshell.postfix;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** For {@link #messages}: the runner drains and closes the stream itself after the consumer returns. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE);

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

    /** One queued message as postqueue -j reports it (recipients still to be delivered). */
    public record Message(String queueName, String queueId, long arrivalTime, String sender, List<String> recipients) {
    }

    /** Every message in every queue of the instance, read one JSON object at a time. */
    public List<Message> messages(Path configDir) {
        List<Message> out = new ArrayList<>();
        streamJson(configDir, (InputStream in) -> {
            try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(in)) {
                while (it.hasNextValue()) {
                    JsonNode n = it.nextValue();
                    List<String> rcpts = new ArrayList<>();
                    for (JsonNode rc : n.path("recipients")) {
                        rcpts.add(rc.path("address").asText(""));
                    }
                    out.add(new Message(n.path("queue_name").asText(""), n.path("queue_id").asText(""),
                            n.path("arrival_time").asLong(0), n.path("sender").asText(""), rcpts));
                }
            }
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
