package org.mfshell.warmup;

import org.mfshell.core.UsageException;

/**
 * A warm-up plan that cannot be made from what was asked, said in the plan's own words (no
 * command-line flag names): {@link #problem()} tells which input was wrong, so the command can
 * name its flag. Still a usage error (exit 2) when nobody translates it.
 */
public final class WarmupException extends UsageException {
    /** What was wrong. */
    public enum Problem {
        /** The number of stages is outside 1..{@link WarmupPlanner#MAX_STEPS}. */
        STEPS,
        /** No existing address to share the relay name with. */
        NO_EXISTING,
        /** The new address is already one of the existing ones. */
        NEW_IP_SERVES,
        /** No host name for the new address's host and PTR records. */
        NO_HOST
    }

    private final Problem problem;

    public WarmupException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
