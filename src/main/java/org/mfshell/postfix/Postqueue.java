package org.mfshell.postfix;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mfshell.cli.MfshellException;

/**
 * {@code postqueue -c DIR -j|-f|-i ID}. The -j reader streams one JSON object at a time
 * (Jackson MappingIterator) and ignores members it does not know, as postqueue(1) asks.
 * Errors: {@link MfshellException} with postqueue's first stderr line.
 */
public final class Postqueue {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    // The runner drains and closes the stream itself after the consumer returns.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE);
    private final ProcessRunner runner;

    public Postqueue(ProcessRunner runner) {
        this.runner = runner;
    }

    /** One queued message as postqueue -j reports it (recipients still to be delivered). */
    public record Message(String queueName, String queueId, long arrivalTime, String sender, List<String> recipients) {
    }

    public static List<String> flushAllArgv(Path configDir) {
        return List.of("postqueue", "-c", configDir.toString(), "-f");
    }

    public static List<String> flushIdArgv(Path configDir, String queueId) {
        return List.of("postqueue", "-c", configDir.toString(), "-i", queueId);
    }

    /** Every message in every queue of the instance. */
    public List<Message> messages(Path configDir) {
        List<Message> out = new ArrayList<>();
        ExecResult r = runner.stream(List.of("postqueue", "-c", configDir.toString(), "-j"), TIMEOUT, (InputStream in) -> {
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
        if (!r.ok()) {
            throw new MfshellException("postqueue -j failed for " + configDir + ": "
                    + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
        return out;
    }

    /** {@code postqueue -f}: every queued message, now. */
    public void flushAll(Path configDir) {
        ExecResult r = runner.run(flushAllArgv(configDir), TIMEOUT);
        if (!r.ok()) {
            throw new MfshellException("postqueue -f failed for " + configDir + ": "
                    + (r.timedOut() ? "timed out" : r.firstErrorLine()));
        }
    }

    /** {@code postqueue -i ID}; returns the failure text, or null when it worked. */
    public String flushId(Path configDir, String queueId) {
        ExecResult r = runner.run(flushIdArgv(configDir, queueId), TIMEOUT);
        return r.ok() ? null : (r.timedOut() ? "timed out" : r.firstErrorLine());
    }
}
