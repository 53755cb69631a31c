package org.mfshell.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.mfshell.postfix.Postqueue;
import org.mfshell.provider.ProviderGroups;

/**
 * One instance's deferred queue as {@code check} needs it: the arrival time of its oldest deferred
 * message, how many deferred recipients each provider group has, and how many of them were
 * deferred by a block signature (their delay_reason). Read from one streamed
 * {@code postqueue -j} (only scalar fields kept, so memory does not grow with the queue).
 * Errors: postqueue's failure as {@code MfshellException}.
 */
public record DeferredQueue(long oldestArrival, Map<String, Long> recipientsByGroup, Map<String, Long> blockedByGroup) {
    public static final DeferredQueue EMPTY = new DeferredQueue(0, Map.of(), Map.of());

    /** Seconds since the oldest deferred message arrived, 0 when there is none. */
    public long oldestAgeSeconds(long nowSeconds) {
        return oldestArrival <= 0 ? 0 : Math.max(0, nowSeconds - oldestArrival);
    }

    /** Reads the queue; {@code blocked} says whether a delay_reason is a block signature's. */
    public static DeferredQueue read(Postqueue postqueue, Path configDir, ProviderGroups groups,
                                     Predicate<String> blocked) {
        JsonFactory jf = new JsonFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
        long[] oldest = {0};
        Map<String, Long> byGroup = new TreeMap<>();
        Map<String, Long> blockedByGroup = new TreeMap<>();
        postqueue.streamJson(configDir, (InputStream in) -> {
            try (JsonParser p = jf.createParser(in)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.START_OBJECT) {
                        readMessage(p, oldest, byGroup, blockedByGroup, groups, blocked);
                    }
                }
            }
        });
        return new DeferredQueue(oldest[0], byGroup, blockedByGroup);
    }

    /** One top-level message object (the parser is on its START_OBJECT); leaves the parser after its END_OBJECT. */
    private static void readMessage(JsonParser p, long[] oldest, Map<String, Long> byGroup,
                                    Map<String, Long> blockedByGroup, ProviderGroups groups, Predicate<String> blocked)
            throws java.io.IOException {
        String queue = null;
        long arrival = 0;
        Map<String, Long> recipients = new TreeMap<>();
        Map<String, Long> blockedRecipients = new TreeMap<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_OBJECT && t != null) {
            if (t != JsonToken.FIELD_NAME) {
                continue;
            }
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "queue_name" -> queue = p.getText();
                case "arrival_time" -> arrival = p.getValueAsLong();
                case "recipients" -> readRecipients(p, recipients, blockedRecipients, groups, blocked);
                default -> p.skipChildren();
            }
        }
        if (!"deferred".equals(queue)) {
            return;
        }
        if (arrival > 0 && (oldest[0] == 0 || arrival < oldest[0])) {
            oldest[0] = arrival;
        }
        recipients.forEach((g, n) -> byGroup.merge(g, n, Long::sum));
        blockedRecipients.forEach((g, n) -> blockedByGroup.merge(g, n, Long::sum));
    }

    private static void readRecipients(JsonParser p, Map<String, Long> out, Map<String, Long> blockedOut,
                                       ProviderGroups groups, Predicate<String> blocked) throws java.io.IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            String address = null;
            String reason = null;
            while ((t = p.nextToken()) != JsonToken.END_OBJECT && t != null) {
                if (t != JsonToken.FIELD_NAME) {
                    continue;
                }
                String name = p.currentName();
                p.nextToken();
                if (name.equals("address")) {
                    address = p.getText();
                } else if (name.equals("delay_reason")) {
                    reason = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            int at = address == null ? -1 : address.lastIndexOf('@');
            if (at >= 0) {
                String g = groups.groupOf(address.substring(at + 1).toLowerCase(java.util.Locale.ROOT));
                out.merge(g, 1L, Long::sum);
                if (reason != null && blocked.test(reason)) {
                    blockedOut.merge(g, 1L, Long::sum);
                }
            }
        }
    }
}
