package org.mfshell.cli;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Optional;
import org.mfshell.core.CancelledException;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.Privileges;
import org.mfshell.core.UsageException;
import org.mfshell.core.MfshellException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.core.Quote;

/**
 * Finds the command named by the first word, parses the rest against its spec, runs it, and
 * turns every escaping error into one line on stderr (control characters escaped, whatever the
 * message holds) and an exit code. Used both by the
 * one-shot path ({@code mfshell CMD ARGS}) and, line by line, by the interactive shell.
 */
public final class Cli {
    private final Map<String, MfCommand> commands = new LinkedHashMap<>();
    private final AppContext ctx;

    public Cli(AppContext ctx, List<MfCommand> commands) {
        this.ctx = ctx;
        for (MfCommand c : commands) {
            this.commands.put(c.spec().name(), c);
        }
    }

    public List<MfCommand> commands() {
        return new ArrayList<>(commands.values());
    }

    public MfCommand command(String name) {
        return commands.get(name);
    }

    public AppContext context() {
        return ctx;
    }

    public int run(String[] argv, Io io) {
        return run(Arrays.asList(argv), io);
    }

    public int run(List<String> words, Io io) {
        MfCommand cmd = null;
        try {
            if (words.isEmpty()) {
                throw new UsageException("no command given (try: help)");
            }
            boolean wide = presentation(words, "--wide");
            words = conventions(words);
            cmd = commands.get(words.get(0));
            if (cmd == null) {
                String typo = words.get(0);
                Optional<String> near = Suggest.nearest(typo, visibleNames());
                throw new UsageException("unknown command " + Quote.quote(typo) + near.map(n -> "; did you mean " + n + "?")
                        .orElse("") + " (known: " + String.join(", ", visibleNames()) + ")");
            }
            ParsedArgs args = ArgParser.parse(cmd.spec(), words.subList(1, words.size()));
            if (cmd.needsRoot(args) && !Privileges.isRoot()) {
                throw new MfshellException(notRoot(cmd.spec().name()));
            }
            return cmd.run(args, ctx, wide ? io.wide() : io);
        } catch (MfshellException e) {
            if (e instanceof CancelledException) {
                return interrupted(io, e.getMessage());
            }
            return failed(cmd, io, e.getMessage(), e.exitCode());
        } catch (InterruptedException | InterruptedIOException | ClosedByInterruptException e) {
            return interrupted(io, null);
        } catch (Exception e) {
            if (System.getenv("MFSHELL_DEBUG") != null) {
                e.printStackTrace(io.err());
            }
            return failed(cmd, io, e.getMessage() == null ? e.toString() : e.getMessage(), ExitCodes.FAILURE);
        } finally {
            io.out().flush();
            io.err().flush();
        }
    }

    private static int failed(MfCommand cmd, Io io, String message, int code) {
        int own = cmd == null ? -1 : cmd.reportError(message, code, io);
        if (own >= 0) {
            return own;
        }
        error(io, message);
        return code;
    }

    /** One line for a user other than root: what needs root, and what runs without it. */
    String notRoot(String command) {
        int uid = Privileges.uid();
        return command + " needs root (Postfix's queues and configuration and mfshell's state are root's): "
                + "run it as root (sudo mfshell " + command + "); as " + (uid >= 0 ? "uid " + uid : "this user") + " you can run " + String.join(", ", withoutRoot())
                + " and warmup plan with --existing and --host";
    }

    /** The visible commands that never need root. */
    private List<String> withoutRoot() {
        List<String> names = new ArrayList<>();
        for (MfCommand c : commands.values()) {
            if (!c.spec().hidden() && !c.needsRoot(null)) {
                names.add(c.spec().name());
            }
        }
        return names;
    }

    /**
     * The usual spellings: {@code --help}/{@code -h} and {@code --version} as the first word, and
     * {@code CMD --help} / {@code CMD -h} (before any {@code --}), which show {@code help CMD}.
     */
    private List<String> conventions(List<String> words) {
        words = without(words, "--no-pager");
        words = without(words, "--wide");
        if (words.isEmpty()) {
            throw new UsageException("no command given (try: help)");
        }
        String first = words.get(0);
        if ((first.equals("--help") || first.equals("-h")) && commands.containsKey("help")) {
            return words.size() > 1 && commands.containsKey(words.get(1)) ? List.of("help", words.get(1)) : List.of("help");
        }
        if (first.equals("--version") && commands.containsKey("version")) {
            return List.of("version");
        }
        MfCommand cmd = commands.get(first);
        if (cmd != null && commands.containsKey("help") && !first.equals("help")) {
            for (String w : words.subList(1, words.size())) {
                if (w.equals("--")) {
                    break;
                }
                if (w.equals("--help") || (w.equals("-h") && cmd.spec().options().stream().noneMatch(o -> o.shortName() == 'h'))) {
                    return List.of("help", first);
                }
            }
        }
        return words;
    }

    /**
     * The presentation words every command takes (before any {@code --}): {@code --wide} (every
     * cell whole, however narrow the terminal) and {@code --no-pager} (the shell's; a one-shot
     * run never pages).
     */
    public static final List<String> PRESENTATION = List.of("--wide", "--no-pager");

    private static boolean presentation(List<String> words, String word) {
        int end = words.indexOf("--") < 0 ? words.size() : words.indexOf("--");
        return words.subList(0, end).contains(word);
    }

    private static List<String> without(List<String> words, String word) {
        if (!presentation(words, word)) {
            return words;
        }
        int end = words.indexOf("--");
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if ((end >= 0 && i >= end) || !words.get(i).equals(word)) {
                kept.add(words.get(i));
            }
        }
        return kept;
    }

    /** One error line; on a terminal wrapped on words to its width, never in the middle of a word. */
    private static void error(Io io, String message) {
        for (String line : Text.wrap("mfshell: " + Quote.oneLine(message), io.width(), "  ")) {
            io.err().println(line);
        }
    }

    /** "mfshell: interrupted", or the command's own account of what the interruption left ("interrupted: ..."). */
    private static int interrupted(Io io, String message) {
        Thread.interrupted();
        io.out().flush();
        // A command that says what the interruption left starts its message with "interrupted".
        String what = message != null && message.startsWith("interrupted") ? Quote.oneLine(message) : "interrupted";
        io.err().println((io.terminal() ? "\n" : "") + "mfshell: " + what);
        return ExitCodes.INTERRUPTED;
    }

    public List<String> visibleNames() {
        List<String> names = new ArrayList<>();
        for (MfCommand c : commands.values()) {
            if (!c.spec().hidden()) {
                names.add(c.spec().name());
            }
        }
        return names;
    }
}
