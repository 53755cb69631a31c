package org.mfshell.health;

/** How one instance (or one provider group of it) is doing, from best to worst. */
public enum Verdict {
    OK, DEGRADED, BLOCKED;

    public Verdict worst(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
