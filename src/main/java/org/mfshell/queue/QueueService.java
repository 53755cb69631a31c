package org.mfshell.queue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.mfshell.core.MfshellException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Postqueue;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.QueueFiles;
import org.mfshell.core.Privileges;
import org.mfshell.core.UsageException;
import org.mfshell.instance.MasterPid;
import org.mfshell.postfix.QueueReader;
import org.mfshell.postfix.QueueMessage;
import org.mfshell.postfix.MalformedLine;

/**
 * Reads one instance's queue through {@code postqueue -c DIR -j}, streaming (or, for mailq, the
 * queue files themselves: {@link Reader}, {@link QueueFiles}), and answers the
 * questions mailq and the message actions ask: the messages a filter selects, an overview of
 * counts per queue, the queue's shape, and the current state of messages picked earlier (queue
 * ids are reused, so an action re-checks each one just before it acts).
 *
 * <p>Errors: {@link MfshellException} when postqueue cannot be run or fails; malformed output
 * lines are not errors but are reported through the handler and counted in {@link ScanResult}.
 */
public final class QueueService {
    /** At most this many malformed lines are kept for the report; all are counted. */
    public static final int MALFORMED_KEPT = 20;

    /** Environment variable choosing mailq's reader: "postqueue" or "files" (default: files when possible). */
    public static final String READER_ENV = "MFSHELL_QUEUE_READER";

    /** Which reader a scan uses. */
    public enum Reader {
        /** Always {@code postqueue -j}. */
        POSTQUEUE,
        /** The queue files when root, Postfix's version is verified and the queues exist; else postqueue. */
        AUTO,
        /** The queue files, or an error saying why not. */
        FILES
    }

    private final Postqueue postqueue;
    private final Postconf postconf;
    private final Reader reader;

    public QueueService(ProcessRunner runner) {
        this(runner, Reader.POSTQUEUE);
    }

    public QueueService(ProcessRunner runner, Reader reader) {
        this.postqueue = new Postqueue(runner);
        this.postconf = new Postconf(runner);
        this.reader = reader;
    }

    /** The reader named by {@link #READER_ENV} (null or empty: AUTO); bad input for another value. */
    public static Reader readerFromEnv(String value) {
        if (value == null || value.isEmpty()) {
            return Reader.AUTO;
        }
        return switch (value) {
            case "postqueue" -> Reader.POSTQUEUE;
            case "files" -> Reader.FILES;
            case "auto" -> Reader.AUTO;
            default -> throw new UsageException(READER_ENV + " must be postqueue, files or auto, not '"
                    + org.mfshell.core.Quote.escape(value) + "'");
        };
    }

    /** The queue-file layout to read, or null when this scan goes through postqueue. */
    private QueueFiles.Layout fileLayout(Path configDir) {
        if (reader == Reader.POSTQUEUE) {
            return null;
        }
        String why = null;
        QueueFiles.Layout layout = null;
        if (!Privileges.isRoot()) {
            why = "reading the queue files needs root";
        } else {
            layout = QueueFiles.layout(postconf.values(configDir, QueueFiles.PARAMS));
            if (!QueueFiles.verified(layout.mailVersion())) {
                why = "the queue file reader is verified for Postfix 3.7 only, not " + layout.mailVersion();
            } else if (!QueueFiles.readable(layout)) {
                why = "the queue directories of " + layout.queueDir() + " are missing";
            }
        }
        if (why == null) {
            return layout;
        }
        if (reader == Reader.FILES) {
            throw new MfshellException(READER_ENV + "=files: " + why);
        }
        return null;
    }

    /** What one pass over the queue saw. */
    public record ScanResult(long selected, boolean limitReached, long malformedCount, List<MalformedLine> malformed,
                             boolean stopped, String stderr) {
    }

    /** Receives selected messages (return false to stop) and malformed lines as they are read. */
    public interface Sink {
        boolean message(QueueMessage m);

        default void malformed(MalformedLine line) {
        }
    }

    /**
     * Streams the queue, passing messages the filter selects to {@code sink}, at most {@code limit}
     * of them (0 = no limit).
     */
    public ScanResult scan(Path configDir, QueueFilter filter, long limit, Sink sink) {
        return scan(configDir, filter, limit, m -> { }, sink);
    }

    /**
     * As above; {@code prepare} sees every message first, on the thread that read it (the queue
     * file reader's own threads), e.g. to normalise reasons into the normaliser's shared cache.
     */
    public ScanResult scan(Path configDir, QueueFilter filter, long limit,
                           java.util.function.Consumer<QueueMessage> prepare, Sink sink) {
        long now = Instant.now().getEpochSecond();
        long[] selected = {0};
        long[] malformed = {0};
        boolean[] limited = {false};
        List<MalformedLine> kept = new ArrayList<>();
        // Whichever reader: skip what the filter refuses, stop at the limit, else hand on.
        java.util.function.Predicate<QueueMessage> take = m -> {
            if (!filter.matches(m, now)) {
                return true;
            }
            if (limit > 0 && selected[0] >= limit) {
                limited[0] = true;
                return false;
            }
            selected[0]++;
            return sink.message(m);
        };
        QueueFiles.Layout layout = fileLayout(configDir);
        if (layout != null) {
            QueueFiles.scan(layout, prepare, take::test);
            return new ScanResult(selected[0], limited[0], 0, List.of(), MasterPid.of(layout.queueDir()) == 0, "");
        }
        ExecResult r = postqueue.streamJson(configDir, in -> QueueReader.read(in, new QueueReader.Handler() {
            @Override
            public boolean message(QueueMessage m) {
                return take.test(m);
            }

            @Override
            public void malformed(MalformedLine line) {
                malformed[0]++;
                if (kept.size() < MALFORMED_KEPT) {
                    kept.add(line);
                }
                sink.malformed(line);
            }
        }));
        return new ScanResult(selected[0], limited[0], malformed[0], List.copyOf(kept),
                Postqueue.mailSystemDown(r.stderr()), r.stderr());
    }

    /** One instance at a glance: messages per queue, oldest deferred arrival, busiest deferred domain. */
    public record Overview(Map<String, Long> queues, long total, Long oldestDeferredArrival, String topDeferredDomain,
                           long topDeferredDomainRecipients, long malformed, boolean stopped) {
    }

    public Overview overview(Path configDir) {
        Map<String, Long> queues = new LinkedHashMap<>();
        for (String q : InstanceRegistry.QUEUES) {
            queues.put(q, 0L);
        }
        Map<String, Long> deferredDomains = new HashMap<>();
        long[] oldest = {Long.MAX_VALUE};
        ScanResult r = scan(configDir, QueueFilter.ALL, 0, m -> {
            queues.merge(m.queueName(), 1L, Long::sum);
            if (m.queueName().equals("deferred")) {
                oldest[0] = Math.min(oldest[0], m.arrivalTime());
                for (QueueMessage.Recipient rc : m.recipients()) {
                    if (rc.delayReason() != null) {
                        deferredDomains.merge(rc.domain(), 1L, Long::sum);
                    }
                }
            }
            return true;
        });
        String top = null;
        long topCount = 0;
        for (Map.Entry<String, Long> e : deferredDomains.entrySet()) {
            if (e.getValue() > topCount || (e.getValue() == topCount && top != null && e.getKey().compareTo(top) < 0)) {
                top = e.getKey();
                topCount = e.getValue();
            }
        }
        return new Overview(queues, r.selected(), oldest[0] == Long.MAX_VALUE ? null : oldest[0], top, topCount,
                r.malformedCount(), r.stopped());
    }

    /** The shape of the selected part of the queue, and what the pass saw. */
    public record Summary(QueueSummary shape, ScanResult scan) {
    }

    public Summary summary(Path configDir, QueueFilter filter, long limit, ReasonNormalizer normalizer,
                                java.util.function.Consumer<MalformedLine> malformedSink) {
        QueueSummary s = new QueueSummary(normalizer, Instant.now().getEpochSecond());
        // Reasons are normalised on this thread: the normaliser's cache, keyed on a reason without the
        // recipient's address, makes that a lookup for all but the first of each cause.
        ScanResult r = scan(configDir, filter, limit, new Sink() {
            @Override
            public boolean message(QueueMessage m) {
                s.add(m, filter);
                return true;
            }

            @Override
            public void malformed(MalformedLine line) {
                malformedSink.accept(line);
            }
        });
        return new Summary(s, r);
    }

    /** A message picked for an action, with what identifies it beyond its (reusable) queue id. */
    public record Picked(String queueId, String queueName, long arrivalTime, String sender, String firstRecipient,
                         int recipients) {
        static Picked of(QueueMessage m) {
            List<QueueMessage.Recipient> rc = m.recipients();
            return new Picked(m.queueId(), m.queueName(), m.arrivalTime(), m.sender(),
                    rc.isEmpty() ? "" : rc.get(0).address(), rc.size());
        }

        boolean sameMessage(QueueMessage m) {
            return m.queueId().equals(queueId) && m.arrivalTime() == arrivalTime && m.sender().equals(sender);
        }
    }

    /** Messages picked for an action, and what the pass saw. */
    public record Pick(List<Picked> picked, ScanResult scan) {
    }

    /** Messages the filter selects and {@code eligible} accepts (e.g. "not already on hold"). */
    public Pick pick(Path configDir, QueueFilter filter, Predicate<QueueMessage> eligible, java.util.function.Consumer<MalformedLine> malformedSink) {
        List<Picked> picked = new ArrayList<>();
        ScanResult r = scan(configDir, filter, 0, new Sink() {
            @Override
            public boolean message(QueueMessage m) {
                if (eligible.test(m)) {
                    picked.add(Picked.of(m));
                }
                return true;
            }

            @Override
            public void malformed(MalformedLine line) {
                malformedSink.accept(line);
            }
        });
        return new Pick(picked, r);
    }

    /**
     * Reads the queue again and keeps the picked messages that are still there as the same message
     * (same id, arrival time and sender) and still {@code eligible}.
     */
    public List<Picked> recheck(Path configDir, Collection<Picked> picked, Predicate<QueueMessage> eligible) {
        Map<String, Picked> byId = new HashMap<>();
        for (Picked p : picked) {
            byId.put(p.queueId(), p);
        }
        List<Picked> still = new ArrayList<>();
        QueueFilter ids = QueueFilter.builder().ids(byId.keySet()).build();
        scan(configDir, ids, 0, m -> {
            Picked p = byId.get(m.queueId());
            if (p != null && p.sameMessage(m) && eligible.test(m)) {
                still.add(p);
            }
            return true;
        });
        return still;
    }

    /** Recipient domains in the queue, sorted (for completion). */
    public List<String> domains(Path configDir) {
        TreeSet<String> set = new TreeSet<>();
        scan(configDir, QueueFilter.ALL, 0, m -> {
            for (QueueMessage.Recipient r : m.recipients()) {
                if (!r.domain().isEmpty() && set.size() < 10_000) {
                    set.add(r.domain());
                }
            }
            return true;
        });
        return new ArrayList<>(set);
    }

    /** Queue ids in the queue, at most {@code max} (for completion). */
    public List<String> ids(Path configDir, int max) {
        List<String> ids = new ArrayList<>();
        try {
            scan(configDir, QueueFilter.ALL, max, m -> {
                ids.add(m.queueId());
                return true;
            });
        } catch (UncheckedIOException e) {
            throw new MfshellException("reading postqueue output: " + e.getMessage(), e);
        }
        return ids;
    }
}
