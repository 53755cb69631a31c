package org.mfshell.shell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive shell's JLine terminal, opened on a second thread while Spring starts on the
 * main thread (a 2-core relay server has a core to spare at start-up): opening the system
 * terminal loads JLine's native library and runs {@code infocmp} and {@code test -t}, about a
 * tenth of a second. Built as Spring Shell's own terminal bean builds it. Asked for before it
 * is ready, it is waited for; a failure is rethrown to the caller. Without {@link #begin} it is
 * built on demand.
 */
final class EarlyTerminal {
    private static CompletableFuture<Terminal> terminal;

    /**
     * java.util.logging, which JLine and some libraries (Hibernate Validator, on Spring Shell's
     * "command not found" path) log to: warnings only, JLine's only when severe (its "dumb terminal"
     * notice is not an error). Kept so the levels stay.
     */
    private static Logger rootLogger;
    private static Logger jlineLogger;

    private EarlyTerminal() {
    }

    /** Starts opening the terminal (once); returns at once. */
    static synchronized void begin() {
        if (terminal != null) {
            return;
        }
        CompletableFuture<Terminal> t = new CompletableFuture<>();
        terminal = t;
        Thread thread = new Thread(() -> complete(t, EarlyTerminal::buildTerminal), "mfshell-terminal");
        thread.setDaemon(true);
        thread.start();
    }

    /** The shell's terminal: the one prepared early, or one built now. */
    static Terminal terminal() {
        CompletableFuture<Terminal> f;
        synchronized (EarlyTerminal.class) {
            f = terminal;
        }
        return f == null ? buildTerminal() : join(f);
    }

    private static <T> void complete(CompletableFuture<T> f, Supplier<T> how) {
        try {
            f.complete(how.get());
        } catch (Throwable e) {
            f.completeExceptionally(e);
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw e;
        }
    }

    private static Terminal buildTerminal() {
        synchronized (EarlyTerminal.class) {
            if (jlineLogger == null) {
                rootLogger = Logger.getLogger("");
                rootLogger.setLevel(Level.WARNING);
                jlineLogger = Logger.getLogger("org.jline");
                jlineLogger.setLevel(Level.SEVERE);
            }
        }
        try {
            return TerminalBuilder.builder().systemOutput(TerminalBuilder.SystemOutput.SysOut).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
        }
    }
}
