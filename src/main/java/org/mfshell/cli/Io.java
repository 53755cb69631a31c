package org.mfshell.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The streams a command talks through, injected so a whole command runs in-process in a test.
 * {@code terminal} is true when stdout is a terminal (progress bars, colour); {@code color}
 * additionally respects NO_COLOR; {@code screen} tells the terminal's size and gives single keys.
 */
public record Io(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal, boolean color, Screen screen) {

    public Io(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal, boolean color) {
        this(out, err, in, terminal, color, Screen.NONE);
    }

    /** The same streams, with output no longer fitted to the terminal's width ({@code --wide}). */
    public Io wide() {
        Screen s = screen;
        return new Io(out, err, in, terminal, color, new Screen() {
            @Override
            public int width() {
                return 0;
            }

            @Override
            public int height() {
                return s.height();
            }

            @Override
            public Keys keys() {
                return s.keys();
            }
        });
    }

    /** Columns to fit output into: the screen's width on a terminal, else 0 (no limit, full lines). */
    public int width() {
        return terminal ? screen.width() : 0;
    }

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

    /**
     * Asks a question answered by one key of {@code choices} (lower case) on a terminal with a
     * keyboard: the key is echoed and taken at once; any other key (an Enter typed after the
     * previous answer out of habit) is ignored. Without single keys (a pipe, a test, a dumb terminal) this reads a line as
     * {@link #ask} does. Ctrl-C, Ctrl-D and end of input return null.
     */
    public String askKey(String question, String choices) {
        Screen.Keys keys = terminal ? screen.keys() : Screen.Keys.NONE;
        if (!keys.live()) {
            keys.close();
            return ask(question);
        }
        err.print(question);
        err.flush();
        out.flush();
        try (keys) {
            while (true) {
                int c = keys.read(60_000);
                if (c == Screen.Keys.TIMEOUT) {
                    continue;
                }
                if (c < 0 || c == 3 || c == 4) {
                    err.println();
                    return null;
                }
                char k = Character.toLowerCase((char) c);
                if (choices.indexOf(k) >= 0) {
                    err.println(k);
                    err.flush();
                    return String.valueOf(k);
                }
            }
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
