package org.mfshell.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.cli.MfshellException;

class AtomicFilesTest {
    @Test
    void replaceKeepsBackupModeAndLeavesNoTemp(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("main.cf");
        Files.writeString(f, "old\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        Path backup = AtomicFiles.replace(f, "new\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("new\n", Files.readString(f));
        assertNotNull(backup);
        assertEquals("old\n", Files.readString(backup));
        assertTrue(backup.getFileName().toString().matches("main\\.cf\\.mfshell-\\d{8}T\\d{6}\\.\\d{3}Z\\.bak"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count());
        }
        assertNull(AtomicFiles.replace(dir.resolve("new.file"), new byte[] {1}));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(dir.resolve("new.file")));
    }

    @Test
    void failureLeavesOriginalAndNoTemp(@TempDir Path dir) throws Exception {
        Path sub = dir.resolve("sub");
        Files.createDirectory(sub);
        Path target = sub.resolve("x");
        Files.createDirectory(target);
        Files.writeString(target.resolve("inside"), "keep");
        // Renaming a file over a non-empty directory fails: the write must report it and clean up.
        MfshellException e = assertThrows(MfshellException.class, () -> AtomicFiles.write(target, new byte[] {1}));
        assertTrue(e.getMessage().startsWith("cannot write " + target), e.getMessage());
        try (Stream<Path> s = Files.list(sub)) {
            assertEquals(List.of(target), s.toList());
        }
        assertEquals(AtomicFiles.ABSENT, AtomicFiles.sha256(dir.resolve("missing")));
        assertEquals(64, AtomicFiles.sha256(target.resolve("inside")).length());
    }
}
