package org.mfshell.flush;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.mfshell.core.MfshellException;
import org.mfshell.log.DeliveryFollower;
import org.mfshell.log.DeliveryLine;
import org.mfshell.postfix.Postqueue;
import org.mfshell.postfix.QueueMessage;

/**
 * Follows the rerouted mail out of the source: the delivery lines of the tracked recipients
 * (queue id and address) in the source's log, and the source's queue. A recipient relayed to
 * the target's address is moved; delivered elsewhere is noted; any other outcome for a tracked
 * recipient (bounced, SOFTBOUNCE, deferred: the target refused it, is down, or Postfix saw a
 * loop) stops the drain at once with that log line, so the caller undoes the reroute while the
 * rest of the mail is still queued in the source. The canary is the first message released:
 * the rest is flushed only once all its recipients were relayed.
 *
 * <p>Without a readable log the drain counts mail leaving the source's queue; the reroute
 * transport's soft_bounce keeps refused mail queued, so "left the queue" still means delivered.
 *
 * <p>Errors: {@link MfshellException} from the canary (no delivery within the bound, or refused).
 */
final class Drain implements AutoCloseable {
    private final DeliveryFollower follower;
    private final Postqueue postqueue;
    private final Path dir;
    private final String targetIp;
    private final Set<String> tracked = new LinkedHashSet<>();
    private final Set<String> moved = new HashSet<>();
    private final Set<String> elsewhere = new HashSet<>();
    private final Set<String> refused = new HashSet<>();
    private String stopLine;

    Drain(DeliveryFollower follower, Postqueue postqueue, Path dir, String targetIp) {
        this.follower = follower;
        this.postqueue = postqueue;
        this.dir = dir;
        this.targetIp = targetIp;
    }

    /** Ends following the log (a journal cursor file is deleted). */
    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
    }

    boolean readsLog() {
        return follower != null;
    }

    void track(String queueId, String recipient) {
        tracked.add(queueId + " " + recipient);
    }

    Set<String> tracked() {
        return tracked;
    }

    /** Reads the new delivery lines of tracked recipients; returns them. */
    List<DeliveryLine> poll() {
        List<DeliveryLine> fresh = new ArrayList<>();
        if (follower == null) {
            return fresh;
        }
        for (DeliveryLine d : follower.poll()) {
            String key = d.queueId() + " " + d.recipient();
            if (!tracked.contains(key)) {
                continue;
            }
            fresh.add(d);
            if (d.status().equals("sent")) {
                (targetIp.equals(d.relayIp()) ? moved : elsewhere).add(key);
            } else if (!d.status().equals("deferred") || d.line().contains("[" + targetIp + "]")) {
                // A bounce is always a stop; a deferral only when it names the target (refused,
                // down, a loop): one by the old route, logged just after the reload, is not.
                refused.add(key);
                if (stopLine == null) {
                    stopLine = d.line();
                }
            }
        }
        return fresh;
    }

    /**
     * Waits until every tracked recipient of the canary message was relayed to the target.
     * Throws, naming the log line, if one was refused or the bound passed.
     */
    void awaitCanary(String queueId, Duration bound, Operator op) {
        List<String> mine = tracked.stream().filter(k -> k.startsWith(queueId + " ")).toList();
        long start = System.nanoTime();
        while (true) {
            for (DeliveryLine d : poll()) {
                op.progress(progress(System.nanoTime() - start, List.of(d), false, false));
            }
            if (stopLine != null) {
                throw new MfshellException("the canary " + queueId + " was not relayed: " + stopLine);
            }
            if (follower != null && moved.containsAll(mine)) {
                return;
            }
            if (follower != null && elsewhere.stream().anyMatch(mine::contains)) {
                throw new MfshellException("the canary " + queueId + " was delivered, but not through " + targetIp
                        + ": the reroute is not in force");
            }
            if (follower == null && queued().stream().noneMatch(k -> k.startsWith(queueId + " "))) {
                moved.addAll(mine);
                return;
            }
            if (System.nanoTime() - start > bound.toNanos()) {
                throw new MfshellException("the canary " + queueId + " was not relayed to " + targetIp + " within "
                        + bound.toSeconds() + " s");
            }
            FlushService.sleep(200);
        }
    }

    /** Follows until nothing tracked is queued, something was refused, or {@code wait} passed. */
    FollowProgress follow(Duration wait, Operator op) {
        long start = System.nanoTime();
        long lastScan = 0;
        int stillQueued = tracked.size() - moved.size();
        while (true) {
            List<DeliveryLine> fresh = poll();
            long elapsed = System.nanoTime() - start;
            boolean timeUp = elapsed >= wait.toNanos();
            if (System.nanoTime() - lastScan > 1_000_000_000L || timeUp || stopLine != null) {
                Set<String> q = queued();
                q.retainAll(tracked);
                q.removeAll(moved);
                q.removeAll(elsewhere);
                if (follower == null) {
                    for (String k : tracked) {
                        if (!q.contains(k)) {
                            moved.add(k);
                        }
                    }
                }
                stillQueued = q.size();
                lastScan = System.nanoTime();
            }
            boolean drained = stillQueued == 0 && stopLine == null;
            boolean finished = drained || timeUp || stopLine != null;
            FollowProgress p = new FollowProgress(tracked.size(), stillQueued, moved.size(), elsewhere.size(),
                    refused.size(), java.time.Duration.ofNanos(elapsed), fresh, finished, drained, stopLine);
            op.progress(p);
            if (finished) {
                return p;
            }
            FlushService.sleep(200);
        }
    }

    private FollowProgress progress(long elapsedNanos, List<DeliveryLine> fresh, boolean finished,
                                    boolean drained) {
        return new FollowProgress(tracked.size(), tracked.size() - moved.size() - elsewhere.size(), moved.size(),
                elsewhere.size(), refused.size(), Duration.ofNanos(elapsedNanos), fresh, finished, drained, stopLine);
    }

    /** "queueid recipient" of everything in the source's queue now. */
    private Set<String> queued() {
        Set<String> q = new HashSet<>();
        for (QueueMessage m : postqueue.messages(dir)) {
            for (String rc : m.addresses()) {
                q.add(m.queueId() + " " + rc);
            }
        }
        return q;
    }
}
