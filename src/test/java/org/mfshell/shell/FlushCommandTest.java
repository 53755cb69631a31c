package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.postfix.ProcessRunner;

/** flush's bad input is refused with exit 2 and one line, before any program runs or any file is written. */
class FlushCommandTest {
    @TempDir
    Path root;

    int run(StringWriter err, String... args) {
        AppContext ctx = new AppContext(root.resolve("etc"), root.resolve("state"), root.resolve("audit.log"), root,
                new ProcessRunner());
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(err), new BufferedReader(new StringReader("")),
                false, false);
        return new Cli(ctx, Commands.all()).run(args, io);
    }

    @Test
    void badInputIsExitTwoOneLineAndWritesNothing() throws IOException {
        for (String n : List.of("msn-a", "msn-b")) {
            Files.createDirectories(root.resolve("etc/postfix-" + n));
            Files.writeString(root.resolve("etc/postfix-" + n + "/main.cf"), "#transport_maps = hash:/x\n");
        }
        Map<String, String> before = snapshot();
        String[][] bad = {
            {"flush", "msn-a", "--to", "msn-a"},
            {"flush", "msn-a", "--to", "msn-b", "--domain", "hot mail.com"},
            {"flush", "msn-a", "--to", "msn-b", "--domain", "hotmail.com\n* smtp:[192.0.2.1]"},
            {"flush", "msn-a", "--to", "msn-b", "--domain", "x".repeat(300) + ".com"},
            {"flush", "msn-a", "--to", "nosuch"},
            {"flush", "nosuch", "--to", "msn-b"},
            {"flush", "msn-a/../x", "--to", "msn-b"},
            {"flush", "msn-a", "--domain", "hotmail.com"},
            {"flush", "msn-a", "--restore", "--rollback"},
            {"flush", "--status", "msn-a"},
            {"flush"},
            {"flush", "msn-a", "--to", "msn-b", "--wait", "10 minutes"},
        };
        for (String[] args : bad) {
            StringWriter err = new StringWriter();
            assertEquals(2, run(err, args), String.join(" ", args) + ": " + err);
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("mfshell: "), err.toString());
        }
        StringWriter err = new StringWriter();
        run(err, "flush", "msn-a", "--to", "msn-b", "--domain", "hot mail.com");
        assertEquals("mfshell: bad domain 'hot mail.com': contains a space or control character", err.toString().strip());
        assertEquals(before, snapshot());
    }

    @Test
    void helpHasExamples() {
        StringWriter out = new StringWriter();
        AppContext ctx = new AppContext(root, root, root.resolve("a"), root, new ProcessRunner());
        Io io = new Io(new PrintWriter(out), new PrintWriter(new StringWriter()), new BufferedReader(new StringReader("")),
                false, false);
        assertEquals(0, new Cli(ctx, Commands.all()).run(new String[] {"help", "flush"}, io));
        assertTrue(out.toString().contains("flush msn-a --to msn-b --domain hotmail.com"), out.toString());
        assertTrue(out.toString().contains("--restore"), out.toString());
    }

    Map<String, String> snapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                m.put(root.relativize(p).toString(), Files.isRegularFile(p) ? AtomicFiles.sha256(p) : "dir");
            }
        }
        return m;
    }
}
