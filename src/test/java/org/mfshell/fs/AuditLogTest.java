package org.mfshell.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;

class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void appendsOneLinePerRecordCreatingParentDirectories() throws Exception {
        Path file = dir.resolve("var/log/mfshell/audit.log");
        AuditLog log = new AuditLog(file);
        log.record("hold msn-a --domain hotmail.com --yes", "held 12 of 12 selected");
        log.record("delete msn-a \"x\"\nsecond", "deleted 1 of 1 selected");
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ user=\\S+ "
                + "command=\"hold msn-a --domain hotmail.com --yes\" result=\"held 12 of 12 selected\""), lines.get(0));
        assertTrue(lines.get(1).contains("command=\"delete msn-a \\\"x\\\"\\x0asecond\""), lines.get(1));
    }

    @Test
    void unwritableFileIsOneClearError() throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "");
        MfshellException e = assertThrows(MfshellException.class,
                () -> new AuditLog(notADir.resolve("audit.log")).record("x", "y"));
        assertTrue(e.getMessage().startsWith("cannot write audit log"), e.getMessage());
    }

    @Test
    void aNewLogIsPrivateAndALinkOrAnEmptySettingIsRefused() throws Exception {
        Path file = dir.resolve("log/mfshell/audit.log");
        new AuditLog(file).record("x", "y");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // An admin who lets group adm read it (0750/0640) is not refused: nobody else can write it.
        Files.setPosixFilePermissions(file.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        new AuditLog(file).record("x", "z");
        assertEquals(2, Files.readAllLines(file).size());

        Path victim = dir.resolve("victim");
        Files.writeString(victim, "keep\n");
        Path link = dir.resolve("log/mfshell/linked.log");
        Files.createSymbolicLink(link, victim);
        MfshellException e = assertThrows(MfshellException.class, () -> new AuditLog(link).record("x", "y"));
        assertTrue(e.getMessage().startsWith("cannot write audit log " + link + ": refusing " + link + ": it is a symbolic link"),
                e.getMessage());
        assertEquals("keep\n", Files.readString(victim));
        assertEquals("MFSHELL_AUDIT_LOG is empty: set it to an absolute path or unset it for the default",
                assertThrows(org.mfshell.core.UsageException.class, () -> new AuditLog(Path.of(""))).getMessage());
    }

    @Test
    void theOperatorsClaimAndTheSshClientAreNamed() {
        assertEquals(" by=alice@laptop via=ssh from=192.0.2.7", AuditLog.origin("alice@laptop", "192.0.2.7 50412 192.0.2.1 22"));
        assertEquals(" via=ssh from=2001:db8::7", AuditLog.origin(null, "2001:db8::7 50412 2001:db8::1 22"));
        assertEquals(" via=ssh from=\"x;y\"", AuditLog.origin(null, "x;y 1 2 3"));
        assertEquals("", AuditLog.origin(null, null));
        assertEquals("", AuditLog.origin(null, ""));
        assertEquals("root@relay-1.example.org", AuditLog.checkOperator("root@relay-1.example.org"));
        assertEquals("a.b_c-d@x", AuditLog.checkOperator("a.b_c-d@x"));
        for (String bad : List.of("alice", "@laptop", "alice@", "alice@lap top", "-x@laptop", "alice@laptop\n", "a@b@c",
                "alice@-laptop", "al ice@laptop", "alice@laptop;rm", "x".repeat(33) + "@h", "alice@..")) {
            org.mfshell.core.UsageException e = assertThrows(org.mfshell.core.UsageException.class, () -> AuditLog.checkOperator(bad), bad);
            assertTrue(e.getMessage().startsWith("--operator: "), e.getMessage());
        }
    }
}
