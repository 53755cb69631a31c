package org.mfshell.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jline.terminal.Terminal;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.cli.Screen;
import org.mfshell.cli.Text;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.postfix.Pager;
import org.mfshell.postfix.ProcessRunner;

/**
 * Where a command's output goes in the interactive shell, as vtysh and git do it: after the
 * command, {@code | include REGEX}, {@code | exclude REGEX} (Java regular expressions, matched
 * anywhere in a line) and {@code | count} filter it line by line, and {@code > FILE} saves it
 * (written whole when the command ends, through a temp file renamed over FILE; a new file is
 * made mode 0600, an existing one keeps its mode; a symbolic link is refused, never followed).
 * Report commands whose output is longer than the screen open in a pager: MFSHELL_PAGER, else
 * $PAGER, else {@code less -FRX}; {@code --no-pager} on the line or MFSHELL_PAGER=off turns it
 * off. Errors: a bad filter or target is a {@link UsageException} before the command runs.
 */
final class ShellOutput {
    /** Commands that only report (no question, no live view): their output may be paged. */
    static final Set<String> PAGED = Set.of("instances", "mailq", "stats", "show", "health", "help", "reroutes",
            "relay-map", "warmup", "version");

    private final List<String> command;
    private final List<Filter> filters;
    private final Path file;
    private final boolean noPager;

    private ShellOutput(List<String> command, List<Filter> filters, Path file, boolean noPager) {
        this.command = command;
        this.filters = filters;
        this.file = file;
        this.noPager = noPager;
    }

    /**
     * Runs one line's command on the shell's terminal: Ctrl-C stops it ({@link CommandThread}),
     * and its output goes through {@link ShellOutput} (filters, a file, the pager).
     */
    static void runLine(Cli cli, List<String> line, PrintWriter tty, BufferedReader in) {
        runLine(cli::run, cli.context().runner(), line, tty, in);
    }

    /** {@link #runLine(Cli, List, PrintWriter, BufferedReader)} with another way to run the words (the fleet shell's). */
    static void runLine(java.util.function.BiFunction<List<String>, Io, Integer> command, ProcessRunner runner, List<String> line,
                        PrintWriter tty, BufferedReader in) {
        Terminal terminal = EarlyTerminal.terminal();
        TerminalScreen screen = TerminalScreen.of(terminal);
        boolean color = System.getenv("NO_COLOR") == null;
        ShellOutput output;
        try {
            output = parse(line);
        } catch (UsageException e) {
            tty.println("mfshell: " + e.getMessage());
            tty.flush();
            return;
        }
        Map<String, String> env = System.getenv();
        boolean page = output.mayPage(env);
        StringWriter kept = output.buffered(page) ? new StringWriter() : null;
        Writer sink = kept != null ? kept : tty;
        Writer filtered = output.filtered(sink);
        PrintWriter out = new PrintWriter(filtered);
        boolean toFile = output.toFile();
        // Filtered or saved output is matched and kept in whole lines, as a pipe gets them in a shell.
        boolean whole = toFile || output.filters();
        Io io = new Io(out, tty, in, !toFile, color && !toFile, whole ? Screen.NONE : screen);
        CommandThread.run(() -> {
            int code = command.apply(output.command(), io);
            out.flush();
            if (filtered != sink) {
                // Ends the filters (| count prints its number); the terminal itself is never closed.
                try {
                    filtered.close();
                } catch (IOException e) {
                    // into a StringWriter or the terminal: nothing to report
                }
            }
            if (kept == null || code == ExitCodes.INTERRUPTED) {
                return;
            }
            try {
                if (toFile) {
                    output.save(kept.toString());
                } else {
                    show(kept.toString(), tty, screen.width(), screen.height(),
                            page ? pagerArgv(env) : null, runner);
                }
            } catch (MfshellException e) {
                tty.println("mfshell: " + e.getMessage());
                tty.flush();
            }
        });
    }

    /** One stage after {@code |}. */
    record Filter(String kind, Pattern pattern) {
    }

    /** Splits {@code CMD ARGS [| FILTER]... [> FILE]} and checks the filters and the target. */
    static ShellOutput parse(List<String> words) {
        List<String> cmd = new ArrayList<>();
        List<Filter> filters = new ArrayList<>();
        Path file = null;
        boolean noPager = false;
        int i = 0;
        for (; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("|") || w.equals(">") || (w.startsWith(">") && w.length() > 1)) {
                break;
            }
            if (w.equals("--no-pager")) {
                noPager = true;
                continue;
            }
            cmd.add(w);
        }
        while (i < words.size()) {
            String w = words.get(i++);
            if (file != null) {
                throw new UsageException("nothing may follow > " + file + " (found '" + w + "')");
            }
            if (w.equals("|")) {
                if (i >= words.size()) {
                    throw new UsageException("| needs a filter: include REGEX, exclude REGEX or count");
                }
                String kind = words.get(i++);
                switch (kind) {
                    case "include", "exclude" -> {
                        if (i >= words.size() || words.get(i).equals("|") || words.get(i).startsWith(">")) {
                            throw new UsageException("| " + kind + " needs a regular expression");
                        }
                        filters.add(new Filter(kind, regex(words.get(i++))));
                    }
                    case "count" -> filters.add(new Filter(kind, null));
                    default -> throw new UsageException("unknown filter '" + Text.cut(kind, 40)
                            + "' (known: include REGEX, exclude REGEX, count)");
                }
            } else {
                String target = w.equals(">") ? (i < words.size() ? words.get(i++) : "") : w.substring(1);
                if (target.isEmpty()) {
                    throw new UsageException("> needs a file name");
                }
                file = checkTarget(Path.of(target));
            }
        }
        for (int f = 0; f < filters.size() - 1; f++) {
            if (filters.get(f).kind().equals("count")) {
                throw new UsageException("| count must be the last filter");
            }
        }
        return new ShellOutput(cmd, filters, file, noPager);
    }

    private static Pattern regex(String re) {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new UsageException("bad regular expression '" + Text.cut(re, 40) + "': " + e.getDescription());
        }
    }

    private static Path checkTarget(Path p) {
        if (Files.isSymbolicLink(p)) {
            throw new UsageException("> " + p + ": a symbolic link; not followed (give the real file)");
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException("> " + p + ": a directory");
        }
        Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("> " + p + ": no such directory " + dir);
        }
        return p;
    }

    List<String> command() {
        return command;
    }

    boolean filters() {
        return !filters.isEmpty();
    }

    boolean toFile() {
        return file != null;
    }

    /** Whether the command's whole output is kept until it ends (file, count, or a pager may open). */
    boolean buffered(boolean pagerWanted) {
        return file != null || counts() || pagerWanted;
    }

    /** Whether a pager may be used for this line: a report command, no live view, not turned off. */
    boolean mayPage(Map<String, String> env) {
        boolean report = !command.isEmpty() && (PAGED.contains(command.get(0)) || command.contains("--help")
                || command.get(0).equals("--help"));
        return file == null && !noPager && report && !command.contains("--follow") && pagerArgv(env) != null;
    }

    private boolean counts() {
        return !filters.isEmpty() && filters.get(filters.size() - 1).kind().equals("count");
    }

    /** The writer the command prints to: the filters in front of {@code sink}. */
    Writer filtered(Writer sink) {
        return filters.isEmpty() ? sink : new LineFilter(sink, filters);
    }

    /** Saves what was kept into FILE. */
    void save(String text) {
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                // Made 0600 first, so the atomic write below keeps that mode (output names recipients).
                Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
            }
        } catch (IOException e) {
            throw new MfshellException("cannot write " + file + ": " + e.getMessage(), e);
        }
        checkTarget(file);
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The pager to run: MFSHELL_PAGER, else PAGER, else less -FRX; null when turned off. */
    static List<String> pagerArgv(Map<String, String> env) {
        String p = env.get("MFSHELL_PAGER");
        if (p == null) {
            p = env.get("PAGER");
            if (p == null) {
                return Pager.DEFAULT;
            }
        }
        p = p.strip();
        if (p.isEmpty() || p.equals("off") || p.equals("cat")) {
            return null;
        }
        // A command and its options separated by spaces, never given to a shell.
        return List.of(p.split("\\s+"));
    }

    /** Lines {@code text} takes on a screen {@code width} wide. */
    static int screenLines(String text, int width) {
        int n = 0;
        for (String line : text.split("\n", -1)) {
            int len = Text.visibleLength(line);
            n += width <= 0 || len == 0 ? 1 : (len + width - 1) / width;
        }
        return text.endsWith("\n") ? n - 1 : n;
    }

    /**
     * Prints {@code text} to the terminal, through the pager when it is longer than the screen
     * (a missing pager: printed as it is).
     */
    static void show(String text, PrintWriter tty, int width, int height, List<String> pager, ProcessRunner runner) {
        if (pager == null || height <= 0 || screenLines(text, width) < height) {
            tty.print(text);
            tty.flush();
            return;
        }
        tty.flush();
        try {
            new Pager(runner).show(pager, text);
        } catch (MfshellException e) {
            tty.print(text);
            tty.println("mfshell: warning: no pager (" + e.getMessage() + "); MFSHELL_PAGER=off stops trying");
            tty.flush();
        }
    }

    /** Passes on the lines the filters keep, as they come; {@code | count} prints the number at the end. */
    static final class LineFilter extends Writer {
        private final Writer sink;
        private final List<Filter> filters;
        private final StringBuilder line = new StringBuilder();
        private long counted;
        private boolean closed;

        LineFilter(Writer sink, List<Filter> filters) {
            this.sink = sink;
            this.filters = filters;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                char c = buf[i];
                if (c == '\n') {
                    emit();
                } else {
                    line.append(c);
                }
            }
        }

        private void emit() throws IOException {
            String l = line.toString();
            line.setLength(0);
            // Colours do not take part in matching.
            String plain = l.indexOf('\u001B') < 0 ? l : l.replaceAll("\u001B\\[[0-9;]*m", "");
            for (Filter f : filters) {
                switch (f.kind()) {
                    case "include" -> {
                        if (!f.pattern().matcher(plain).find()) {
                            return;
                        }
                    }
                    case "exclude" -> {
                        if (f.pattern().matcher(plain).find()) {
                            return;
                        }
                    }
                    default -> {
                        counted++;
                        return;
                    }
                }
            }
            sink.write(l);
            sink.write('\n');
        }

        @Override
        public void flush() throws IOException {
            sink.flush();
        }

        /** Ends a last line without newline, and prints the count. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (line.length() > 0) {
                emit();
            }
            if (!filters.isEmpty() && filters.get(filters.size() - 1).kind().equals("count")) {
                sink.write(counted + "\n");
            }
            sink.flush();
        }
    }

    /** A buffer for output kept until the command ends. */
    static StringWriter buffer() {
        return new StringWriter();
    }
}
