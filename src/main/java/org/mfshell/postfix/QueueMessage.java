package org.mfshell.postfix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One message as {@code postqueue -j} reports it. The parsed JSON object is kept whole, so
 * fields this class has no accessor for (forced_expire, 3.11's orig_address and bounce_reason,
 * anything newer) survive and are written out again by {@code --json}. Missing fields read as
 * empty values, never as errors.
 */
public final class QueueMessage {
    private final ObjectNode json;
    private final long line;
    private final String raw;
    private List<Recipient> recipients;

    public QueueMessage(ObjectNode json, long line) {
        this(json, line, null);
    }

    /** {@code raw} is the line exactly as postqueue printed it (may be null). */
    public QueueMessage(ObjectNode json, long line, String raw) {
        this.json = json;
        this.line = line;
        this.raw = raw;
    }

    /** The line as postqueue printed it, or null when not known. */
    public String raw() {
        return raw;
    }

    /** The object exactly as postqueue printed it (field order kept). */
    public ObjectNode json() {
        return json;
    }

    /** Line number in postqueue's output, 1-based. */
    public long line() {
        return line;
    }

    public String queueName() {
        return json.path("queue_name").asText("");
    }

    public String queueId() {
        return json.path("queue_id").asText("");
    }

    /** Arrival time in epoch seconds; 0 when absent. */
    public long arrivalTime() {
        return json.path("arrival_time").asLong(0);
    }

    public long messageSize() {
        return json.path("message_size").asLong(0);
    }

    public boolean forcedExpire() {
        return json.path("forced_expire").asBoolean(false);
    }

    /** Envelope sender; postqueue writes MAILER-DAEMON for the null sender. */
    public String sender() {
        return json.path("sender").asText("");
    }

    public List<Recipient> recipients() {
        if (recipients == null) {
            JsonNode arr = json.path("recipients");
            if (!arr.isArray()) {
                recipients = List.of();
            } else {
                List<Recipient> list = new ArrayList<>(arr.size());
                for (JsonNode r : arr) {
                    list.add(new Recipient(r.path("address").asText(""), textOrNull(r, "delay_reason"),
                            textOrNull(r, "orig_address"), textOrNull(r, "bounce_reason")));
                }
                recipients = Collections.unmodifiableList(list);
            }
        }
        return recipients;
    }

    /** The recipients' addresses, in postqueue's order. */
    public List<String> addresses() {
        return recipients().stream().map(Recipient::address).toList();
    }

    /** First delay reason of any recipient, or null. */
    public String firstReason() {
        for (Recipient r : recipients()) {
            if (r.delayReason() != null) {
                return r.delayReason();
            }
        }
        return null;
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
            return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
        }
    }
}
