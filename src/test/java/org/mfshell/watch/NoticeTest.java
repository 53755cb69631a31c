package org.mfshell.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.health.Verdict;
import org.mfshell.watch.ChangeDetector.Change;

/** The notice's words, JSON, mail message and syslog line, and its idempotency key. */
class NoticeTest {
    private static final long SINCE = Instant.parse("2026-12-02T13:40:05Z").toEpochMilli();
    private static final Observation BLOCKED = new Observation("msn-a", "192.0.2.4", "msn", Verdict.BLOCKED, false, null,
            "block signature microsoft-4.7.651 in 12 of 14 deliveries", Map.of("microsoft-4.7.651", 12L), 2, 0, 12, 12,
            11520, 12, "flush msn-a --to msn-b --domain hotmail.com");

    @Test
    void blockNotice() throws Exception {
        Change c = new Change("msn-a/msn", Verdict.OK, Verdict.BLOCKED, SINCE, SINCE + 60_000);
        Notice n = Notice.of(c, BLOCKED, "relay1", "last 30m");
        assertEquals("[mfshell] relay1: msn-a BLOCKED for msn (was OK): microsoft-4.7.651", n.subject());
        assertEquals("""
                msn-a BLOCKED for msn (was OK): microsoft-4.7.651, since 2026-12-02 13:40:05 UTC.

                Evidence (mail log, last 30m):
                  block signature microsoft-4.7.651 in 12 of 14 deliveries
                  signatures: microsoft-4.7.651 x12
                  deliveries to msn: 2 sent, 0 bounced, 12 deferred
                  deferred queue of msn-a: 12 messages, oldest deferred 3h12m, 12 recipients of msn deferred by a block signature

                Suggested command:
                  mfshell flush msn-a --to msn-b --domain hotmail.com

                Host relay1, detected 2026-12-02 13:41:05 UTC, notice id\s""" + n.key() + """
                .
                mfshell watch --status shows every verdict watched.
                """, n.text());
        JsonNode j = new ObjectMapper().readTree(n.json());
        assertEquals(n.key(), j.get("id").asText());
        assertEquals("BLOCKED", j.get("to").asText());
        assertEquals(12, j.get("evidence").get("signatures").get("microsoft-4.7.651").asLong());
        assertEquals(11520, j.get("evidence").get("oldest_deferred_seconds").asLong());
        assertEquals("mfshell flush msn-a --to msn-b --domain hotmail.com", j.get("suggested_command").asText());
        assertEquals("2026-12-02T13:40:05Z", j.get("since").asText());
    }

    @Test
    void drainedNoticeSuggestsTheRestore() {
        Observation drained = new Observation("msn-a", null, "msn", Verdict.BLOCKED, true, "msn-b", "block signature x",
                Map.of("microsoft-4.7.651", 12L), 0, 0, 12, 0, 0, 0, null);
        Notice n = Notice.of(new Change("msn-a/msn", Verdict.BLOCKED, Verdict.OK, SINCE, SINCE), drained, "relay1", "last 30m");
        assertTrue(n.subject().endsWith("msn-a OK for msn again (was BLOCKED): drained, reroute to msn-b in force"), n.subject());
        assertTrue(n.text().contains("  mfshell flush msn-a --restore\n  (the block is still in the log: restore once msn"), n.text());
        assertTrue(n.text().contains("reroute in force: msn-a to msn-b"), n.text());
    }

    @Test
    void noDeliveriesLeftMeansNoEvidenceAndNoCommand() {
        Notice n = Notice.of(new Change("msn-a/msn", Verdict.BLOCKED, Verdict.OK, SINCE, SINCE), null, "relay1", "last 30m");
        assertTrue(n.text().contains("no deliveries to msn in the window"), n.text());
        assertTrue(n.text().contains("Suggested command:\n  none\n"), n.text());
    }

    @Test
    void theKeyIsStableAndDistinguishesChanges() {
        Change c = new Change("msn-a/msn", Verdict.OK, Verdict.BLOCKED, SINCE, SINCE + 1);
        assertEquals(Notice.key("relay1", c), Notice.key("relay1", new Change("msn-a/msn", Verdict.OK, Verdict.BLOCKED,
                SINCE, SINCE + 999)), "the detection time is not part of the key; the first sighting is");
        assertNotEquals(Notice.key("relay1", c), Notice.key("relay2", c));
        assertNotEquals(Notice.key("relay1", c), Notice.key("relay1", new Change("msn-a/msn", Verdict.OK,
                Verdict.BLOCKED, SINCE + 1, SINCE + 1)));
        assertTrue(Notice.key("relay1", c).matches("[0-9a-f]{32}"));
    }

    @Test
    void mailMessageAndSyslogLine() {
        Notice n = Notice.of(new Change("msn-a/msn", Verdict.OK, Verdict.BLOCKED, SINCE, SINCE), BLOCKED, "relay1", "last 30m");
        String m = new String(MailChannel.message(n, "w@example.com", List.of("a@example.com", "b@example.com"),
                Instant.ofEpochMilli(SINCE)), StandardCharsets.UTF_8);
        assertTrue(m.startsWith("From: w@example.com\nTo: a@example.com, b@example.com\nSubject: [mfshell] relay1: msn-a "
                + "BLOCKED for msn (was OK): microsoft-4.7.651\nDate: Wed, 2 Dec 2026 13:40:05 GMT\nMessage-ID: "
                + "<mfshell-watch." + n.key() + "@relay1>\n"), m);
        assertTrue(m.contains("\n\nmsn-a BLOCKED for msn"), m);
        String line = SyslogChannel.line(n);
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("msn-a BLOCKED for msn (was OK): microsoft-4.7.651, since 2026-12-02 13:40:05 UTC.; "
                + "Evidence (mail log, last 30m): block signature"), line);
        assertTrue(line.contains("Suggested command: mfshell flush msn-a --to msn-b --domain hotmail.com [id=" + n.key() + "]"),
                line);
    }
}
