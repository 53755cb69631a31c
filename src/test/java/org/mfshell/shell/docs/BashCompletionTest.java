package org.mfshell.shell.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.OptionSpec;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.ProcessRunner;

/**
 * Drives the generated bash completion function the way bash does (COMP_WORDS/COMP_CWORD in a
 * bash subprocess) and checks the candidates: against the real command set, and against a
 * spec with every kind of option and argument so each branch of the script is exercised.
 */
class BashCompletionTest {
    @TempDir
    Path tmp;
    Path root;
    Map<String, String> env;

    @BeforeEach
    void configRoot() throws IOException {
        root = tmp.resolve("etc");
        ShellScripts.write(root, "postfix-msn-a/main.cf", "queue_directory = /nonexistent\n");
        ShellScripts.write(root, "postfix-msn-b/main.cf", "queue_directory = /nonexistent\n");
        ShellScripts.write(root, "postfix-aol-a/main.cf", "queue_directory = /nonexistent\n");
        Files.createDirectories(root.resolve("postfix-empty"));           // no main.cf: not an instance
        ShellScripts.write(root, "postfix-Bad Name/main.cf", "");           // not a valid name: ignored
        env = Map.of("MFSHELL_CONFIG_ROOT", root.toString(), "HOME", tmp.toString());
    }

    private Path realScript() throws IOException {
        return ShellScripts.write(tmp, "real/mfshell.bash", DocsGenerator.bash());
    }

    /** A command with every completion kind, so the generated script is tested beyond today's commands. */
    private Path syntheticScript() throws IOException {
        CommandSpec t = CommandSpec.builder("t").summary("test")
                .option(OptionSpec.value("queue", "Q", "a queue", Completion.QUEUE_NAME).withShortName('q'))
                .option(OptionSpec.choice("format", "F", "format", "table", "json", "mf"))
                .option(OptionSpec.value("to", "NAME", "target instance", Completion.INSTANCE))
                .option(OptionSpec.value("domain", "DOMAIN", "domain", Completion.NONE).asRepeatable())
                .option(OptionSpec.value("log", "FILE", "log file", Completion.FILE))
                .option(OptionSpec.flag("json", "json"))
                .argument(ArgSpec.required("NAME", "instance", Completion.INSTANCE))
                .argument(ArgSpec.choice("WHAT", "what", false, "alpha", "beta"))
                .argument(ArgSpec.optional("REST", "rest", Completion.QUEUE_NAME).asVariadic())
                .build();
        CommandSpec q = CommandSpec.builder("q").summary("queue values")
                .argument(ArgSpec.required("NAME", "instance", Completion.INSTANCE))
                .option(OptionSpec.value("domain", "DOMAIN", "domain", Completion.QUEUE_DOMAIN))
                .argument(ArgSpec.optional("ID", "queue id", Completion.QUEUE_ID))
                .build();
        CommandSpec hidden = CommandSpec.builder("secret").summary("hidden").hidden().build();
        return ShellScripts.write(tmp, "synthetic/mfshell.bash", BashCompletion.render(List.of(t, q, hidden)));
    }

    @Test
    void firstWordIsEveryVisibleCommand() throws IOException {
        List<String> expected = DocsGenerator.specs().stream().filter(s -> !s.hidden()).map(CommandSpec::name)
                .sorted().toList();
        assertEquals(expected, ShellScripts.bash(realScript(), env, "mfshell", ""));
        assertTrue(!expected.contains("__complete"));
        assertEquals(List.of("mailq"), ShellScripts.bash(realScript(), env, "mfshell", "mai"));
        assertEquals(List.of("--config-root", "--json-shapes", "--on", "--operator"), ShellScripts.bash(realScript(), env, "mfshell", "-"));
    }

    @Test
    void everyCommandOffersExactlyItsOptions() throws IOException {
        Path script = realScript();
        for (CommandSpec s : DocsGenerator.specs()) {
            if (s.hidden()) {
                continue;
            }
            List<String> expected = s.visibleOptions().stream().map(o -> "--" + o.longName()).sorted().toList();
            assertEquals(expected, ShellScripts.bash(script, env, "mfshell", s.name(), "--"), s.name());
        }
    }

    @Test
    void warmupAndRelayMapOfferTheProviderGroups() throws IOException {
        Path script = realScript();
        List<String> groups = List.of("aol", "earthlink", "msn", "therest");
        assertEquals(groups, ShellScripts.bash(script, env, "mfshell", "warmup", "plan", ""));
        assertEquals(List.of("msn"), ShellScripts.bash(script, env, "mfshell", "warmup", "status", "m"));
        assertEquals(groups, ShellScripts.bash(script, env, "mfshell", "relay-map", "--group", ""));
    }

    @Test
    void mailqCompletesLiveInstanceNamesFromTheConfigRoot() throws IOException {
        Path script = realScript();
        assertEquals(List.of("aol-a", "msn-a", "msn-b"), ShellScripts.bash(script, env, "mfshell", "mailq", ""));
        assertEquals(List.of("msn-a", "msn-b"), ShellScripts.bash(script, env, "mfshell", "mailq", "msn"));
        ShellScripts.write(root, "postfix-therest-a/main.cf", "");
        assertEquals(List.of("aol-a", "msn-a", "msn-b", "therest-a"),
                ShellScripts.bash(script, env, "mfshell", "mailq", ""));
        // The command line's --config-root wins over the environment.
        Path other = tmp.resolve("other");
        ShellScripts.write(other, "postfix-x1/main.cf", "");
        assertEquals(List.of("x1"), ShellScripts.bash(script, env, "mfshell", "--config-root", other.toString(),
                "mailq", ""));
        assertEquals(List.of("x1"), ShellScripts.bash(script, env, "mfshell", "--config-root", "=", other.toString(),
                "mailq", ""));
        assertEquals(List.of(), ShellScripts.bash(script, Map.of("MFSHELL_CONFIG_ROOT", tmp.resolve("none").toString()),
                "mfshell", "mailq", ""));
    }

    @Test
    void instanceNamesMatchTheJavaDiscovery() throws IOException {
        // Same rules as InstanceRegistry.scan(): the script must not offer what mfshell would reject.
        List<String> java = new InstanceRegistry(root, new ProcessRunner()).names();
        assertEquals(java, ShellScripts.bash(syntheticScript(), env, "mfshell", "t", ""));
    }

    @Test
    void multiInstanceDirectoriesAndTheDefaultInstanceAreOffered() throws IOException {
        boolean postconf = Stream.of("/usr/sbin/postconf", "/usr/bin/postconf").anyMatch(p -> Files.isExecutable(Path.of(p)));
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(postconf, "postconf not installed: multi_instance_directories not tested");
        }
        Path extra = tmp.resolve("spool-like/relay-x");
        ShellScripts.write(extra, "main.cf", "");
        ShellScripts.write(root, "postfix/main.cf", "multi_instance_directories = " + extra + "\n");
        List<String> expected = new ArrayList<>(List.of("aol-a", "msn-a", "msn-b", "postfix", "relay-x"));
        assertEquals(expected, ShellScripts.bash(syntheticScript(), env, "mfshell", "t", ""));
        assertEquals(new InstanceRegistry(root, new ProcessRunner()).names(), expected);
    }

    @Test
    void optionValuesByKind() throws IOException {
        Path s = syntheticScript();
        List<String> queues = InstanceRegistry.QUEUES.stream().sorted().toList();
        assertEquals(queues, ShellScripts.bash(s, env, "mfshell", "t", "--queue", ""));
        assertEquals(List.of("deferred"), ShellScripts.bash(s, env, "mfshell", "t", "--queue", "def"));
        assertEquals(queues, ShellScripts.bash(s, env, "mfshell", "t", "-q", ""));
        // bash splits --queue=def at '=' (COMP_WORDBREAKS): the value is completed alone.
        assertEquals(List.of("deferred"), ShellScripts.bash(s, env, "mfshell", "t", "--queue", "=", "def"));
        assertEquals(List.of("json", "mf", "table"), ShellScripts.bash(s, env, "mfshell", "t", "--format", ""));
        assertEquals(List.of("aol-a", "msn-a", "msn-b"), ShellScripts.bash(s, env, "mfshell", "t", "--to", ""));
        assertEquals(List.of(), ShellScripts.bash(s, env, "mfshell", "t", "--domain", ""));
        ShellScripts.write(tmp, "logs/mail.log", "");
        assertEquals(List.of(tmp.resolve("logs/mail.log").toString()),
                ShellScripts.bash(s, env, "mfshell", "t", "--log", tmp.resolve("logs/ma").toString()));
    }

    @Test
    void positionalsAreCountedPastOptionsAndTheirValues() throws IOException {
        Path s = syntheticScript();
        List<String> queues = InstanceRegistry.QUEUES.stream().sorted().toList();
        assertEquals(List.of("aol-a", "msn-a", "msn-b"), ShellScripts.bash(s, env, "mfshell", "t", "--queue", "hold", ""));
        assertEquals(List.of("alpha", "beta"), ShellScripts.bash(s, env, "mfshell", "t", "--json", "msn-a", ""));
        assertEquals(List.of("alpha", "beta"), ShellScripts.bash(s, env, "mfshell", "t", "--format=mf", "msn-a", ""));
        assertEquals(queues, ShellScripts.bash(s, env, "mfshell", "t", "msn-a", "alpha", ""));
        assertEquals(queues, ShellScripts.bash(s, env, "mfshell", "t", "msn-a", "alpha", "hold", ""));
        // After --, words are positionals even when they start with a dash.
        assertEquals(List.of("alpha", "beta"), ShellScripts.bash(s, env, "mfshell", "t", "--", "-odd", ""));
    }

    @Test
    void optionsAlreadyGivenAreNotOfferedAgainUnlessRepeatable() throws IOException {
        Path s = syntheticScript();
        assertEquals(List.of("--domain", "--format", "--json", "--log", "--queue", "--to"),
                ShellScripts.bash(s, env, "mfshell", "t", "--"));
        assertEquals(List.of("--domain", "--format", "--log", "--queue", "--to"),
                ShellScripts.bash(s, env, "mfshell", "t", "--json", "--domain", "a.com", "--"));
        assertEquals(List.of("--format"), ShellScripts.bash(s, env, "mfshell", "t", "--f"));
    }

    @Test
    void queueDomainsAndIdsAreAskedOfMfshellComplete() throws IOException {
        // A stand-in for mfshell that records its arguments and answers like __complete would.
        Path log = tmp.resolve("args.txt");
        Path prog = ShellScripts.write(tmp, "bin/mfshell", "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + log
                + "\nprintf 'hotmail.com\\nhotmail.co.uk\\n'\n");
        prog.toFile().setExecutable(true);
        assertEquals(List.of("hotmail.co.uk", "hotmail.com"),
                ShellScripts.bash(syntheticScript(), env, prog.toString(), "q", "msn-a", "--domain", "hot"));
        assertEquals(List.of("--config-root", root.toString(), "__complete", "--", "q", "msn-a", "--domain", "hot"),
                Files.readAllLines(log));
        ShellScripts.bash(syntheticScript(), env, prog.toString(), "q", "msn-a", "");
        assertEquals(List.of("--config-root", root.toString(), "__complete", "--", "q", "msn-a", ""),
                Files.readAllLines(log));
    }

    @Test
    void hiddenAndUnknownCommandsOfferNothing() throws IOException {
        Path s = syntheticScript();
        assertEquals(List.of("q", "t"), ShellScripts.bash(s, env, "mfshell", ""));
        assertEquals(List.of(), ShellScripts.bash(s, env, "mfshell", "nosuch", ""));
        assertEquals(List.of(), ShellScripts.bash(s, env, "mfshell", "nosuch", "--"));
    }
}
