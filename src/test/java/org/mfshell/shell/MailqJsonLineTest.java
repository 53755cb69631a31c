package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.mfshell.queue.Fixtures;
import org.mfshell.postfix.QueueMessage;

/** {@code mailq NAME --json} lines: postqueue's object, every field kept, "instance" first. */
class MailqJsonLineTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyRealLineKeepsAllFieldsWithInstanceFirst() throws Exception {
        for (String fixture : new String[] {"postqueue-j-stopped.jsonl", "postqueue-j-3.11-fields.jsonl"}) {
            for (QueueMessage m : Fixtures.messages(fixture)) {
                String line = MailqCommand.jsonLine("msn-a", m);
                assertEquals(-1, line.indexOf('\n'));
                ObjectNode out = (ObjectNode) json.readTree(line);
                Iterator<String> names = out.fieldNames();
                assertEquals("instance", names.next());
                assertEquals("msn-a", out.get("instance").asText());
                ObjectNode expected = m.json().deepCopy();
                expected.put("instance", "msn-a");
                assertEquals(expected, out, line);
            }
        }
    }

    @Test
    void instanceFieldFromPostqueueIsReplacedNotDuplicated() throws Exception {
        QueueMessage m = Fixtures.parse("{\"instance\": \"other\", \"queue_id\": \"ABCDEF12345\", \"x\": [1]}\n", null).get(0);
        JsonNode out = json.readTree(MailqCommand.jsonLine("msn-b", m));
        assertEquals(Map.of("instance", "msn-b", "queue_id", "ABCDEF12345"),
                Map.of("instance", out.get("instance").asText(), "queue_id", out.get("queue_id").asText()));
        assertTrue(out.get("x").isArray());
        assertEquals(3, out.size());
    }
}
