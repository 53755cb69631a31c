package org.mfshell.postfix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mfshell.core.MfshellException;

/**
 * Reads {@code postqueue -j} output (JSON Lines) one line at a time and hands each message to a
 * {@link Handler} before reading the next, so memory does not grow with the queue. A line that is
 * not a JSON object is passed to {@link Handler#malformed} with its line number and reading goes
 * on. Blank lines are skipped. This is the one reader of {@code postqueue -j}: mailq, the message
 * actions, flush and instance discovery all read through it (via {@link Postqueue#read}). Errors: {@link UncheckedIOException} when the stream fails.
 */
public final class QueueReader {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
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
