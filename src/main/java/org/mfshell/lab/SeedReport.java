package org.mfshell.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Lab#seed()} injected: every message with its Message-ID (without angle brackets),
 * the queue id the instance gave it, its recipients and the outcome the provider will give
 * each recipient, plus which messages were put on hold afterwards.
 */
public record SeedReport(String token, List<SeededMessage> messages) {

    /** What the provider does with one recipient. */
    public enum Outcome { SENT, DEFERRED, BOUNCED }

    public record SeededMessage(String instance, String messageId, String queueId, String sender,
                                Map<String, Outcome> recipients, boolean held) {
        public boolean has(Outcome o) {
            return recipients.containsValue(o);
        }
    }

    /** Counts for one instance. */
    public record Counts(int messages, int recipients, int sent, int deferred, int bounced, int held) {
    }

    public List<SeededMessage> messages(String instance) {
        return messages.stream().filter(m -> m.instance().equals(instance)).toList();
    }

    /** Counts per instance, in {@link Lab#INSTANCES} order. */
    public Map<String, Counts> counts() {
        Map<String, Counts> out = new LinkedHashMap<>();
        for (String name : Lab.INSTANCES) {
            List<SeededMessage> ms = messages(name);
            int rcpts = 0;
            int sent = 0;
            int deferred = 0;
            int bounced = 0;
            int held = 0;
            for (SeededMessage m : ms) {
                rcpts += m.recipients().size();
                for (Outcome o : m.recipients().values()) {
                    switch (o) {
                        case SENT -> sent++;
                        case DEFERRED -> deferred++;
                        case BOUNCED -> bounced++;
                    }
                }
                if (m.held()) {
                    held++;
                }
            }
            out.put(name, new Counts(ms.size(), rcpts, sent, deferred, bounced, held));
        }
        return out;
    }
}
