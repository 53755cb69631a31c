package org.mfshell.shell;

import java.io.IOException;
import java.util.function.Supplier;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;
import org.jline.utils.NonBlockingReader;
import org.mfshell.cli.Screen;

/**
 * The {@link Screen} of a JLine terminal: its size, and single keys read through JLine's own
 * terminal attributes (raw mode: no line buffering, no echo, Ctrl-C still a signal), which
 * replaces running {@code stty}. In the shell it is the shell's terminal; a one-shot command
 * gets {@link #oneShot}, which asks the kernel for stdout's width (JLine's native provider, no
 * program started) and opens a JLine terminal only when keys are asked for. Reports no errors:
 * a terminal that cannot be opened gives width 0 and {@link Keys#NONE}.
 */
public final class TerminalScreen implements Screen {
    private final Supplier<Terminal> terminal;
    private final boolean oneShot;
    private Terminal opened;

    private TerminalScreen(Supplier<Terminal> terminal, boolean oneShot) {
        this.terminal = terminal;
        this.oneShot = oneShot;
    }

    /** The interactive shell's terminal. */
    static TerminalScreen of(Terminal terminal) {
        return new TerminalScreen(() -> terminal, false);
    }

    /**
     * For a one-shot command whose stdout is a terminal. Ctrl-C while keys are read interrupts
     * {@code owner}, so a live view ends as on q and the terminal gets its mode back.
     */
    public static TerminalScreen oneShot(Thread owner) {
        return new TerminalScreen(() -> {
            try {
                Terminal t = TerminalBuilder.builder().system(true).build();
                t.handle(Terminal.Signal.INT, s -> owner.interrupt());
                return t;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }, true);
    }

    private synchronized Terminal terminal() {
        if (opened == null) {
            opened = terminal.get();
        }
        return opened;
    }

    @Override
    public int width() {
        if (oneShot && opened == null) {
            return stdoutWidth();
        }
        Terminal t = terminal();
        return t == null || Terminal.TYPE_DUMB.equals(t.getType()) ? 0 : Math.max(0, t.getWidth());
    }

    @Override
    public int height() {
        Terminal t = oneShot && opened == null ? null : terminal();
        return t == null ? 0 : Math.max(0, t.getHeight());
    }

    /** stdout's columns from the kernel (TIOCGWINSZ through JLine's native library), else $COLUMNS, else 0. */
    private static int stdoutWidth() {
        try {
            int w = TerminalProvider.load("jni").systemStreamWidth(SystemStream.Output);
            if (w > 0) {
                return w;
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // no native access: fall through
        }
        try {
            return Math.max(0, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "0").trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public Keys keys() {
        Terminal t = terminal();
        if (t == null || Terminal.TYPE_DUMB.equals(t.getType())) {
            return Keys.NONE;
        }
        Attributes before = t.enterRawMode();
        Thread restore = new Thread(() -> t.setAttributes(before), "mfshell-tty-restore");
        if (oneShot) {
            Runtime.getRuntime().addShutdownHook(restore);
        }
        NonBlockingReader reader = t.reader();
        return new Keys() {
            @Override
            public int read(long timeoutMs) throws IOException {
                int c = reader.read(Math.max(1, timeoutMs));
                return c == NonBlockingReader.READ_EXPIRED ? TIMEOUT : c;
            }

            @Override
            public boolean live() {
                return true;
            }

            @Override
            public void close() {
                t.setAttributes(before);
                t.flush();
                if (oneShot) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(restore);
                    } catch (IllegalStateException e) {
                        // already shutting down: the hook restores
                    }
                }
            }
        };
    }
}
