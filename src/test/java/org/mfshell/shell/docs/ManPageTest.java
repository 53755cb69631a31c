package org.mfshell.shell.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.OptionSpec;
import org.mfshell.postfix.ExecResult;

/**
 * mfshell(1): renders without a single groff or man warning, documents every visible command and
 * option, and shows the wiki's workflows as EXAMPLES only in forms the command specs accept.
 */
class ManPageTest {
    @TempDir
    Path tmp;

    @Test
    void rendersWithoutWarnings() throws IOException {
        Path page = ShellScripts.write(tmp, "mfshell.1", DocsGenerator.manPage("0.1.0"));
        ExecResult groff = ShellScripts.ok(Map.of(), "groff", "-man", "-Tutf8", "-ww", "-z", page.toString());
        assertEquals("", groff.stderr());
        ExecResult man = ShellScripts.ok(Map.of("LC_ALL", "C.UTF-8", "MANWIDTH", "80"),
                "man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page.toString());
        assertEquals("", man.stderr());
        ExecResult text = ShellScripts.ok(Map.of("LC_ALL", "C.UTF-8", "MANWIDTH", "100", "MAN_KEEP_FORMATTING", ""),
                "man", "-l", page.toString());
        assertTrue(text.stdout().contains("EXIT STATUS"), text.stdout());
    }

    @Test
    void documentsEveryCommandAndOption() {
        String man = DocsGenerator.manPage("0.1.0");
        for (CommandSpec s : DocsGenerator.specs()) {
            if (s.hidden()) {
                assertFalse(man.contains(".SS \"" + ManPage.esc(s.name())), s.name());
                continue;
            }
            assertTrue(man.contains(".SS \"" + ManPage.esc(s.usage())), s.name());
            for (OptionSpec o : s.options()) {
                // Internal options pass between hosts' mfshells; people never type them.
                assertEquals(!o.internal(), man.contains(ManPage.esc("--" + o.longName())), s.name() + " --" + o.longName());
            }
        }
        for (String section : List.of(".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH EXAMPLES", ".SH ENVIRONMENT",
                ".SH FILES", ".SH \"EXIT STATUS\"")) {
            assertTrue(man.contains(section), section);
        }
        for (String env : List.of("MFSHELL_CONFIG_ROOT", "MFSHELL_STATE_DIR", "MFSHELL_AUDIT_LOG", "MFSHELL_LAB_ROOT",
                "MFSHELL_MAIL_LOG", "NO_COLOR")) {
            assertTrue(man.contains(".B " + env + "\n"), env);
        }
        for (int code : List.of(0, 1, 2)) {
            assertTrue(man.contains(".B " + code + "\n"), "exit " + code);
        }
    }

    @Test
    void wikiExamplesParseAndAppearForEveryRegisteredCommand() {
        assertEquals(List.of(), DocsGenerator.manPageProblems());
        String man = DocsGenerator.manPage("0.1.0");
        String examples = man.substring(man.indexOf(".SH EXAMPLES\n"), man.indexOf(".SH ENVIRONMENT\n"));
        List<String> names = DocsGenerator.specs().stream().map(CommandSpec::name).toList();
        for (String[] ex : ManPage.WORKFLOW_EXAMPLES) {
            boolean registered = names.contains(ex[0].split(" ")[0]);
            assertEquals(registered, examples.contains("\n" + ManPage.esc("mfshell " + ex[0]) + "\n"), ex[0]);
        }
        assertTrue(examples.contains("\n" + ManPage.esc("mfshell mailq msn-a") + "\n"), examples);
    }

    @Test
    void gzipIsReproducibleMaximumCompression() throws IOException {
        byte[] data = DocsGenerator.manPage("0.1.0").getBytes(StandardCharsets.UTF_8);
        byte[] gz = DocsGenerator.gzip(data);
        assertEquals(2, gz[8], "XFL: maximum compression");
        assertEquals(0, gz[4] | gz[5] | gz[6] | gz[7], "no time stamp");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertEquals(new String(data, StandardCharsets.UTF_8), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of(gz.length), List.of(DocsGenerator.gzip(data).length));
    }
}
