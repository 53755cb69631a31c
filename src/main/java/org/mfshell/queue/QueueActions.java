package org.mfshell.queue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.fs.AuditLog;
import org.mfshell.postfix.Postsuper;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.postfix.QueueMessage;
import org.mfshell.postfix.MalformedLine;

/**
 * The message actions hold, release, requeue and delete of one instance as one service: pick the
 * messages that the ids and filter select and the action applies to (at most a limit), show them
 * and let the caller confirm (callbacks), read the queue again just before acting and keep only
 * messages that are still the same (queue ids are reused), feed their ids to postsuper, count
 * what postsuper really did (not what was planned, see {@link Postsuper}), and write one audit line.
 * The command only parses its options and renders what the {@link Listener} is told.
 *
 * <p>Errors: {@link UsageException} when none of the named ids is in the queue (or eligible);
 * {@link MfshellException} when postqueue or postsuper cannot run or fails. An audit line that
 * cannot be written is not thrown: the listener hears of it and {@link Outcome#audited()} is false.
 */
public final class QueueActions {
    /** What the caller is told, and asked, while an action runs. */
    public interface Listener {
        /** A malformed postqueue line, as soon as it is read. */
        default void malformed(MalformedLine line) {
        }

        /** What the pass over the queue saw (stopped instance, count of malformed lines). */
        default void scanned(QueueService.ScanResult scan) {
        }

        /** Named ids not in the queue (or not eligible) while others were found: skipped. */
        default void skipped(List<String> ids) {
        }

        /** The messages about to be touched; called before the question, and for a dry run. */
        default void plan(Plan plan) {
        }

        /** Asks whether to go on; false cancels with nothing changed. */
        boolean confirm(Plan plan);

        /** Selected messages that left the queue or changed between the question and the action. */
        default void gone(int count) {
        }

        /** A postsuper stderr line that is neither its per-message line nor its summary. */
        default void postsuperWarning(String line) {
        }

        /** The audit line could not be written. */
        default void auditFailed(String message) {
        }
    }

    /**
     * One action: the instance's config dir and name, queue ids (may be empty), the filter (built
     * with the same ids), at most {@code limit} messages (0 = all), and the command as typed for
     * the audit log (long id lists already shortened).
     */
    public record Request(Postsuper.Action action, Path configDir, String instance, List<String> ids, QueueFilter filter,
                          long limit, boolean dryRun, String command) {
    }

    /** The messages an action is about to touch. */
    public record Plan(Postsuper.Action action, String instance, List<QueueService.Picked> picked) {
    }

    public enum Status {
        /** Nothing matched: nothing to do. */
        NOTHING_MATCHED,
        /** Dry run: the plan was shown, nothing changed. */
        DRY_RUN,
        /** The caller said no. */
        CANCELLED,
        /** Every selected message was gone before acting. */
        NOTHING_LEFT,
        /** postsuper ran. */
        DONE
    }

    /**
     * How an action ended: the picked messages, how many were still the same when acting, and
     * postsuper's result (DONE only): {@code result.count()} messages were changed by this run,
     * {@code result.raced()} were moved by another process at the same moment.
     */
    public record Outcome(Status status, List<QueueService.Picked> picked, int still, Postsuper.Result result,
                          boolean audited) {
        /** Messages this run changed. */
        public long done() {
            return result == null ? 0 : result.count();
        }

        /** Selected messages that were gone before acting. */
        public int gone() {
            return picked.size() - still;
        }

        /** Messages still the same when acting that postsuper did not change, other processes' included. */
        public long missed() {
            return still - done();
        }

        /** True when everything still there was changed by this run and the audit line was written. */
        public boolean complete() {
            return audited && (status != Status.DONE || done() == still);
        }
    }

    private final QueueService queues;
    private final Postsuper postsuper;
    private final Path auditLog;

    public QueueActions(ProcessRunner runner, Path auditLog) {
        this(new QueueService(runner), new Postsuper(runner), auditLog);
    }

    public QueueActions(QueueService queues, Postsuper postsuper, Path auditLog) {
        this.queues = queues;
        this.postsuper = postsuper;
        this.auditLog = auditLog;
    }

    /** Which messages an action applies to. */
    public static Predicate<QueueMessage> eligible(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> m -> !m.queueName().equals("hold");
            case RELEASE -> m -> m.queueName().equals("hold");
            case REQUEUE -> m -> !m.queueName().equals("maildrop");
            case DELETE -> m -> true;
        };
    }

    /** Why a named message may be left out, for the messages about missing ids ("" for delete). */
    public static String notEligible(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> "already on hold";
            case RELEASE -> "not on hold";
            case REQUEUE -> "still in maildrop";
            case DELETE -> "";
        };
    }

    public static String verb(Postsuper.Action a) {
        return a.name().toLowerCase(java.util.Locale.ROOT);
    }

    public static String pastTense(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> "held";
            case RELEASE -> "released";
            case REQUEUE -> "requeued";
            case DELETE -> "deleted";
        };
    }

    public Outcome run(Request req, Listener listener) {
        Postsuper.Action action = req.action();
        Predicate<QueueMessage> eligible = eligible(action);
        QueueService.Pick pick = queues.pick(req.configDir(), req.filter(), eligible, listener::malformed);
        List<QueueService.Picked> picked = pick.picked();
        if (req.limit() > 0 && picked.size() > req.limit()) {
            picked = new ArrayList<>(picked.subList(0, (int) req.limit()));
        }
        listener.scanned(pick.scan());
        if (!req.ids().isEmpty()) {
            Set<String> found = new HashSet<>();
            picked.forEach(p -> found.add(p.queueId()));
            List<String> missing = req.ids().stream().filter(id -> !found.contains(id)).distinct().toList();
            if (missing.size() == req.ids().stream().distinct().count()) {
                String why = notEligible(action);
                throw new UsageException(verb(action) + ": no message " + String.join(", ", missing) + " in the queue of "
                        + req.instance() + (why.isEmpty() ? "" : " (or " + why + ")"));
            }
            if (!missing.isEmpty()) {
                listener.skipped(missing);
            }
        }
        if (picked.isEmpty()) {
            return new Outcome(Status.NOTHING_MATCHED, picked, 0, null, true);
        }
        Plan plan = new Plan(action, req.instance(), List.copyOf(picked));
        listener.plan(plan);
        if (req.dryRun()) {
            return new Outcome(Status.DRY_RUN, picked, picked.size(), null, true);
        }
        if (!listener.confirm(plan)) {
            return new Outcome(Status.CANCELLED, picked, picked.size(), null, true);
        }
        List<QueueService.Picked> still = queues.recheck(req.configDir(), picked, eligible);
        int gone = picked.size() - still.size();
        if (gone > 0) {
            listener.gone(gone);
        }
        String command = req.command();
        if (still.isEmpty()) {
            boolean ok = audit(listener, command, "nothing done: all " + picked.size()
                    + " selected messages gone before acting");
            return new Outcome(Status.NOTHING_LEFT, picked, 0, null, ok);
        }
        Postsuper.Result r = postsuper.apply(req.configDir(), action, still.stream().map(QueueService.Picked::queueId).toList());
        r.warnings().forEach(listener::postsuperWarning);
        boolean ok = audit(listener, command, pastTense(action) + " " + r.count() + " of " + picked.size() + " selected"
                + (gone > 0 ? ", " + gone + " gone before acting" : "")
                + (!r.raced().isEmpty() ? ", " + r.raced().size() + " moved by another process first" : "")
                + (r.exitCode() != 0 ? ", postsuper exit " + r.exitCode() : ""));
        return new Outcome(Status.DONE, picked, still.size(), r, ok);
    }

    private boolean audit(Listener listener, String command, String result) {
        try {
            new AuditLog(auditLog).record(command, result);
            return true;
        } catch (MfshellException e) {
            listener.auditFailed(e.getMessage());
            return false;
        }
    }
}
