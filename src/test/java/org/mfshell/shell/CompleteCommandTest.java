package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;

/** The hidden {@code __complete} command the shell completion scripts call: candidates, one per line, never an error. */
class CompleteCommandTest {
    @TempDir
    Path root;

    private String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
        AppContext ctx = AppContext.fromEnvironment(Map.of("MFSHELL_CONFIG_ROOT", root.toString()), null);
        List<String> words = new ArrayList<>(List.of("__complete", "--"));
        words.addAll(List.of(args));
        int code = new Cli(ctx, Commands.all()).run(words, io);
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        return out.toString();
    }

    @Test
    void completesCommandsInstancesAndNothingForUnknowns() throws IOException {
        Files.createDirectories(root.resolve("postfix-msn-a"));
        Files.writeString(root.resolve("postfix-msn-a/main.cf"), "");
        Files.createDirectories(root.resolve("postfix-msn-b"));
        Files.writeString(root.resolve("postfix-msn-b/main.cf"), "");
        assertEquals("mailq\n", run("mai"));
        assertEquals("msn-a\nmsn-b\n", run("mailq", ""));
        assertEquals("msn-b\n", run("mailq", "msn-b"));
        assertEquals("", run("nosuch", ""));
        assertEquals("", run());
        // Hidden commands are never offered.
        assertEquals("", run("__"));
    }
}
