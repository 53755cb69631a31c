package org.mfshell.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.postfix.QueueMessage;

class QueueSummaryTest {

    @Test
    void qshapeColumns() {
        assertEquals(0, QueueSummary.bucket(0));
        assertEquals(0, QueueSummary.bucket(4 * 60 + 59));
        assertEquals(1, QueueSummary.bucket(5 * 60));
        assertEquals(2, QueueSummary.bucket(10 * 60));
        assertEquals(8, QueueSummary.bucket(1279 * 60));
        assertEquals(9, QueueSummary.bucket(1280 * 60));
        assertEquals(9, QueueSummary.bucket(30L * 86400));
        assertEquals(0, QueueSummary.bucket(-30));
        assertEquals(QueueSummary.LABELS.size(), QueueSummary.LIMITS.length + 1);
    }

    @Test
    void shapeOfTheRealFixture() {
        List<QueueMessage> all = Fixtures.messages("postqueue-j-stopped.jsonl");
        // One hour after the last arrival: everything is in the 80-minute column ([40, 80) minutes).
        long now = 1795963695L + 3600;
        QueueSummary s = new QueueSummary(new ReasonNormalizer(), now);
        all.forEach(m -> s.add(m, QueueFilter.ALL));
        assertEquals(18, s.messages());
        long recipients = all.stream().mapToLong(m -> m.recipients().size()).sum();
        assertEquals(recipients, s.recipients());
        assertEquals(recipients, s.totalRow().total());
        assertEquals(recipients, s.totalRow().buckets()[4]);
        assertEquals("hotmail.com", s.domains().get(0).domain());
        assertEquals(11, s.domains().get(0).total());
        assertEquals(12L, s.queues().get("deferred"));
        QueueSummary.ReasonGroup top = s.topReasons(1).get(0);
        assertEquals(10, top.count());
        assertEquals(List.of("hotmail.com"), List.copyOf(top.domains()));
        assertEquals(6, s.distinctReasons());
    }

    @Test
    void domainFilterCountsOnlyMatchingRecipients() {
        long now = 1795963695L + 60;
        QueueSummary s = new QueueSummary(new ReasonNormalizer(), now);
        QueueFilter f = QueueFilter.builder().domain("gmail.com").build();
        Fixtures.messages("postqueue-j-stopped.jsonl").stream().filter(m -> f.matches(m, now)).forEach(m -> s.add(m, f));
        assertEquals(3, s.messages());
        assertEquals(3, s.recipients());
        assertEquals(1, s.domains().size());
        assertArrayEquals(bucketsOf(f, now), s.domains().get(0).buckets());
    }

    private static long[] bucketsOf(QueueFilter f, long now) {
        long[] b = new long[QueueSummary.LABELS.size()];
        for (QueueMessage m : Fixtures.messages("postqueue-j-stopped.jsonl")) {
            for (QueueMessage.Recipient r : m.recipients()) {
                if (f.matches(m, now) && f.matchesRecipient(r)) {
                    b[QueueSummary.bucket(now - m.arrivalTime())]++;
                }
            }
        }
        return b;
    }
}
