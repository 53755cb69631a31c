package org.mfshell.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.QueueMessage;

/** Filters over the real stopped-instance fixture (arrival times 1795963653..1795963695). */
class QueueFilterTest {
    private static final long NOW = 1795963695L + 3600;
    private final List<QueueMessage> all = Fixtures.messages("postqueue-j-stopped.jsonl");

    private List<String> ids(QueueFilter f) {
        return all.stream().filter(m -> f.matches(m, NOW)).map(QueueMessage::queueId).toList();
    }

    @Test
    void queueNames() {
        assertEquals(List.of("8CD6D20C5E1", "DC91720C5ED"), ids(QueueFilter.builder().queue("hold").build()));
        assertEquals(4, ids(QueueFilter.builder().queue("hold").queue("incoming").build()).size());
    }

    @Test
    void recipientDomainCaseInsensitive() {
        List<String> gmail = ids(QueueFilter.builder().domain("GMAIL.com").build());
        assertEquals(List.of("4jcqlM0cY8zJ9Sl", "B795120C5E5", "A544020C5E2"), gmail);
    }

    @Test
    void senderAddressDomainAndNullSender() {
        assertEquals(3, ids(QueueFilter.builder().sender("SlowPoke@ops.example.net").build()).size());
        assertEquals(5, ids(QueueFilter.builder().sender("@ops.example.net").build()).size());
        assertEquals(List.of("0D79C20C5FC"), ids(QueueFilter.builder().sender("<>").build()));
    }

    @Test
    void reasonRegexAndCombination() {
        assertEquals(List.of("4jcqkn6sDVzJ9mB", "4jcqkn650lzJ9m4"),
                ids(QueueFilter.builder().reason("connection refused").build()));
        // --domain and --reason must hold for the same recipient.
        assertEquals(List.of(), ids(QueueFilter.builder().domain("hotmail.com").reason("refused").build()));
        assertEquals(List.of("4jcqkn6sDVzJ9mB"),
                ids(QueueFilter.builder().domain("hotmail.com").reason("4\\.7\\.651").sender("news@lists.example.net")
                        .queue("deferred").build()).stream().filter(id -> id.startsWith("4jcqkn6")).toList());
    }

    @Test
    void olderThan() {
        long newest = all.stream().mapToLong(QueueMessage::arrivalTime).max().orElseThrow();
        long oldest = all.stream().mapToLong(QueueMessage::arrivalTime).min().orElseThrow();
        QueueFilter f = QueueFilter.builder().olderThan(Duration.ofSeconds(NOW - oldest)).build();
        assertTrue(ids(f).size() >= 1 && ids(f).size() < all.size());
        assertEquals(all.size(), ids(QueueFilter.builder().olderThan(Duration.ofSeconds(NOW - newest)).build()).size());
        assertEquals(0, ids(QueueFilter.builder().olderThan(Duration.ofDays(1)).build()).size());
    }

    @Test
    void explicitIds() {
        assertEquals(List.of("3EE8720C608"), ids(QueueFilter.builder().ids(List.of("3EE8720C608", "AAAAAAAAAA1")).build()));
    }

    /**
     * A pattern that makes a backtracking engine take exponential time, on a queue of 56 messages
     * with long real-looking delay reasons: RE2/J answers at once (java.util.regex did not finish).
     */
    @Test
    void catastrophicReasonPatternCannotHang() {
        String reason = "host 203.0.113.20[203.0.113.20] said: 451 4.7.651 <a@hotmail.com>: Recipient address "
                + "rejected: The mail server [198.51.100.4] has been temporarily rate limited due to IP reputation. "
                + "For e-mail delivery information, see https://aka.ms/postmaster (in reply to RCPT TO command) ";
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 56; i++) {
            jsonl.append("{\"queue_name\": \"deferred\", \"queue_id\": \"4jcqkn6sDVzJ").append(String.format("%03d", i))
                    .append("\", \"arrival_time\": 1795963653, \"message_size\": 700, \"forced_expire\": false, ")
                    .append("\"sender\": \"news@lists.example.net\", \"recipients\": [{\"address\": \"a")
                    .append(i).append("@hotmail.com\", \"delay_reason\": \"").append(reason.repeat(4)).append("\"}]}\n");
        }
        List<QueueMessage> queue = Fixtures.parse(jsonl.toString(), null);
        assertEquals(56, queue.size());
        QueueFilter f = QueueFilter.builder().reason("(.*a){8}x").build();
        QueueFilter g = QueueFilter.builder().reason("(.*a){8}").build();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertEquals(0, queue.stream().filter(m -> f.matches(m, NOW)).count());
            assertEquals(56, queue.stream().filter(m -> g.matches(m, NOW)).count());
        });
    }

    @Test
    void reasonIsCaseInsensitiveRe2() {
        assertEquals(List.of("4jcqkn6sDVzJ9mB", "4jcqkn650lzJ9m4"),
                ids(QueueFilter.builder().reason("CONNECTION REFUSED").build()));
        UsageException e = assertThrows(UsageException.class, () -> QueueFilter.builder().reason("(a)\\1"));
        assertTrue(e.getMessage().startsWith("--reason: bad regular expression '(a)\\\\1': "), e.getMessage());
    }

    @Test
    void domainIsTheOneDomainRule() {
        assertEquals(ids(QueueFilter.builder().domain("gmail.com").build()), ids(QueueFilter.builder().domain("@gmail.com").build()));
        for (String ip : List.of("1.2.3.4", "[1.2.3.4]", "2001:db8::1", "[IPv6:2001:db8::1]", "@[127.0.0.1]")) {
            UsageException e = assertThrows(UsageException.class, () -> QueueFilter.builder().domain(ip), ip);
            assertTrue(e.getMessage().startsWith("--domain: bad domain "), e.getMessage());
            assertTrue(e.getMessage().contains("an IP address is not a domain"), e.getMessage());
        }
    }

    @Test
    void badInputIsAUsageError() {
        assertThrows(UsageException.class, () -> QueueFilter.builder().queue("deferrd"));
        assertThrows(UsageException.class, () -> QueueFilter.builder().domain("hot mail.com"));
        assertThrows(UsageException.class, () -> QueueFilter.builder().domain("a;rm -rf"));
        assertThrows(UsageException.class, () -> QueueFilter.builder().reason("(unclosed"));
        assertThrows(UsageException.class, () -> QueueFilter.builder().sender("a b@c"));
        assertThrows(UsageException.class, () -> QueueFilter.builder().ids(List.of("-d")));
        assertThrows(UsageException.class, () -> QueueFilter.builder().ids(List.of("ABC/../x")));
        assertTrue(QueueFilter.ALL.selectsAll());
    }
}
