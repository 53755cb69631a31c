package org.mfshell.shell;

import java.util.List;
import org.mfshell.cli.Io;
import org.mfshell.flush.FollowProgress;
import org.mfshell.log.DeliveryLine;
import org.mfshell.flush.Operator;
import org.mfshell.flush.Preflight;
import org.mfshell.flush.Step;
import org.mfshell.shell.render.Ansi;

/**
 * Talks to the operator for a flush plan: prints each step (its exact command or diff) on
 * stdout, asks yes / no / all / quit on stderr through {@link Io#ask}, and renders drain
 * progress: one rewritten line on a terminal, a line per change (at most every 2 s) otherwise,
 * plus the source's log lines that relayed the mail (the first {@value #MAX_LOG_LINES}).
 */
final class ConsoleOperator implements Operator {
    static final int MAX_LOG_LINES = 20;
    private final Io io;
    private final int lastStep;
    private int logLinesShown;
    private long lastPrint;
    private String lastLine = "";

    ConsoleOperator(Io io, int lastStep) {
        this.io = io;
        this.lastStep = lastStep;
    }

    @Override
    public void preflight(Preflight p) {
        for (Preflight.Check c : p.results()) {
            if (c.verdict() == Preflight.Check.Verdict.OK) {
                io.out().println("    ok: " + c.detail());
            } else if (c.verdict() == Preflight.Check.Verdict.WARN) {
                io.err().println("mfshell: warning: " + c.detail());
            }
        }
        if (p.movingByDomain().isEmpty()) {
            io.out().println("    no deferred message matches now (the map still catches new mail)");
        } else {
            io.out().println("    deferred recipients that will move (" + p.movingMessages() + " messages):");
            p.movingByDomain().forEach((d, n) -> io.out().printf("      %-30s %6d%n", d, n));
        }
        io.out().println("    done: " + p.source().name() + " -> " + p.target().name() + " at " + p.targetAddress());
        io.out().flush();
    }

    @Override
    public Answer ask(Step step) {
        show(step);
        String choices = step.skippable() ? "[y]es / [n]o, skip it / [a]ll / [q]uit and undo"
                : "[y]es / [n]o, stop and undo / [a]ll / [q]uit and undo";
        for (int tries = 0; tries < 5; tries++) {
            String a = io.askKey("Run step " + step.number() + "? " + choices + ": ", "ynaq");
            if (a == null) {
                io.err().println();
                return Answer.QUIT;
            }
            switch (a.toLowerCase()) {
                case "y", "yes" -> {
                    return Answer.YES;
                }
                case "n", "no" -> {
                    return Answer.NO;
                }
                case "a", "all" -> {
                    return Answer.ALL;
                }
                case "q", "quit" -> {
                    return Answer.QUIT;
                }
                default -> io.err().println("answer y, n, a or q");
            }
        }
        return Answer.QUIT;
    }

    @Override
    public void show(Step step) {
        io.out().println(Ansi.bold(io.color(), "Step " + step.number() + " of " + lastStep + ": " + step.title()));
        for (String l : step.preview().split("\n")) {
            String shown = l;
            if (io.color() && l.startsWith("+") && !l.startsWith("+++")) {
                shown = Ansi.green(true, l);
            } else if (io.color() && l.startsWith("-") && !l.startsWith("---")) {
                shown = Ansi.red(true, l);
            }
            io.out().println("    " + shown);
        }
        io.out().flush();
    }

    @Override
    public void done(Step step, java.time.Duration took) {
        io.out().printf("    done (%.2f s)%n", took.toMillis() / 1000.0);
        io.out().flush();
    }

    @Override
    public void info(String line) {
        io.out().println(line);
        io.out().flush();
    }

    @Override
    public void warn(String line) {
        io.err().println("mfshell: warning: " + line);
        io.err().flush();
    }

    @Override
    public void progress(FollowProgress p) {
        printLogLines(p.newLines());
        // moved + delivered elsewhere + refused + still queued = tracked (the refused stay queued too:
        // soft_bounce keeps them, so they are counted apart from the ones still waiting).
        int waiting = Math.max(0, p.tracked() - p.moved() - p.deliveredElsewhere() - p.bounced());
        String line = String.format("draining %d recipients: %d moved, %d waiting in the queue, %d refused%s, %d s",
                p.tracked(), p.moved(), waiting, p.bounced(),
                p.deliveredElsewhere() > 0 ? ", " + p.deliveredElsewhere() + " delivered elsewhere" : "",
                p.elapsed().toSeconds());
        if (io.terminal()) {
            io.out().print("\r" + line + "   ");
            if (p.finished()) {
                io.out().println();
            }
            io.out().flush();
            return;
        }
        String key = line.substring(0, line.lastIndexOf(','));
        long now = System.nanoTime();
        if (p.finished() || (!key.equals(lastLine) && now - lastPrint > 2_000_000_000L)) {
            io.out().println(line);
            io.out().flush();
            lastLine = key;
            lastPrint = now;
        }
    }

    private void printLogLines(List<DeliveryLine> lines) {
        for (DeliveryLine d : lines) {
            if (logLinesShown < MAX_LOG_LINES) {
                if (io.terminal()) {
                    io.out().print("\r");
                }
                io.out().println("  log: " + d.line());
            } else if (logLinesShown == MAX_LOG_LINES) {
                io.out().println("  log: ... (further delivery lines not shown)");
            }
            logLinesShown++;
        }
    }
}
