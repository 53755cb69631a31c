package org.mfshell.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.ParsedInput;
import org.springframework.shell.core.config.UserConfigPathProvider;
import org.springframework.shell.core.command.AbstractCommand;
import org.springframework.shell.jline.CommandCompleter;
import org.springframework.shell.jline.JLineInputProvider;
import org.springframework.shell.jline.PromptProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * The interactive shell: Spring Shell's JLine runner (line editing, history in
 * ~/.config/mfshell/history, prompt {@code mfshell@HOST>}) over mfshell's own command objects.
 * Each {@link MfCommand} is registered as a Spring Shell command whose execution hands the raw
 * words to {@link Cli}, so the shell and one-shot runs parse, validate and report identically.
 * Completion goes through {@link CompletionEngine}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class ShellApplication {
    private static AppContext appContext;

    /** Starts Spring and the JLine read loop; returns when the operator quits. */
    public static void start(AppContext ctx) {
        appContext = ctx;
        SpringApplication app = new SpringApplication(ShellApplication.class);
        app.setDefaultProperties(Map.of(
                "spring.main.banner-mode", "off",
                "spring.main.log-startup-info", "false",
                "logging.level.root", "WARN",
                "logging.level.org.jline", "ERROR",
                "spring.shell.command.help.enabled", "false",
                "spring.shell.command.version.enabled", "false",
                "spring.shell.command.script.enabled", "false",
                "spring.shell.history.name", "history",
                "spring.shell.context.close", "true"));
        // Beans nobody asks for (task executors, availability, ...) are never built: a faster prompt.
        app.setLazyInitialization(true);
        app.run();
    }

    @Bean
    AppContext appContext() {
        return appContext != null ? appContext : AppContext.fromEnvironment(System.getenv(), null);
    }

    @Bean
    Cli cli(AppContext ctx) {
        return new Cli(ctx, Commands.all());
    }

    @Bean
    CompletionEngine completionEngine(Cli cli, AppContext ctx) {
        return new CompletionEngine(cli.commands(), ctx);
    }

    /** Our own registry: mfshell's commands plus Spring Shell's quit; no classpath scanning at start-up. */
    @Bean
    CommandRegistry commandRegistry(Cli cli) {
        CommandRegistry registry = new CommandRegistry();
        for (MfCommand c : cli.commands()) {
            registry.registerCommand(new SpringCommandAdapter(c, cli));
        }
        registry.registerCommand(new QuitCommand());
        return registry;
    }

    /** Passes the words through untouched; mfshell's ArgParser checks them against the command's spec. */
    @Bean
    CommandParser commandParser() {
        return line -> {
            List<String> words;
            try {
                words = LineSplitter.split(line.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            ParsedInput.Builder b = ParsedInput.builder();
            b.commandName(words.isEmpty() ? "" : words.get(0));
            for (int i = 1; i < words.size(); i++) {
                b.addArgument(new CommandArgument(i - 1, words.get(i)));
            }
            return b.build();
        };
    }

    @Bean
    CommandCompleter commandCompleter(CommandRegistry registry, CompletionEngine engine) {
        return new CommandCompleter(registry) {
            @Override
            public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
                List<String> before = new ArrayList<>(line.words().subList(0, line.wordIndex()));
                String partial = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
                for (String value : engine.complete(before, partial)) {
                    candidates.add(new Candidate(value, value, null, null, null, null, true));
                }
                if (before.isEmpty()) {
                    for (String builtin : List.of("quit", "exit", "history", "clear")) {
                        if (builtin.startsWith(partial)) {
                            candidates.add(new Candidate(builtin));
                        }
                    }
                }
            }
        };
    }

    @Bean
    PromptProvider promptProvider() {
        return prompt();
    }

    static PromptProvider prompt() {
        String host = hostName();
        return () -> new AttributedString("mfshell@" + host + "> ", AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN));
    }

    /**
     * Ctrl-C at the prompt clears the line instead of leaving the shell (Spring Shell's read loop
     * exits on JLine's UserInterruptException); Ctrl-D and quit still leave.
     */
    @Bean
    static BeanPostProcessor ctrlCClearsTheLine() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof JLineInputProvider p && !(bean instanceof ForgivingInputProvider)) {
                    ForgivingInputProvider f = new ForgivingInputProvider(p.getLineReader());
                    f.setPromptProvider(prompt());
                    return f;
                }
                return bean;
            }
        };
    }

    static final class ForgivingInputProvider extends JLineInputProvider {
        ForgivingInputProvider(LineReader reader) {
            super(reader);
        }

        @Override
        public String readInput() {
            try {
                return super.readInput();
            } catch (UserInterruptException e) {
                return "";
            }
        }
    }

    /** History and other per-user state live in ~/.config/mfshell, never in the current directory. */
    @Bean
    UserConfigPathProvider userConfigPathProvider() {
        return () -> {
            String xdg = System.getenv("XDG_CONFIG_HOME");
            String home = System.getenv("HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                    : Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".config");
            Path dir = base.resolve("mfshell");
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                // History then simply is not saved; the shell still works.
            }
            return dir;
        };
    }

    static String hostName() {
        try {
            String h = Files.readString(Path.of("/etc/hostname")).trim();
            if (!h.isEmpty()) {
                return h.split("\\.")[0];
            }
        } catch (IOException e) {
            // fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName().split("\\.")[0];
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** One mfshell command as Spring Shell sees it. */
    static final class SpringCommandAdapter implements org.springframework.shell.core.command.Command {
        private final MfCommand command;
        private final Cli cli;

        SpringCommandAdapter(MfCommand command, Cli cli) {
            this.command = command;
            this.cli = cli;
        }

        @Override
        public String getName() {
            return command.spec().name();
        }

        @Override
        public String getDescription() {
            return command.spec().summary();
        }

        @Override
        public String getHelp() {
            return command.spec().help();
        }

        @Override
        public boolean isHidden() {
            return command.spec().hidden();
        }

        @Override
        public ExitStatus execute(CommandContext ctx) {
            List<String> words = new ArrayList<>();
            words.add(command.spec().name());
            for (CommandArgument a : ctx.parsedInput().arguments()) {
                words.add(a.value());
            }
            PrintWriter out = ctx.outputWriter();
            Io io = new Io(out, out, new BufferedReader(new InputReaderAdapter(ctx)), true,
                    System.getenv("NO_COLOR") == null);
            cli.run(words, io);
            // Errors were already printed as one line by Cli; Spring Shell need not add its own.
            return ExitStatus.OK;
        }
    }

    /**
     * quit/exit as a registered command (the runner itself ends the loop on these words). Spring
     * Shell's own Utils.QUIT_COMMAND is not used: touching Utils builds a Hibernate Validator
     * factory in its static initialiser, several hundred classes the shell never needs.
     */
    static final class QuitCommand extends AbstractCommand {
        QuitCommand() {
            super("quit", "Exit the shell", "Built-In Commands");
        }

        @Override
        public List<String> getAliases() {
            return List.of("exit");
        }

        @Override
        public ExitStatus doExecute(CommandContext ctx) {
            return ExitStatus.OK;
        }
    }

    /** Lets commands ask questions through JLine's reader (one line per read). */
    static final class InputReaderAdapter extends Reader {
        private final CommandContext ctx;
        private String pending;
        private int pos;

        InputReaderAdapter(CommandContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            if (pending == null || pos >= pending.length()) {
                String line;
                try {
                    line = ctx.inputReader().readInput("");
                } catch (Exception e) {
                    return -1;
                }
                if (line == null) {
                    return -1;
                }
                pending = line + "\n";
                pos = 0;
            }
            int n = Math.min(len, pending.length() - pos);
            pending.getChars(pos, pos + n, buf, off);
            pos += n;
            return n;
        }

        @Override
        public void close() {
        }
    }

}
