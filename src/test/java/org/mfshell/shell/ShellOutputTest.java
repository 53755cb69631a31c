package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.UsageException;

/** The shell's | include / | exclude / | count, > FILE and the choice of pager. */
class ShellOutputTest {
    private static final String TEXT = "NAME   STATE\naol-a  running\n\u001B[32mmsn-a\u001B[0m  running\nmsn-b  stopped\n";

    private static String through(String line) throws Exception {
        ShellOutput o = ShellOutput.parse(LineSplitter.split(line));
        StringWriter sink = new StringWriter();
        Writer w = o.filtered(sink);
        try (PrintWriter out = new PrintWriter(w)) {
            out.print(TEXT);
        }
        w.close();
        return sink.toString();
    }

    @Test
    void filtersKeepDropAndCountLines() throws Exception {
        assertEquals("\u001B[32mmsn-a\u001B[0m  running\nmsn-b  stopped\n", through("instances | include ^msn"),
                "colour does not take part in matching");
        assertEquals("NAME   STATE\naol-a  running\n", through("instances | exclude msn"));
        assertEquals("2\n", through("instances | include running | count"));
        assertEquals("1\n", through("instances | include msn | exclude stopped | count"));
        assertEquals(TEXT, through("instances"));
    }

    @Test
    void theCommandLosesTheTailAndNoPager() {
        ShellOutput o = ShellOutput.parse(List.of("mailq", "msn-a", "--no-pager", "|", "include", "x"));
        assertEquals(List.of("mailq", "msn-a"), o.command());
        assertFalse(o.mayPage(Map.of()), "--no-pager");
        assertTrue(ShellOutput.parse(List.of("mailq", "msn-a")).mayPage(Map.of()));
        assertFalse(ShellOutput.parse(List.of("stats", "--follow")).mayPage(Map.of()), "a live view is never paged");
        assertFalse(ShellOutput.parse(List.of("flush", "msn-a")).mayPage(Map.of()), "a command that asks is never paged");
        assertFalse(ShellOutput.parse(List.of("mailq")).mayPage(Map.of("MFSHELL_PAGER", "off")));
    }

    @Test
    void pagerComesFromTheEnvironmentAndIsNeverAShellString() {
        assertEquals(List.of("less", "-FRX"), ShellOutput.pagerArgv(Map.of()));
        assertEquals(List.of("more"), ShellOutput.pagerArgv(Map.of("PAGER", "more")));
        assertEquals(List.of("less", "-R", "$(id)"), ShellOutput.pagerArgv(Map.of("MFSHELL_PAGER", " less -R $(id) ",
                "PAGER", "more")));
        assertEquals(null, ShellOutput.pagerArgv(Map.of("MFSHELL_PAGER", "off")));
        assertEquals(null, ShellOutput.pagerArgv(Map.of("PAGER", "")));
    }

    @Test
    void screenLinesCountWrappedLines() {
        assertEquals(3, ShellOutput.screenLines("a\nb\nc\n", 80));
        assertEquals(3, ShellOutput.screenLines("x".repeat(161) + "\n", 80));
        assertEquals(1, ShellOutput.screenLines("\u001B[31m" + "x".repeat(80) + "\u001B[0m\n", 80));
    }

    @Test
    void badFiltersAndTargetsAreOneUsageLine(@TempDir Path tmp) throws Exception {
        assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", "|")));
        assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", "|", "grep", "x")));
        assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", "|", "include")));
        UsageException bad = assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", "|", "include", "(")));
        assertTrue(bad.getMessage().startsWith("bad regular expression '('"), bad.getMessage());
        assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", "|", "count", "|", "include", "x")));
        assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", ">")));
        assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", ">", tmp.toString())), "a directory");
        Path real = Files.writeString(tmp.resolve("real"), "keep\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        UsageException sym = assertThrows(UsageException.class, () -> ShellOutput.parse(List.of("mailq", ">", link.toString())));
        assertTrue(sym.getMessage().contains("symbolic link"), sym.getMessage());
        assertEquals("keep\n", Files.readString(real), "the link's target is untouched");
    }

    @Test
    void saveWritesANewFile0600AndKeepsAnOldFilesMode(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("out.txt");
        ShellOutput o = ShellOutput.parse(List.of("mailq", ">" + f));
        assertTrue(o.toFile());
        o.save("one\n");
        assertEquals("one\n", Files.readString(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        ShellOutput.parse(List.of("mailq", ">", f.toString())).save("two\n");
        assertEquals("two\n", Files.readString(f));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
}
