package org.mfshell.check;

/** A Monitoring Plugins state and its exit code; {@link #worst} ranks CRITICAL > WARNING > UNKNOWN > OK. */
public enum CheckState {
    OK(0, 0), UNKNOWN(3, 1), WARNING(1, 2), CRITICAL(2, 3);

    private final int exitCode;
    private final int rank;

    CheckState(int exitCode, int rank) {
        this.exitCode = exitCode;
        this.rank = rank;
    }

    public int exitCode() {
        return exitCode;
    }

    public CheckState worst(CheckState other) {
        return other.rank > rank ? other : this;
    }
}
