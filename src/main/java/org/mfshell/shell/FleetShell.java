package org.mfshell.shell;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.MfshellException;
import org.mfshell.fleet.FleetFile;
import org.mfshell.fleet.FleetRoute;
import org.mfshell.fleet.FleetRun;
import org.mfshell.postfix.Ssh;

/**
 * The fleet shell, {@code mfshell --on HOSTS} without a command: a JLine read loop (mfshell's
 * terminal, its history file, Ctrl-C stopping the running command, output filters and the pager of
 * {@link ShellOutput}) whose prompt names the fleet ({@code mfshell@relays>}, {@code mfshell@all>},
 * {@code mfshell@rustin,cleveland>}) and whose every line goes to {@link FleetCommand} with the
 * session's {@link FleetRun}: merged commands across the hosts, {@code HOST:INSTANCE} lines passed
 * through to that host, lines naming two hosts to the local one-shot path. Each host is checked
 * once per session, ssh's shared connection is kept ten minutes ({@link Ssh#PERSIST_SHELL_S}) so
 * the session pays the handshake once, and TAB completes commands, {@code HOST:} and then that
 * host's instance names (asked of the host once, from its {@code instances --json}, in the
 * background as the session opens). {@code help} and {@code version} run here; quit, exit, Ctrl-D
 * leave. No Spring context: the local shell's Spring Shell commands are not needed here.
 * Errors: a bad {@code --on} value is one line and exit 2 before anything runs.
 */
public final class FleetShell {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<String> BUILTINS = List.of("help", "version", "quit", "exit", "history", "clear");

    private final AppContext ctx;
    private final Map<String, String> env;
    private final List<String> hosts;
    private final String label;
    private final FleetRun fleet;
    private final Cli local;
    private final Map<String, List<String>> instances = new ConcurrentHashMap<>();

    FleetShell(AppContext ctx, Map<String, String> env, List<String> hosts, String label, FleetRun fleet) {
        this.ctx = ctx;
        this.env = env;
        this.hosts = hosts;
        this.label = label;
        this.fleet = fleet;
        this.local = new Cli(ctx, Commands.all());
    }

    /** Opens the shell over {@code on}'s hosts and returns its exit code when the operator leaves. */
    public static int start(AppContext ctx, Map<String, String> env, String on, String operator) {
        List<String> hosts;
        try {
            hosts = FleetFile.read(FleetFile.path(env)).resolve(on);
        } catch (MfshellException e) {
            System.err.println("mfshell: " + e.getMessage());
            return e.exitCode();
        }
        EarlyTerminal.begin();
        FleetRun fleet = new FleetRun(new Ssh(ctx.runner(), env, Ssh.PERSIST_SHELL_S), VersionCommand.version(),
                VersionCommand.JSON_SHAPES, operator != null ? operator : FleetCommand.operatorClaim());
        FleetShell shell = new FleetShell(ctx, env, hosts, label(on, hosts), fleet);
        shell.prefetch();
        return shell.loop();
    }

    /** The prompt's name of the fleet: {@code all}, the group, or the hosts as given. */
    static String label(String on, List<String> hosts) {
        return on.equals("all") || !on.contains(",") && !hosts.contains(on) ? on : String.join(",", hosts);
    }

    String prompt() {
        return "mfshell@" + label + "> ";
    }

    /** Checks every host and fetches its instance names on a background thread, so the first TAB need not wait. */
    private void prefetch() {
        Thread t = new Thread(() -> hosts.parallelStream().forEach(this::instancesOf), "mfshell-fleet-prefetch");
        t.setDaemon(true);
        t.start();
    }

    private int loop() {
        Terminal terminal = EarlyTerminal.terminal();
        CommandThread.install(terminal);
        History history = new DefaultHistory();
        DefaultParser parser = new DefaultParser();
        parser.setEofOnUnclosedQuote(true);
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("mfshell")
                .completer(new FleetCompleter(this))
                .history(history)
                .parser(parser)
                .variable(LineReader.HISTORY_FILE, ShellApplication.historyFile())
                .build();
        reader.unsetOpt(LineReader.Option.INSERT_TAB);
        history.attach(reader);
        PrintWriter tty = terminal.writer();
        AttributedString prompt = new AttributedString(prompt(), AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN));
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt.toAnsi(terminal));
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                List<String> words;
                try {
                    words = LineSplitter.split(line.trim());
                } catch (RuntimeException e) {
                    tty.println("mfshell: " + e.getMessage());
                    tty.flush();
                    continue;
                }
                if (words.isEmpty()) {
                    continue;
                }
                String cmd = words.get(0);
                if (cmd.equals("quit") || cmd.equals("exit")) {
                    break;
                }
                if (cmd.equals("history")) {
                    for (History.Entry e : history) {
                        tty.println(String.format("%5d  %s", e.index() + 1, e.line()));
                    }
                    tty.flush();
                    continue;
                }
                if (cmd.equals("clear")) {
                    terminal.puts(InfoCmp.Capability.clear_screen);
                    terminal.flush();
                    continue;
                }
                BufferedReader in = new BufferedReader(new LinesReader(() -> reader.readLine("")));
                if (cmd.equals("help") || cmd.equals("version")) {
                    if (cmd.equals("help") && words.size() == 1) {
                        tty.println("Fleet " + label + " (" + String.join(", ", hosts) + "): merged across the hosts: "
                                + String.join(", ", FleetRoute.MERGED) + ". Name an instance as HOST:INSTANCE (mailq "
                                + hosts.get(0) + ":msn-a) to run on that host.");
                        tty.flush();
                    }
                    ShellOutput.runLine(local, words, tty, in);
                    continue;
                }
                ShellOutput.runLine((w, io) -> FleetCommand.run(ctx, env, hosts, fleet, w, io), ctx.runner(), words, tty, in);
            }
        } finally {
            try {
                history.save();
            } catch (java.io.IOException e) {
                // history then simply is not saved
            }
        }
        return ExitCodes.OK;
    }

    List<String> hosts() {
        return hosts;
    }

    /** {@code host}'s instance names from its {@code instances --json}, asked once per session (not kept when it failed). */
    List<String> instancesOf(String host) {
        List<String> known = instances.get(host);
        if (known != null) {
            return known;
        }
        try {
            FleetRun.HostResult r = fleet.run(List.of(host), List.of("instances", "--json")).get(0);
            if (!r.ok()) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (JsonNode n : MAPPER.readTree(r.stdout())) {
                if (n.path("name").isTextual()) {
                    names.add(n.get("name").asText());
                }
            }
            instances.put(host, List.copyOf(names));
            return names;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** The spec of a local command by name, for its options. */
    Optional<CommandSpec> spec(String name) {
        return local.commands().stream().map(MfCommand::spec).filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * TAB in the fleet shell: commands first; options from the command's spec; {@code HOST:} for a
     * positional word or {@code --to}'s value, then, once a host is typed, {@code HOST:INSTANCE}.
     */
    static final class FleetCompleter implements Completer {
        private final FleetShell shell;

        FleetCompleter(FleetShell shell) {
            this.shell = shell;
        }

        @Override
        public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
            List<String> before = new ArrayList<>(line.words().subList(0, line.wordIndex()));
            String partial = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
            for (String[] c : candidates(before, partial)) {
                candidates.add(new Candidate(c[0], c[0], null, c[1], null, null, !c[0].endsWith(":")));
            }
        }

        /** Each candidate as {value, description}; a value ending in ':' takes no space after it. */
        List<String[]> candidates(List<String> before, String partial) {
            List<String[]> out = new ArrayList<>();
            if (before.isEmpty()) {
                LinkedHashSet<String> names = new LinkedHashSet<>(FleetRoute.MERGED);
                names.addAll(FleetRoute.ONE_HOST);
                names.addAll(BUILTINS);
                for (String n : names) {
                    if (n.startsWith(partial)) {
                        out.add(new String[] {n, shell.spec(n).map(CommandSpec::summary).orElse(null)});
                    }
                }
                return out;
            }
            Optional<CommandSpec> spec = shell.spec(before.get(0));
            if (partial.startsWith("-")) {
                spec.ifPresent(s -> s.visibleOptions().forEach(o -> {
                    if (("--" + o.longName()).startsWith(partial)) {
                        out.add(new String[] {"--" + o.longName(), o.help()});
                    }
                }));
                return out;
            }
            String prev = before.get(before.size() - 1);
            if (prev.startsWith("--") && !prev.equals("--to") && spec.isPresent()) {
                Optional<OptionSpec> o = spec.get().option(prev.substring(2));
                if (o.isPresent() && !o.get().isFlag()) {
                    return out;
                }
            }
            String host = FleetRoute.hostOf(shell.hosts(), partial);
            if (host == null) {
                for (String h : shell.hosts()) {
                    if (partial.equals(h + ":")) {
                        host = h;
                    }
                }
            }
            if (host != null) {
                for (String i : shell.instancesOf(host)) {
                    String v = host + ":" + i;
                    if (v.startsWith(partial)) {
                        out.add(new String[] {v, null});
                    }
                }
                return out;
            }
            for (String h : shell.hosts()) {
                if ((h + ":").startsWith(partial)) {
                    out.add(new String[] {h + ":", null});
                }
            }
            return out;
        }
    }
}
