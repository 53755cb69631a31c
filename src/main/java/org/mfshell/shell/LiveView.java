package org.mfshell.shell;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.mfshell.cli.Io;
import org.mfshell.cli.Screen;
import org.mfshell.core.CancelledException;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.UsageException;

/**
 * A top-like screen refreshed in place ({@code mailq --follow}, {@code instances --follow}): a
 * header with the time and "(q to quit)", then the frame, redrawn every interval over the old
 * one and cut to the screen's height; q, Esc, Enter or Ctrl-C end it and give the terminal back.
 * When output is not a terminal, frames follow each other, a blank line between, until stdin
 * gives q. Errors: a frame's own error ends the view and is reported by the caller.
 */
final class LiveView {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /** Draws one frame into the given streams (the caller's Io with its output redirected). */
    @FunctionalInterface
    interface Frame {
        void draw(Io io) throws Exception;
    }

    private LiveView() {
    }

    /** The refresh interval of {@code --interval} (default 2 s, at least 1 s). */
    static Duration interval(java.util.Optional<Duration> given, String command) {
        Duration every = given.orElse(Duration.ofSeconds(2));
        if (every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new UsageException(command + ": --interval must be at least 1s");
        }
        return every;
    }

    static int run(Io io, String title, Duration every, Frame frame) throws Exception {
        Screen.Keys keys = io.terminal() ? io.screen().keys() : Screen.Keys.NONE;
        boolean first = true;
        try (keys) {
            while (true) {
                StringWriter buf = new StringWriter();
                PrintWriter w = new PrintWriter(buf);
                Io into = new Io(w, io.err(), io.in(), io.terminal(), io.color(), io.screen());
                frame.draw(into);
                w.flush();
                String header = title + "   " + CLOCK.format(Instant.now()) + "   (q to quit)";
                if (io.terminal()) {
                    paint(io, header, buf.toString(), first);
                } else {
                    io.out().println(header);
                    io.out().print(buf);
                    io.out().println();
                }
                io.out().flush();
                first = false;
                if (waitForQuit(io, keys, every)) {
                    break;
                }
            }
        } catch (CancelledException | InterruptedException | InterruptedIOException e) {
            // Ctrl-C ends a live view as q does.
            Thread.interrupted();
        }
        if (io.terminal()) {
            io.out().println();
            io.out().flush();
        }
        return ExitCodes.OK;
    }

    /** Redraws in place: home, each line cleared to its end, the rest of the screen cleared. */
    private static void paint(Io io, String header, String body, boolean first) {
        int height = io.screen().height();
        List<String> lines = new java.util.ArrayList<>();
        lines.add(header);
        lines.add("");
        lines.addAll(body.lines().toList());
        if (height > 1 && lines.size() > height - 1) {
            lines = lines.subList(0, height - 1);
        }
        StringBuilder sb = new StringBuilder(first ? "\u001B[H\u001B[2J" : "\u001B[H");
        for (String l : lines) {
            sb.append(org.mfshell.cli.Text.cut(l, io.width())).append("\u001B[K\n");
        }
        sb.append("\u001B[J");
        io.out().print(sb);
    }

    /**
     * Sleeps up to {@code every}; true when the operator typed q, Esc or Enter (single keys on a
     * terminal, else from a line of input).
     */
    static boolean waitForQuit(Io io, Screen.Keys keys, Duration every) throws IOException, InterruptedException {
        long until = System.nanoTime() + every.toNanos();
        while (System.nanoTime() < until) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (keys.live()) {
                int ch = keys.read(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                if (ch == 'q' || ch == 'Q' || ch == 27 || ch == '\r' || ch == '\n') {
                    return true;
                }
                continue;
            }
            while (io.in().ready()) {
                int ch = io.in().read();
                if (ch < 0) {
                    break;
                }
                if (ch == 'q' || ch == 'Q') {
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }
}
