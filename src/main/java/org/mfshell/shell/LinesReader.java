package org.mfshell.shell;

import java.io.Reader;

/**
 * A {@link Reader} over an interactive line source, so that a command's questions are read
 * through the shell's own line editor: each read asks for one line on demand and gives it with
 * its newline; the end of input (Ctrl-D, a closed terminal, an interrupted read) reads as -1.
 */
final class LinesReader extends Reader {
    /** The next line typed, or null at the end of input; any exception also ends the input. */
    @FunctionalInterface
    interface LineSource {
        String next() throws Exception;
    }

    private final LineSource source;
    private String pending;
    private int pos;

    LinesReader(LineSource source) {
        this.source = source;
    }

    @Override
    public int read(char[] buf, int off, int len) {
        if (pending == null || pos >= pending.length()) {
            String line;
            try {
                line = source.next();
            } catch (Exception e) {
                return -1;
            }
            if (line == null) {
                return -1;
            }
            pending = line + "\n";
            pos = 0;
        }
        int n = Math.min(len, pending.length() - pos);
        pending.getChars(pos, pos + n, buf, off);
        pos += n;
        return n;
    }

    @Override
    public void close() {
    }
}
