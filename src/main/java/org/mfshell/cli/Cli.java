package org.mfshell.cli;

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
        try {
            if (words.isEmpty()) {
                throw new UsageException("no command given (try: help)");
            }
            MfCommand cmd = commands.get(words.get(0));
            if (cmd == null) {
                throw new UsageException("unknown command " + Quote.quote(words.get(0)) + " (known: "
                        + String.join(", ", visibleNames()) + ")");
            }
            ParsedArgs args = ArgParser.parse(cmd.spec(), words.subList(1, words.size()));
            if (cmd.needsRoot(args) && !Privileges.isRoot()) {
                throw new MfshellException(notRoot(cmd.spec().name()));
            }
            return cmd.run(args, ctx, io);
        } catch (MfshellException e) {
            io.err().println("mfshell: " + Quote.oneLine(e.getMessage()));
            return e.exitCode();
        } catch (Exception e) {
            io.err().println("mfshell: " + Quote.oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("MFSHELL_DEBUG") != null) {
                e.printStackTrace(io.err());
            }
            return ExitCodes.FAILURE;
        } finally {
            io.out().flush();
            io.err().flush();
        }
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
