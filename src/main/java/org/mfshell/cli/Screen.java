package org.mfshell.cli;

import java.io.IOException;

/**
 * What a command may know of the terminal its output goes to: how wide and tall it is (0 when
 * output is not a terminal: then nothing is cut to fit), and single keys without Enter (for
 * {@code q} in a live view). Reports no errors: a terminal that cannot tell gives 0 and no keys.
 */
public interface Screen {
    /** No terminal: unlimited width, no keys. */
    Screen NONE = new Screen() {
        @Override
        public int width() {
            return 0;
        }

        @Override
        public int height() {
            return 0;
        }

        @Override
        public Keys keys() {
            return Keys.NONE;
        }
    };

    /** Columns to fit output into; 0 = no limit. */
    int width();

    /** Lines on the screen; 0 = unknown. */
    int height();

    /** Puts the terminal into single-key mode until the returned keys are closed. */
    Keys keys();

    /** Keys typed while open, one at a time. */
    interface Keys extends AutoCloseable {
        /** Returned by {@link #read} when no key came in time. */
        int TIMEOUT = -2;

        /** No keyboard: every read times out at once. */
        Keys NONE = new Keys() {
            @Override
            public int read(long timeoutMs) {
                return TIMEOUT;
            }

            @Override
            public boolean live() {
                return false;
            }

            @Override
            public void close() {
            }
        };

        /** The next key, waiting up to {@code timeoutMs}: a char, -1 at end of input, or {@link #TIMEOUT}. */
        int read(long timeoutMs) throws IOException;

        /** Whether keys really come from a keyboard. */
        boolean live();

        /** Gives the terminal back its earlier mode. */
        @Override
        void close();
    }
}
