package org.mfshell.instance;

/** Messages per Postfix queue of one instance. */
public record QueueCounts(long maildrop, long incoming, long active, long deferred, long hold) {
    public static final QueueCounts EMPTY = new QueueCounts(0, 0, 0, 0, 0);

    public long total() {
        return maildrop + incoming + active + deferred + hold;
    }
}
