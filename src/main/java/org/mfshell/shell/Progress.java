package org.mfshell.shell;

import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.mfshell.cli.Io;

/**
 * A progress bar on stderr for long work: appears only on a terminal and only once the work
 * has taken more than a second, redraws four times a second, and is erased when the work ends.
 * Never drawn when output is piped.
 */
final class Progress {
    private static final long DELAY_MS = 1000;

    private Progress() {
    }

    static <T> T around(Io io, LongSupplier done, long total, Callable<T> work) throws Exception {
        if (!io.terminal()) {
            return work.call();
        }
        Thread painter = new Thread(() -> paint(io, done, total), "mfshell-progress");
        painter.setDaemon(true);
        painter.start();
        try {
            return work.call();
        } finally {
            painter.interrupt();
            // The bar is erased before anything else is printed, also when Ctrl-C stopped the work.
            boolean interrupted = Thread.interrupted();
            try {
                painter.join(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void paint(Io io, LongSupplier done, long total) {
        boolean drawn = false;
        try {
            Thread.sleep(DELAY_MS);
            while (!Thread.currentThread().isInterrupted()) {
                io.err().print("\r" + line(done.getAsLong(), total) + "\u001B[K");
                io.err().flush();
                drawn = true;
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            // work finished
        } finally {
            if (drawn) {
                io.err().print("\r\u001B[K");
                io.err().flush();
            }
        }
    }

    static String line(long done, long total) {
        long mb = done >> 20;
        if (total <= 0) {
            return "scanning " + mb + " MB";
        }
        // Inflated .gz bytes can exceed the on-disk total: cap at 99 % until done.
        int pct = (int) Math.min(99, done * 100 / total);
        int width = 30;
        int fill = pct * width / 100;
        return String.format("scanning [%s%s] %3d%%  %d MB", "#".repeat(fill), ".".repeat(width - fill), pct, mb);
    }
}
