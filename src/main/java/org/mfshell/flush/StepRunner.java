package org.mfshell.flush;

import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * The one loop every plan runs through (reroute, resume, restore): for each step, skip it if the
 * ledger says it was done before, else show it and ask (or not, after "all" / --yes), record that
 * it starts, apply it, record that it is done. "no" skips a skippable step and stops at any
 * other; "quit", a failed step or a ledger that cannot record a step stop the plan: the ledger
 * undoes what was done and the error says what happened, step by step.
 *
 * <p>Errors: {@link MfshellException} "stopped at step N (...)" or "step N (...) failed: ...",
 * each followed by the ledger's account of the undo.
 */
final class StepRunner {
    /** Where a plan's progress is kept, and how it is undone. */
    interface Ledger {
        boolean doneBefore(Step s);

        /** Recorded before the step runs; a failure here means the step is not taken. */
        void started(Step s);

        void done(Step s);

        void failed(Step s, String why);

        void skipped(Step s);

        /** Undoes every step that may have changed something; returns a sentence saying what it did. */
        String undo(String why);
    }

    private StepRunner() {
    }

    static void run(List<Step> steps, boolean all, Operator op, Ledger ledger) {
        boolean yesToAll = all;
        for (Step s : steps) {
            if (ledger.doneBefore(s)) {
                op.info("step " + s.number() + " (" + s.title() + ") was done before, not repeated");
                continue;
            }
            Operator.Answer a;
            if (yesToAll) {
                op.show(s);
                a = Operator.Answer.YES;
            } else {
                a = op.ask(s);
                if (a == null) {
                    a = Operator.Answer.QUIT;
                }
            }
            if (a == Operator.Answer.ALL) {
                yesToAll = true;
                a = Operator.Answer.YES;
            }
            if (a == Operator.Answer.NO && s.skippable()) {
                ledger.skipped(s);
                continue;
            }
            if (a != Operator.Answer.YES) {
                String undone = ledger.undo("stopped by the operator at step " + s.number());
                throw new MfshellException("stopped at step " + s.number() + " (" + s.title() + "); " + undone);
            }
            long t0 = System.nanoTime();
            try {
                ledger.started(s);
            } catch (MfshellException e) {
                String undone = ledger.undo("step " + s.number() + " could not be recorded");
                throw new MfshellException("step " + s.number() + " (" + s.title() + ") not taken: " + e.getMessage()
                        + "; " + undone, e);
            }
            try {
                s.apply().run();
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                try {
                    ledger.failed(s, why);
                } catch (MfshellException ignored) {
                    // the undo below reports the state it leaves
                }
                String undone = ledger.undo("step " + s.number() + " failed");
                throw new MfshellException("step " + s.number() + " (" + s.title() + ") failed: " + why + "; " + undone, e);
            }
            try {
                ledger.done(s);
            } catch (MfshellException e) {
                String undone = ledger.undo("step " + s.number() + " could not be recorded as done");
                throw new MfshellException("step " + s.number() + " (" + s.title() + ") done but not recorded: "
                        + e.getMessage() + "; " + undone, e);
            }
            op.done(s, java.time.Duration.ofNanos(System.nanoTime() - t0));
        }
    }
}
