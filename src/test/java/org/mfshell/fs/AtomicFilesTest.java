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
import org.mfshell.core.MfshellException;

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

    @Test
    void onlyTheNewestBackupsOfEachFileAreKept(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("main.cf");
        Path other = dir.resolve("master.cf");
        Files.writeString(f, "v0\n");
        Files.writeString(other, "m\n");
        AtomicFiles.replace(other, "m2\n".getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("main.cf.bak"), "the operator's own\n");
        Files.writeString(dir.resolve("main.cf.mfshell-notes.bak"), "not a backup of ours\n");
        Files.writeString(dir.resolve("main.cf.mfshell-20200101T000000.000Z.bak"), "very old\n");
        int changes = AtomicFiles.KEEP_BACKUPS + 3;
        for (int i = 1; i <= changes; i++) {
            AtomicFiles.replace(f, ("v" + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        List<String> ours;
        try (var files = Files.list(dir)) {
            ours = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("main.cf.mfshell-2") && n.endsWith(".bak")).sorted().toList();
        }
        assertEquals(AtomicFiles.KEEP_BACKUPS, ours.size(), ours.toString());
        // The newest backups hold the newest previous contents: v3 .. v12 survive, v0 .. v2 and the 2020 one went.
        List<String> contents = new java.util.ArrayList<>();
        for (String n : ours) {
            contents.add(Files.readString(dir.resolve(n)).strip());
        }
        java.util.Collections.sort(contents, java.util.Comparator.comparingInt(c -> Integer.parseInt(c.substring(1))));
        assertEquals("v" + (changes - AtomicFiles.KEEP_BACKUPS), contents.get(0), contents.toString());
        assertEquals("v" + (changes - 1), contents.get(contents.size() - 1), contents.toString());
        assertTrue(Files.exists(dir.resolve("main.cf.bak")));
        assertTrue(Files.exists(dir.resolve("main.cf.mfshell-notes.bak")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("master.cf.mfshell-")).count(),
                    "another file's backups are its own");
        }
        assertEquals("v" + changes, Files.readString(f).strip());
    }

    @Test
    void backupOrderSortsTheSameMillisecondByCount() {
        String a = AtomicFiles.backupOrder("20261129T144700.123Z");
        String b = AtomicFiles.backupOrder("20261129T144700.123Z-1");
        String c = AtomicFiles.backupOrder("20261129T144700.123Z-12");
        String d = AtomicFiles.backupOrder("20261129T144700.124Z");
        assertTrue(a.compareTo(b) < 0 && b.compareTo(c) < 0 && c.compareTo(d) < 0, List.of(a, b, c, d).toString());
        assertEquals(null, AtomicFiles.backupOrder("notes"));
        assertEquals(null, AtomicFiles.backupOrder("20261129T144700.123Z-x"));
    }

    @Test
    void aRenamedOrBackedUpFileKeepsTheOriginalsOwnerAndMode(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("transport.relay.db");
        Files.writeString(db, "old");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r-----"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setAttribute(db, "unix:uid", 65534);
            Files.setAttribute(db, "unix:gid", 65534);
        }
        Path fresh = dir.resolve("transport.relay.tmp-1.db");
        Files.writeString(fresh, "new");
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path backup = AtomicFiles.backup(db);
        AtomicFiles.move(fresh, db);
        for (Path p : List.of(db, backup)) {
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            if (root) {
                assertEquals(65534, (int) Files.getAttribute(p, "unix:uid"), p.toString());
                assertEquals(65534, (int) Files.getAttribute(p, "unix:gid"), p.toString());
            }
        }
        assertEquals("new", Files.readString(db));
        assertEquals("old", Files.readString(backup));
        AtomicFiles.writePrivate(dir.resolve("state.json"), new byte[] {1});
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state.json"))));
    }
}
