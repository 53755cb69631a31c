package org.mfshell.postfix;

import java.util.List;

/** What one external program did: its argv, exit code, captured stdout and stderr. */
public record ExecResult(List<String> argv, int exitCode, String stdout, String stderr, boolean timedOut) {
    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    /** First non-empty stderr line, for one-line error messages. */
    public String firstErrorLine() {
        for (String l : stderr.split("\n")) {
            if (!l.isBlank()) {
                return l.trim();
            }
        }
        return "exit code " + exitCode;
    }
}
