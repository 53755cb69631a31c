package org.mfshell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One keypress answers a step on a terminal; a line answers it everywhere else. */
class IoAskKeyTest {
    static final class Keyboard implements Screen {
        final Deque<Integer> typed;
        boolean closed;

        Keyboard(Integer... keys) {
            typed = new ArrayDeque<>(List.of(keys));
        }

        @Override
        public int width() {
            return 80;
        }

        @Override
        public int height() {
            return 24;
        }

        @Override
        public Keys keys() {
            return new Keys() {
                @Override
                public int read(long timeoutMs) {
                    return typed.isEmpty() ? -1 : typed.poll();
                }

                @Override
                public boolean live() {
                    return true;
                }

                @Override
                public void close() {
                    closed = true;
                }
            };
        }
    }

    @Test
    void oneKeyIsTheAnswerAndOtherKeysAreIgnored() {
        StringWriter err = new StringWriter();
        Keyboard kb = new Keyboard((int) '\r', (int) 'x', (int) 'Y', (int) 'n');
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")), true, false, kb);
        assertEquals("y", io.askKey("Run step 2? ", "ynaq"));
        assertTrue(err.toString().endsWith("Run step 2? y" + System.lineSeparator()), err.toString());
        assertTrue(kb.closed, "the terminal's mode is given back");
        assertEquals("n", io.askKey("Run step 3? ", "ynaq"), "the next key answers the next question");
        assertNull(io.askKey("Run step 4? ", "ynaq"), "end of input");
        Io ctrlC = new Io(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new BufferedReader(new StringReader("")), true, false, new Keyboard(3));
        assertNull(ctrlC.askKey("? ", "ynaq"), "Ctrl-C is no answer");
    }

    @Test
    void withoutAKeyboardALineIsRead() {
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new BufferedReader(new StringReader("all\n")), false, false);
        assertEquals("all", io.askKey("Run step 2? ", "ynaq"));
    }
}
