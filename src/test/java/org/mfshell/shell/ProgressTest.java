package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.mfshell.cli.Io;

/** The scan progress bar: its text, and nothing at all on stderr when not on a terminal. */
class ProgressTest {
    @Test
    void lineShowsPercentBarAndMegabytes() {
        assertEquals("scanning [###############...............]  50%  512 MB", Progress.line(512L << 20, 1024L << 20));
        assertEquals("scanning [#############################.]  99%  2048 MB", Progress.line(2048L << 20, 1024L << 20));
        assertEquals("scanning 3 MB", Progress.line(3L << 20, 0));
    }

    @Test
    void neverDrawnWhenPiped() throws Exception {
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(err), new BufferedReader(new StringReader("")),
                false, false);
        String r = Progress.around(io, () -> 1, 2, () -> {
            Thread.sleep(1300);
            return "done";
        });
        assertEquals("done", r);
        assertEquals("", err.toString());
    }
}
