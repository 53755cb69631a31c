package org.mfshell.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jline.reader.Candidate;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.shell.core.command.AbstractCommand;
import org.springframework.shell.core.command.Clear;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.ParsedInput;
import org.springframework.shell.jline.CommandCompleter;
import org.springframework.shell.jline.CommandHighlighter;
import org.springframework.shell.jline.ExtendedDefaultParser;
import org.springframework.shell.jline.JLineInputProvider;
import org.springframework.shell.jline.JLineShellRunner;

/**
 * The interactive shell: Spring Shell's JLine runner (line editing, history in
 * ~/.config/mfshell/history, prompt {@code mfshell@HOST>}) over mfshell's own command objects.
 * Each {@link MfCommand} is registered as a Spring Shell command whose execution hands the raw
 * words to {@link Cli}, so the shell and one-shot runs parse, validate and report identically.
 * Completion goes through {@link CompletionEngine}.
 *
 * <p>The Spring Shell beans are wired here, as Spring Shell's own DefaultJLineShellConfiguration
 * does, rather than by its Boot auto-configuration: that brings property binding, a CGLIB
 * configuration class, file logging and component-flow/TUI/theming beans the shell does not use,
 * and with them about a fifth of the time to the first prompt. Together with Spring AOT (the
 * build's {@code process-aot}), no start-up listeners and the work {@link EarlyTerminal} does on a
 * second core, the prompt appears in about half a second on a 2-core machine (bench/startup.sh).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
public class ShellApplication {
    private static AppContext appContext;

    /**
     * Only for Spring AOT at build time ({@code process-aot} runs this to record the context);
     * operators start the shell through {@link org.mfshell.Main}.
     */
    public static void main(String[] args) {
        start(AppContext.fromEnvironment(System.getenv(), null));
    }

    /** Starts Spring and the JLine read loop; returns when the operator quits. */
    public static void start(AppContext ctx) {
        appContext = ctx;
        boolean aotProcessing = System.getProperty("spring.aot.processing") != null;
        // Spring's own log lines are not shown in the shell (mfshell reports its errors itself, and
        // a failed start as one line, in Main); this also keeps java.util.logging, which JLine uses
        // and EarlyTerminal configures, off the main thread's start-up path.
        if (System.getProperty("org.apache.commons.logging.Log") == null) {
            System.setProperty("org.apache.commons.logging.LogFactory", "org.apache.commons.logging.impl.LogFactoryImpl");
            System.setProperty("org.apache.commons.logging.Log", "org.apache.commons.logging.impl.NoOpLog");
        }
        if (!aotProcessing) {
            EarlyTerminal.begin();
        } else {
            // The build's AOT run touches Hibernate Validator, whose INFO line would land in the
            // build's output (and so before the first prompt of scripts/lab-shell.sh).
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        }
        if (!aotProcessing && System.getProperty("spring.aot.enabled") == null && packagedWithAot()) {
            startFromAot();
            return;
        }
        SpringApplication app = new SpringApplication(ShellApplication.class);
        app.setMainApplicationClass(ShellApplication.class);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        // None of Boot's start-up listeners: they read application.properties (also from the
        // current directory, which an admin shell must not do), configure a logging system and
        // warm caches on a background thread. The shell has no settings of its own to read.
        app.setListeners(List.of());
        app.setAddConversionService(false);
        // Beans nobody asks for are never built.
        app.setLazyInitialization(true);
        // The runner below returns when the operator quits; closing the context saves the history
        // (so does Spring's shutdown hook when the session ends otherwise, as on a lost ssh link).
        app.run().close();
    }

    /**
     * The packaged shell: the build's AOT initializer fills a plain Spring context (the beans of
     * this class, as generated code), without Spring Boot's SpringApplication around it. Boot
     * would only add what {@link #start} switches off anyway (listeners, banner, logging, the
     * conversion service), yet before the refresh it still reads every jar's spring.factories and
     * builds its environment and property sources, about a third of the time to the prompt on a
     * 2-core machine (bench/startup.sh). Spring's shutdown hook closes the context as Boot's does
     * (history saved on a lost ssh session, the terminal restored).
     */
    private static void startFromAot() {
        ApplicationContextInitializer<GenericApplicationContext> initializer;
        try {
            @SuppressWarnings("unchecked")
            ApplicationContextInitializer<GenericApplicationContext> i = (ApplicationContextInitializer<GenericApplicationContext>) Class
                    .forName(ShellApplication.class.getName() + "__ApplicationContextInitializer", true, ShellApplication.class.getClassLoader())
                    .getDeclaredConstructor().newInstance();
            initializer = i;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the build's Spring AOT output cannot be loaded: " + e, e);
        }
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            initializer.initialize(context);
            context.registerShutdownHook();
            context.refresh();
            // What the shellLoop bean does under SpringApplication (no arguments: the shell takes none).
            context.getBean(JLineShellRunner.class).run(new String[0]);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Whether to use the build's Spring AOT output (ShellApplication__ApplicationContextInitializer),
     * which replaces configuration-class parsing at start-up: only when running from the packaged
     * jar, never from a classes directory (tests, an IDE), where the output may be older than the
     * code. (Never while the build's AOT processor itself runs this class: spring.aot.processing.)
     */
    static boolean packagedWithAot() {
        CodeSource src = ShellApplication.class.getProtectionDomain().getCodeSource();
        URL where = src == null ? null : src.getLocation();
        boolean classesDirectory = where == null || ("file".equals(where.getProtocol()) && where.getPath().endsWith("/"));
        return !classesDirectory && ShellApplication.class.getResource("ShellApplication__ApplicationContextInitializer.class") != null;
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

    /**
     * mfshell's commands, plus quit/exit and Spring Shell's own {@code history} and {@code clear};
     * no classpath scanning at start-up.
     */
    @Bean
    CommandRegistry commandRegistry(Cli cli, History history) {
        CommandRegistry registry = new CommandRegistry();
        for (MfCommand c : cli.commands()) {
            registry.registerCommand(new SpringCommandAdapter(c, cli));
        }
        registry.registerCommand(new QuitCommand());
        registry.registerCommand(new UnknownCommand(cli));
        registry.registerCommand(new org.springframework.shell.jline.command.History(history));
        registry.registerCommand(new Clear());
        return registry;
    }

    /**
     * Passes the words through untouched; mfshell's ArgParser checks them against the command's
     * spec. A word that names no command goes to {@link UnknownCommand}, so a typo gets mfshell's
     * one line, as in a one-shot run, not Spring Shell's list of every command.
     */
    @Bean
    CommandParser commandParser(Cli cli) {
        Set<String> known = new HashSet<>(BUILTINS);
        for (MfCommand c : cli.commands()) {
            known.add(c.spec().name());
        }
        return line -> {
            List<String> words;
            try {
                words = LineSplitter.split(line.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            ParsedInput.Builder b = ParsedInput.builder();
            String name = words.isEmpty() ? "" : words.get(0);
            int first = 1;
            if (!name.isEmpty() && !known.contains(name)) {
                name = UnknownCommand.NAME;
                first = 0;
            }
            b.commandName(name);
            for (int i = first; i < words.size(); i++) {
                b.addArgument(new CommandArgument(i - first, words.get(i)));
            }
            return b.build();
        };
    }

    /** The shell's own words besides mfshell's commands. */
    static final List<String> BUILTINS = List.of("quit", "exit", "history", "clear");
    private static final Map<String, String> BUILTIN_HELP = Map.of("quit", "leave the shell", "exit", "leave the shell",
            "history", "list past commands", "clear", "clear the screen");

    @Bean
    CommandCompleter commandCompleter(CommandRegistry registry, CompletionEngine engine) {
        return new CommandCompleter(registry) {
            @Override
            public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
                List<String> before = new ArrayList<>(line.words().subList(0, line.wordIndex()));
                String partial = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
                int order = 0;
                for (CompletionEngine.Described d : engine.describe(before, partial)) {
                    // The engine's order is kept (flush --to: siblings first), not JLine's sorting.
                    candidates.add(new Candidate(d.value(), d.value(), null, d.description(), null, null, true, order++));
                }
                if (before.isEmpty()) {
                    for (String builtin : BUILTINS) {
                        if (builtin.startsWith(partial)) {
                            candidates.add(new Candidate(builtin, builtin, null, BUILTIN_HELP.get(builtin), null, null, true,
                                    order++));
                        }
                    }
                }
            }
        };
    }

    /** The terminal {@link EarlyTerminal} has been opening since start-up. */
    @Bean
    Terminal terminal() {
        Terminal t = EarlyTerminal.terminal();
        CommandThread.install(t);
        return t;
    }

    /** The command history, kept in ~/.config/mfshell/history (saved when the context closes). */
    @Bean(destroyMethod = "save")
    History history() {
        return new DefaultHistory();
    }

    /** JLine's line editor, set up as Spring Shell's JLineShellAutoConfiguration sets it up. */
    @Bean
    LineReader lineReader(Terminal terminal, CommandCompleter completer, CommandRegistry registry, History history) {
        ExtendedDefaultParser parser = new ExtendedDefaultParser();
        parser.setEofOnUnclosedQuote(true);
        parser.setEofOnEscapedNewLine(true);
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("mfshell")
                .completer(completer)
                .history(history)
                .highlighter(new CommandHighlighter(registry))
                .parser(parser)
                .build();
        reader.setVariable(LineReader.HISTORY_FILE, historyFile());
        reader.unsetOpt(LineReader.Option.INSERT_TAB);
        history.attach(reader);
        return reader;
    }

    @Bean
    JLineShellRunner shellRunner(LineReader reader, CommandParser parser, CommandRegistry registry) {
        ForgivingInputProvider input = new ForgivingInputProvider(reader);
        input.setPromptProvider(ShellApplication::prompt);
        return new JLineShellRunner(input, parser, registry);
    }

    @Bean
    ApplicationRunner shellLoop(JLineShellRunner runner) {
        return args -> runner.run(args.getSourceArgs());
    }

    /**
     * The {@code @EventListener} scan over every bean goes (a measurable part of start-up on a
     * 2-core machine): no bean of this context has such a method (a test checks it). Not while the
     * build's AOT processor records the context.
     */
    @Bean
    static BeanDefinitionRegistryPostProcessor noEventListenerScan() {
        return new BeanDefinitionRegistryPostProcessor() {
            @Override
            public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
                if (System.getProperty("spring.aot.processing") == null
                        && registry.containsBeanDefinition(AnnotationConfigUtils.EVENT_LISTENER_PROCESSOR_BEAN_NAME)) {
                    registry.removeBeanDefinition(AnnotationConfigUtils.EVENT_LISTENER_PROCESSOR_BEAN_NAME);
                }
            }

            @Override
            public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            }
        };
    }

    static AttributedString prompt() {
        return new AttributedString("mfshell@" + Host.NAME + "> ", AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN));
    }

    /** The host's short name, read once. */
    private static final class Host {
        static final String NAME = hostName();
    }

    /**
     * Ctrl-C at the prompt clears the line instead of leaving the shell (Spring Shell's read loop
     * exits on JLine's UserInterruptException); Ctrl-D and quit still leave.
     */
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
    static Path historyFile() {
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
        return dir.resolve("history");
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
            ShellOutput.runLine(cli, words, ctx.outputWriter(), new BufferedReader(new LinesReader(() -> ctx.inputReader().readInput(""))));
            // Errors were already printed as one line by Cli; Spring Shell need not add its own.
            return ExitStatus.OK;
        }
    }

    /**
     * Where the parser sends a line whose first word is no command: Cli reports it in one line.
     * Not hidden: Spring Shell's registry never runs a hidden command.
     */
    static final class UnknownCommand extends AbstractCommand {
        static final String NAME = "__unknown_command";
        private final Cli cli;

        UnknownCommand(Cli cli) {
            super(NAME, "An unknown command (reported by mfshell)", "Built-In Commands", "", false);
            this.cli = cli;
        }

        @Override
        public ExitStatus doExecute(CommandContext ctx) {
            List<String> words = new ArrayList<>();
            for (CommandArgument a : ctx.parsedInput().arguments()) {
                words.add(a.value());
            }
            ShellOutput.runLine(cli, words, ctx.outputWriter(), new BufferedReader(Reader.nullReader()));
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

}
