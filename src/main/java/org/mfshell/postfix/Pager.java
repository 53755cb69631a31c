package org.mfshell.postfix;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A pager ({@code less -FRX}, or the operator's $PAGER) showing a command's output on the
 * terminal: it gets the text on stdin and this process's terminal as its stdout. Errors:
 * {@link ProgramMissingException} when the pager is not installed, {@link org.mfshell.core.MfshellException}
 * when it cannot be started; the caller then prints the text itself.
 */
public final class Pager {
    /** As git runs less when $LESS is unset: quit if one screen, keep colours, no screen clearing. */
    public static final List<String> DEFAULT = List.of("less", "-FRX");

    private final ProcessRunner runner;

    public Pager(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Shows {@code text} in the pager {@code argv}; returns when the operator leaves it. */
    public int show(List<String> argv, String text) {
        // LESSSECURE: no shell escapes, no editing of files from inside the pager.
        return runner.interactive(argv, text.getBytes(StandardCharsets.UTF_8), Map.of("LESSSECURE", "1"));
    }
}
