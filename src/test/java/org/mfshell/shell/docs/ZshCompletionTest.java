package org.mfshell.shell.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Candidates for each line, TAB pressed at its end, all in one zsh session. */
    private List<List<String>> complete(Path fpathDir, String... lines) {
        // The lines travel in the environment: trailing spaces must reach zsh intact.
        ExecResult r = ShellScripts.ok(Map.of("MFSHELL_CONFIG_ROOT", root.toString(), "HOME", tmp.toString(),
                "CAPTURE_LINES", String.join("\n", lines)), "zsh", "-f", capture.toString(), fpathDir.toString());
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String l : r.stdout().lines().toList()) {
            if (l.equals("--")) {
                out.add(cur);
                cur = new ArrayList<>();
            } else if (!l.isBlank()) {
                cur.add(l);
            }
        }
        assertEquals(lines.length, out.size(), r.stdout() + r.stderr());
        return out;
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
        Path other = tmp.resolve("other");
        ShellScripts.write(other, "postfix-x1/main.cf", "");
        CommandSpec withOptions = DocsGenerator.specs().stream().filter(s -> !s.hidden() && !s.options().isEmpty())
                .findFirst().orElseThrow();
        List<List<String>> got = complete(dir, "mfshell ", "mfshell mailq ", "mfshell mailq msn-b",
                "mfshell --config-root " + other + " mailq ", "mfshell " + withOptions.name() + " --");
        assertEquals(commands, got.get(0));
        assertEquals(List.of("msn-a", "msn-b"), got.get(1));
        assertEquals(List.of("msn-b"), got.get(2));
        assertEquals(List.of("x1"), got.get(3));
        assertEquals(withOptions.options().stream().map(o -> "--" + o.longName()).sorted().toList(), got.get(4));
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
        List<String> queues = InstanceRegistry.QUEUES.stream().sorted().toList();
        List<List<String>> got = complete(dir, "mfshell t --queue ", "mfshell t -q ", "mfshell t --format ",
                "mfshell t --to ", "mfshell t --queue hold ", "mfshell t msn-a ", "mfshell t --",
                "mfshell t --json --domain x --");
        assertEquals(queues, got.get(0));
        assertEquals(queues, got.get(1));
        assertEquals(List.of("json", "mf", "table"), got.get(2));
        assertEquals(List.of("msn-a", "msn-b"), got.get(3));
        assertEquals(List.of("msn-a", "msn-b"), got.get(4));
        assertEquals(List.of("alpha", "beta"), got.get(5));
        assertEquals(List.of("--domain", "--format", "--json", "--queue", "--to"), got.get(6));
        // Non-repeatable options given once are not offered again; repeatable ones are.
        assertEquals(List.of("--domain", "--format", "--queue", "--to"), got.get(7));
    }
}
