package org.mfshell.shell.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.OptionSpec;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.ExecResult;

/**
 * The generated zsh completion: loads cleanly ({@code zsh -n}) and, in a real interactive zsh on
 * a pseudo-terminal (zpty) with compinit, offers the expected candidates when TAB is pressed.
 * The capture script (test resources) wraps compadd to print what is added.
 */
class ZshCompletionTest {
    @TempDir
    Path tmp;
    Path root;
    Path capture;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("etc");
        ShellScripts.write(root, "postfix-msn-a/main.cf", "");
        ShellScripts.write(root, "postfix-msn-b/main.cf", "");
        Files.createDirectories(root.resolve("postfix-nocf"));
        try (InputStream in = getClass().getResourceAsStream("/completion/capture.zsh")) {
            capture = tmp.resolve("capture.zsh");
            Files.write(capture, in.readAllBytes());
        }
    }

    private Path install(String script) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "fpath");
        ShellScripts.write(dir, "_mfshell", script);
        return dir;
    }

    private List<String> complete(Path fpathDir, String line) {
        // The line travels in the environment: a trailing space must reach zsh intact.
        ExecResult r = ShellScripts.ok(Map.of("MFSHELL_CONFIG_ROOT", root.toString(), "HOME", tmp.toString(),
                "CAPTURE_LINE", line), "zsh", "-f", capture.toString(), fpathDir.toString());
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void committedAndGeneratedScriptsParse() throws IOException {
        ShellScripts.ok(Map.of(), "zsh", "-n", Path.of("completions/_mfshell").toAbsolutePath().toString());
        ShellScripts.ok(Map.of(), "zsh", "-n", install(DocsGenerator.zsh()).resolve("_mfshell").toString());
    }

    @Test
    void realCommandsOptionsAndInstances() throws IOException {
        Path dir = install(DocsGenerator.zsh());
        List<String> commands = DocsGenerator.specs().stream().filter(s -> !s.hidden()).map(CommandSpec::name)
                .sorted().toList();
        assertEquals(commands, complete(dir, "mfshell "));
        assertEquals(List.of("msn-a", "msn-b"), complete(dir, "mfshell mailq "));
        Path other = tmp.resolve("other");
        ShellScripts.write(other, "postfix-x1/main.cf", "");
        assertEquals(List.of("x1"), complete(dir, "mfshell --config-root " + other + " mailq "));
        CommandSpec withOptions = DocsGenerator.specs().stream().filter(s -> !s.hidden() && !s.options().isEmpty())
                .findFirst().orElseThrow();
        assertEquals(withOptions.options().stream().map(o -> "--" + o.longName()).sorted().toList(),
                complete(dir, "mfshell " + withOptions.name() + " --"));
    }

    @Test
    void everyKindOfValue() throws IOException {
        CommandSpec t = CommandSpec.builder("t").summary("test: a [bracketed] summary: with colons")
                .option(OptionSpec.value("queue", "Q", "a queue [see postqueue]", Completion.QUEUE_NAME).withShortName('q'))
                .option(OptionSpec.choice("format", "F", "format", "table", "json", "mf"))
                .option(OptionSpec.value("to", "NAME", "target instance", Completion.INSTANCE))
                .option(OptionSpec.value("domain", "DOMAIN", "domain", Completion.NONE).asRepeatable())
                .option(OptionSpec.flag("json", "it's json"))
                .argument(ArgSpec.required("NAME", "instance", Completion.INSTANCE))
                .argument(ArgSpec.choice("WHAT", "what", false, "alpha", "beta"))
                .build();
        Path dir = install(ZshCompletion.render(List.of(t)));
        assertEquals(InstanceRegistry.QUEUES.stream().sorted().toList(), complete(dir, "mfshell t --queue "));
        assertEquals(InstanceRegistry.QUEUES.stream().sorted().toList(), complete(dir, "mfshell t -q "));
        assertEquals(List.of("json", "mf", "table"), complete(dir, "mfshell t --format "));
        assertEquals(List.of("msn-a", "msn-b"), complete(dir, "mfshell t --to "));
        assertEquals(List.of("msn-a", "msn-b"), complete(dir, "mfshell t --queue hold "));
        assertEquals(List.of("alpha", "beta"), complete(dir, "mfshell t msn-a "));
        assertEquals(List.of("--domain", "--format", "--json", "--queue", "--to"), complete(dir, "mfshell t --"));
        // Non-repeatable options given once are not offered again; repeatable ones are.
        assertEquals(List.of("--domain", "--format", "--queue", "--to"), complete(dir, "mfshell t --json --domain x --"));
    }
}
