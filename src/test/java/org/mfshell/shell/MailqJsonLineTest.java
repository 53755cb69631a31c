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
                assertEquals(line + System.lineSeparator(), written(m), "the line --json writes is jsonLine's");
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
        assertEquals(MailqCommand.jsonLine("msn-b", m) + System.lineSeparator(), written(m).replace("msn-a", "msn-b"));
    }

    @Test
    void aLineFromTheQueueFilesIsWrittenAsJsonLineWouldMakeIt() throws Exception {
        QueueMessage m = new QueueMessage("hold", "4XbCz1", 1796232207L, 339, false, "a\"b@x.org",
                java.util.List.of(new QueueMessage.Recipient("u@hotmail.com", "451 4.7.651 <u@hotmail.com>: tab\there", null, null),
                        new QueueMessage.Recipient("v@outlook.com", null, null, null)), 0, null);
        String line = MailqCommand.jsonLine("msn-a", m);
        assertEquals(line + System.lineSeparator(), written(m));
        assertTrue(line.startsWith("{\"instance\":\"msn-a\", \"queue_name\": \"hold\""), line);
        assertTrue(line.contains("\"sender\": \"a\\\"b@x.org\"") && line.contains("tab\\there"), line);
    }

    private static String written(QueueMessage m) {
        java.io.StringWriter sw = new java.io.StringWriter();
        try (java.io.PrintWriter pw = new java.io.PrintWriter(sw)) {
            MailqCommand.writeJsonLine(pw, "msn-a", m);
        }
        return sw.toString();
    }
}
