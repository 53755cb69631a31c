package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mfshell.queue.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * Parser tests over real {@code postqueue -j} output of Postfix 3.7.11, produced on this machine by
 * a throw-away instance that relayed to a deferring test server on loopback (see
 * src/test/resources/queue/README.md).
 */
class QueueReaderTest {

    @Test
    void readsEveryQueueOfARealStoppedInstance() {
        List<QueueMessage> all = Fixtures.messages("postqueue-j-stopped.jsonl");
        assertEquals(18, all.size());
        Map<String, Integer> perQueue = new TreeMap<>();
        all.forEach(m -> perQueue.merge(m.queueName(), 1, Integer::sum));
        assertEquals(Map.of("active", 1, "deferred", 12, "hold", 2, "incoming", 2, "maildrop", 1), perQueue);
    }

    @Test
    void heldMessage() {
        QueueMessage held = find("postqueue-j-stopped.jsonl", "8CD6D20C5E1");
        assertEquals("hold", held.queueName());
        assertEquals("news@lists.example.net", held.sender());
        assertEquals(336, held.messageSize());
        assertEquals(1795963653L, held.arrivalTime());
        assertEquals(List.of("alice@hotmail.com"), held.recipients().stream().map(QueueMessage.Recipient::address).toList());
        assertTrue(held.recipients().get(0).delayReason().contains("4.7.651"));
    }

    @Test
    void activeMessageWithAndWithoutReasons() {
        QueueMessage active = find("postqueue-j-stopped.jsonl", "4jcqlB53YczJ9nh");
        assertEquals("active", active.queueName());
        List<QueueMessage.Recipient> r = active.recipients();
        assertEquals(3, r.size());
        assertEquals("sybil@hotmail.com", r.get(0).address());
        assertTrue(r.get(0).delayReason().startsWith("host 127.0.5.41[127.0.5.41] said: 451 4.7.651"));
        assertNull(r.get(1).delayReason());
        assertEquals("slow.example", r.get(1).domain());
    }

    @Test
    void multiRecipientMessageWithDifferentReasons() {
        QueueMessage m = find("postqueue-j-stopped.jsonl", "A544020C5E2");
        assertEquals(3, m.recipients().size());
        assertEquals(List.of("aol.com", "gmail.com", "yahoo.com"),
                m.recipients().stream().map(QueueMessage.Recipient::domain).sorted().toList());
        assertTrue(m.recipients().stream().allMatch(r -> r.delayReason() != null));
        assertFalse(m.forcedExpire());
    }

    @Test
    void maildropAndNullSender() {
        QueueMessage drop = find("postqueue-j-stopped.jsonl", "4jcqlM0cY8zJ9Sl");
        assertEquals("maildrop", drop.queueName());
        assertEquals(2, drop.recipients().size());
        assertEquals("MAILER-DAEMON", find("postqueue-j-stopped.jsonl", "0D79C20C5FC").sender());
    }

    /**
     * Postfix 3.11 adds orig_address and bounce_reason per recipient. Postfix here is 3.7, so these
     * objects are real lines from postqueue-j-stopped.jsonl with those fields (and one invented
     * future field) added by hand.
     */
    @Test
    void keepsNewerAndUnknownFieldsForReEmission() throws Exception {
        String line = Fixtures.text("postqueue-j-3.11-fields.jsonl");
        List<QueueMessage> ms = Fixtures.parse(line, null);
        assertEquals(2, ms.size());
        QueueMessage m = ms.get(0);
        QueueMessage.Recipient r = m.recipients().get(0);
        assertEquals("Carol@Hotmail.com", r.origAddress());
        assertTrue(r.bounceReason().contains("5.7.1"));
        assertTrue(m.forcedExpire());
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("instance", "msn-a");
        out.setAll(m.json());
        ObjectNode original = (ObjectNode) new ObjectMapper().readTree(line.split("\n")[0]);
        for (var it = original.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            assertEquals(original.get(f), out.get(f), f);
        }
        assertEquals("msn-a", out.get("instance").asText());
        assertEquals("ok", out.get("future_field").get("nested").asText());
    }

    @Test
    void malformedLinesAreReportedWithTheirNumberAndTheRestIsRead() {
        String[] lines = Fixtures.text("postqueue-j-running.jsonl").split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i == 2) {
                sb.append(lines[i], 0, lines[i].length() / 2).append('\n'); // cut short: line 3
            } else if (i == 5) {
                sb.append("[1,2,3]\n"); // valid JSON, not an object: line 6
            } else {
                sb.append(lines[i]).append('\n');
            }
        }
        sb.append(lines[0]).append(" trailing\n"); // garbage after the object: last line
        List<MalformedLine> bad = new ArrayList<>();
        List<QueueMessage> ok = Fixtures.parse(sb.toString(), bad);
        assertEquals(lines.length - 2, ok.size());
        assertEquals(List.of(3L, 6L, (long) lines.length + 1), bad.stream().map(MalformedLine::line).toList());
        assertTrue(bad.get(0).problem().startsWith("not valid JSON"), bad.get(0).toString());
        assertEquals("not a JSON object", bad.get(1).problem());
    }

    private static QueueMessage find(String fixture, String id) {
        return Fixtures.messages(fixture).stream().filter(m -> m.queueId().equals(id)).findFirst().orElseThrow();
    }
}
