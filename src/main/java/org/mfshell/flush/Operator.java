package org.mfshell.flush;

/**
 * The person (or script) a plan talks to, implemented by the command that renders: the flush
 * service never prints. {@link #ask} shows a step and returns the answer; {@link #info} and
 * {@link #warn} carry one line each; {@link #progress} is called while following the drain.
 */
public interface Operator {
    enum Answer { YES, NO, ALL, QUIT }

    /** Step 1 (preflight) found what they found (called before any step is shown). */
    void preflight(Preflight preflight);

    Answer ask(Step step);

    /** Shows a step without asking (dry run, or after "all"). */
    void show(Step step);

    /** A step worked (after its apply returned). */
    default void done(Step step, java.time.Duration took) {
    }

    void info(String line);

    void warn(String line);

    void progress(FollowProgress progress);
}
