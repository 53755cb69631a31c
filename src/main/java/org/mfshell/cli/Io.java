package org.mfshell.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The streams a command talks through, injected so a whole command runs in-process in a test.
 * {@code terminal} is true when stdout is a terminal (progress bars, colour); {@code color}
 * additionally respects NO_COLOR.
 */
public record Io(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal, boolean color) {

    /**
     * Asks a question on stderr and reads one answer line. Returns null at end of input, so a
     * caller without a terminal treats it as "no".
     */
    public String ask(String question) {
        err.print(question);
        err.flush();
        out.flush();
        try {
            String line = in.readLine();
            return line == null ? null : line.trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** Yes/no question; anything but y/yes is no. */
    public boolean confirm(String question) {
        String a = ask(question + " [y/N] ");
        return a != null && (a.equalsIgnoreCase("y") || a.equalsIgnoreCase("yes"));
    }
}
