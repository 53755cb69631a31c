package org.mfshell.postfix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mfshell.core.MfshellException;

/**
 * Reads {@code postqueue -j} output (JSON Lines) one line at a time and hands each message to a
 * {@link Handler} before reading the next, so memory does not grow with the queue. A line that is
 * not a JSON object is passed to {@link Handler#malformed} with its line number and reading goes
 * on. Blank lines are skipped. Lines are read as token streams into plain fields, without a
 * JSON tree per message (see {@link #fast}). This is the one reader of {@code postqueue -j}: mailq, the message
 * actions, flush and instance discovery all read through it (via {@link Postqueue#read}). Errors: {@link UncheckedIOException} when the stream fails.
 */
public final class QueueReader {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final int EXCERPT = 60;

    /**
     * Receives messages in postqueue's order; returning false stops reading (e.g. --limit reached).
     * By default a malformed line ends the reading with an {@link MfshellException}; mailq's
     * handler counts and shows them instead.
     */
    public interface Handler {
        boolean message(QueueMessage m);

        default void malformed(MalformedLine line) {
            throw new MfshellException("reading output of postqueue: " + line);
        }
    }

    private QueueReader() {
    }

    /** Reads until end of input or until the handler returns false; returns the number of lines read. */
    public static long read(InputStream in, Handler handler) {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long n = 0;
        try {
            String line;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                QueueMessage fast = fast(line, n);
                if (fast != null) {
                    if (!handler.message(fast)) {
                        break;
                    }
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    handler.malformed(new MalformedLine(n, "not valid JSON: " + e.getOriginalMessage(), excerpt(line)));
                    continue;
                }
                if (!(node instanceof ObjectNode obj)) {
                    handler.malformed(new MalformedLine(n, "not a JSON object", excerpt(line)));
                    continue;
                }
                if (!obj.path("queue_id").isTextual()) {
                    handler.malformed(new MalformedLine(n, "object without queue_id", excerpt(line)));
                    continue;
                }
                if (!handler.message(new QueueMessage(obj, n, line))) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /**
     * The common line parsed as a token stream, without a tree: the six fields and the recipients
     * with the types postqueue writes. Anything else (another type, a trailing token, invalid JSON,
     * no queue_id) gives null and the line goes through the tree parser, so the result and the
     * malformed-line reports are exactly the tree parser's.
     */
    static QueueMessage fast(String line, long n) {
        try (JsonParser p = FACTORY.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String queueName = "";
            String queueId = null;
            String sender = "";
            long arrival = 0;
            long size = 0;
            boolean expire = false;
            List<QueueMessage.Recipient> rcpts = List.of();
            List<String> other = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                t = p.nextToken();
                switch (f) {
                    case "queue_name" -> queueName = string(p, t);
                    case "queue_id" -> queueId = string(p, t);
                    case "sender" -> sender = string(p, t);
                    case "arrival_time" -> arrival = integer(p, t);
                    case "message_size" -> size = integer(p, t);
                    case "forced_expire" -> {
                        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                            return null;
                        }
                        expire = t == JsonToken.VALUE_TRUE;
                    }
                    case "recipients" -> {
                        rcpts = recipients(p, t);
                        if (rcpts == null) {
                            return null;
                        }
                    }
                    default -> {
                        if (other == null) {
                            other = new ArrayList<>(2);
                        }
                        other.add(f);
                        p.skipChildren();
                    }
                }
                if (queueName == null || queueId == null && f.equals("queue_id") || sender == null) {
                    return null;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null || queueId == null) {
                return null;
            }
            return new QueueMessage(queueName, queueId, arrival, size, expire, sender, rcpts, n, line, other);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String string(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_STRING ? p.getText() : null;
    }

    private static long integer(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalStateException("not an integer");
        }
        return p.getLongValue();
    }

    private static List<QueueMessage.Recipient> recipients(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return null;
        }
        List<QueueMessage.Recipient> list = new ArrayList<>(2);
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String address = "";
            String delay = null;
            String orig = null;
            String bounce = null;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                t = p.nextToken();
                switch (f) {
                    case "address" -> {
                        address = string(p, t);
                        if (address == null) {
                            return null;
                        }
                    }
                    case "delay_reason" -> delay = optional(p, t);
                    case "orig_address" -> orig = optional(p, t);
                    case "bounce_reason" -> bounce = optional(p, t);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return null;
            }
            list.add(new QueueMessage.Recipient(address, delay, orig, bounce));
        }
        return t == JsonToken.END_ARRAY ? Collections.unmodifiableList(list) : null;
    }

    private static String optional(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IllegalStateException("not a string");
        }
        return p.getText();
    }

    private static String excerpt(String line) {
        String s = line.strip();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < EXCERPT; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > EXCERPT ? sb + "..." : sb.toString();
    }
}
