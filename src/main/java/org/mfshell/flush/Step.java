package org.mfshell.flush;

/**
 * One step of a plan: what it is, exactly what it will do (a command line or a unified diff),
 * and how to do and undo it. {@code skippable}: answering "no" skips it (the plan still makes
 * sense without it); otherwise "no" stops and undoes what was done.
 */
public record Step(int number, String key, String title, String preview, boolean skippable, Action apply, Action undo) {

    /** Work that may fail with an MfshellException. */
    @FunctionalInterface
    public interface Action {
        void run();
    }
}
