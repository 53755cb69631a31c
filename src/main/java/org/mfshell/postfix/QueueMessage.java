package org.mfshell.postfix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One message as {@code postqueue -j} reports it, as plain fields. The line postqueue printed
 * ({@link #raw}) is kept, so fields this class has no accessor for (3.11's orig_address and
 * bounce_reason, anything newer) survive and are written out again by {@code --json}; the JSON
 * tree ({@link #json}) is only built when asked for. A message read from the queue files
 * ({@link QueueFiles}) has no printed line: {@link #raw} is then the line postqueue would print
 * for it. Missing fields read as empty values, never as errors.
 */
public final class QueueMessage {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String queueName;
    private final String queueId;
    private final long arrivalTime;
    private final long messageSize;
    private final boolean forcedExpire;
    private final String sender;
    private final List<Recipient> recipients;
    private final long line;
    private final List<String> otherFields;
    private String raw;
    private ObjectNode json;

    public QueueMessage(ObjectNode json, long line) {
        this(json, line, null);
    }

    /** From a parsed object; {@code raw} is the line exactly as postqueue printed it (may be null). */
    public QueueMessage(ObjectNode json, long line, String raw) {
        this(json.path("queue_name").asText(""), json.path("queue_id").asText(""),
                json.path("arrival_time").asLong(0), json.path("message_size").asLong(0),
                json.path("forced_expire").asBoolean(false), json.path("sender").asText(""),
                recipientsOf(json.path("recipients")), line, raw, null);
        this.json = json;
    }

    /** From plain fields; {@code raw} null means "the line postqueue would print for these fields". */
    public QueueMessage(String queueName, String queueId, long arrivalTime, long messageSize, boolean forcedExpire,
                        String sender, List<Recipient> recipients, long line, String raw) {
        this(queueName, queueId, arrivalTime, messageSize, forcedExpire, sender, recipients, line, raw, null);
    }

    /** As above, with the names of the other top-level fields of {@code raw} (null: none). */
    public QueueMessage(String queueName, String queueId, long arrivalTime, long messageSize, boolean forcedExpire,
                        String sender, List<Recipient> recipients, long line, String raw, List<String> otherFields) {
        this.otherFields = otherFields;
        this.queueName = queueName;
        this.queueId = queueId;
        this.arrivalTime = arrivalTime;
        this.messageSize = messageSize;
        this.forcedExpire = forcedExpire;
        this.sender = sender;
        this.recipients = recipients;
        this.line = line;
        this.raw = raw;
    }

    /** The line as postqueue printed it, or as postqueue would print it for a message read from the files. */
    public String raw() {
        if (raw == null && json == null) {
            raw = PostqueueJson.line(this);
        }
        return raw;
    }

    /** The object as postqueue printed it (field order kept); parsed on first use. */
    public ObjectNode json() {
        if (json == null) {
            try {
                json = (ObjectNode) MAPPER.readTree(raw());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    /** True when the object has a top-level field of that name, one of postqueue's or another. */
    public boolean has(String field) {
        if (json != null) {
            return json.has(field);
        }
        return switch (field) {
            case "queue_name", "queue_id", "arrival_time", "message_size", "forced_expire", "sender", "recipients" ->
                    raw == null || raw.contains("\"" + field + "\"");
            default -> otherFields != null && otherFields.contains(field);
        };
    }

    /** Line number in postqueue's output (1-based), or the message's position in a file scan. */
    public long line() {
        return line;
    }

    public String queueName() {
        return queueName;
    }

    public String queueId() {
        return queueId;
    }

    /** Arrival time in epoch seconds; 0 when absent. */
    public long arrivalTime() {
        return arrivalTime;
    }

    public long messageSize() {
        return messageSize;
    }

    public boolean forcedExpire() {
        return forcedExpire;
    }

    /** Envelope sender; postqueue writes MAILER-DAEMON for the null sender. */
    public String sender() {
        return sender;
    }

    public List<Recipient> recipients() {
        return recipients;
    }

    /** The recipients' addresses, in postqueue's order. */
    public List<String> addresses() {
        return recipients.stream().map(Recipient::address).toList();
    }

    /** First delay reason of any recipient, or null. */
    public String firstReason() {
        for (Recipient r : recipients) {
            if (r.delayReason() != null) {
                return r.delayReason();
            }
        }
        return null;
    }

    private static List<Recipient> recipientsOf(JsonNode arr) {
        if (!arr.isArray()) {
            return List.of();
        }
        List<Recipient> list = new ArrayList<>(arr.size());
        for (JsonNode r : arr) {
            list.add(new Recipient(r.path("address").asText(""), textOrNull(r, "delay_reason"),
                    textOrNull(r, "orig_address"), textOrNull(r, "bounce_reason")));
        }
        return Collections.unmodifiableList(list);
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * One recipient. {@code delayReason} is present only for mail that was deferred;
     * {@code origAddress} and {@code bounceReason} only from Postfix 3.11 on.
     */
    public record Recipient(String address, String delayReason, String origAddress, String bounceReason) {
        /** Lower-cased domain of the address, "" when it has none. */
        public String domain() {
            int at = address.lastIndexOf('@');
            if (at < 0) {
                return "";
            }
            for (int i = at + 1; i < address.length(); i++) {
                char c = address.charAt(i);
                if (c >= 'A' && c <= 'Z' || c > 0x7f) {
                    return address.substring(at + 1).toLowerCase(Locale.ROOT);
                }
            }
            return address.substring(at + 1);
        }
    }
}
