package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AuditLog;
import org.mfshell.testutil.UnprivilegedUser;

/**
 * Issue 12.2 as an attacker plays it: a real unprivileged user (useradd, setpriv) plants
 * symbolic links and forged files in a state directory that an old mfshell made world-writable
 * under umask 000; root's mfshell must refuse every one with a clear line and never write
 * through them: the victim (a root-owned file elsewhere) stays byte for byte as it was.
 */
class PlantedStateTest {
    private static final String PRECIOUS = "root's precious file\n";

    @TempDir
    Path base;
    Path victim;
    Path state;
    Path log;
    Path pub;
    UnprivilegedUser atk;

    @BeforeEach
    void openStateDirAsUmask000Made() throws Exception {
        atk = UnprivilegedUser.get();
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        victim = base.resolve("victim");
        Files.writeString(victim, PRECIOUS);
        state = base.resolve("state");
        log = base.resolve("log");
        pub = base.resolve("pub");
        for (Path d : List.of(state, state.resolve("locks"), state.resolve("flush"), state.resolve("flush/msn-a.saved"),
                log, pub)) {
            Files.createDirectory(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.setAttribute(pub, "unix:mode", 01777);
    }

    private void plant(String target, Path link) {
        atk.run("/bin/ln", "-s", target, link.toString());
        assertTrue(Files.isSymbolicLink(link));
    }

    private void victimUnchanged() throws Exception {
        assertEquals(PRECIOUS, Files.readString(victim));
        assertEquals(0, (int) Files.getAttribute(victim, "unix:uid"));
    }

    /** What the refusal message tells the admin to do: chmod -R go-w on the directories (links stay). */
    private void adminRunsTheFix() throws Exception {
        for (Path d : List.of(state, state.resolve("locks"), state.resolve("flush"), state.resolve("flush/msn-a.saved"), log)) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aWorldWritableStateDirIsRefusedWithTheFix() throws Exception {
        plant(victim.toString(), state.resolve("locks/msn-a.lock"));
        plant(victim.toString(), log.resolve("audit.log"));
        MfshellException e = assertThrows(MfshellException.class,
                () -> InstanceLock.acquire(state, "msn-a", "flush msn-a --to msn-b").close());
        assertEquals("refusing " + state + ": it is writable by group and others (mode 0777); fix: check its contents,"
                + " then chmod -R go-w " + state, e.getMessage());
        e = assertThrows(MfshellException.class, () -> new JournalStore(state).load("msn-a"));
        assertTrue(e.getMessage().contains("chmod -R go-w " + state), e.getMessage());
        e = assertThrows(MfshellException.class, () -> new AuditLog(log.resolve("audit.log")).record("x", "y"));
        assertTrue(e.getMessage().startsWith("cannot write audit log " + log.resolve("audit.log") + ": refusing " + log
                + ": it is writable by group and others"), e.getMessage());
        victimUnchanged();
    }

    @Test
    void linksLeftBehindAfterTheFixAreRefusedOneByOne() throws Exception {
        atk.run("/bin/mkdir", pub.resolve("mine").toString());
        plant(victim.toString(), state.resolve("locks/msn-a.lock"));
        plant(victim.toString(), log.resolve("audit.log"));
        plant(pub.resolve("mine").toString(), state.resolve("flush/msn-b.saved"));
        plant(victim.toString(), state.resolve("flush/msn-a.saved/main.cf"));
        atk.run("/bin/mkdir", state.resolve("flush/aol-a.saved").toString());
        atk.run("/bin/sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh",
                "{\"source\":\"therest-a\",\"state\":\"RUNNING\",\"files\":{\"main.cf\":{\"path\":\"" + victim
                        + "\",\"existed\":true}}}", state.resolve("flush/therest-a.json").toString());
        adminRunsTheFix();

        MfshellException e = assertThrows(MfshellException.class,
                () -> InstanceLock.acquire(state, "msn-a", "flush msn-a --to msn-b").close());
        assertEquals("refusing " + state.resolve("locks/msn-a.lock") + ": it is a symbolic link (to \"" + victim
                + "\"); mfshell never writes through one; fix: remove the link (rm " + state.resolve("locks/msn-a.lock")
                + ")", e.getMessage());
        assertThrows(MfshellException.class, () -> InstanceLock.isHeld(state, "msn-a"), "not even opened to test it");

        e = assertThrows(MfshellException.class, () -> new AuditLog(log.resolve("audit.log")).record("hold msn-a", "held 1"));
        assertTrue(e.getMessage().contains("refusing " + log.resolve("audit.log") + ": it is a symbolic link"), e.getMessage());
        assertTrue(e.getMessage().endsWith("command=\"hold msn-a\" result=\"held 1\""), "the line is not lost: " + e.getMessage());

        JournalStore store = new JournalStore(state);
        byte[] copy = "relayhost = [evil]\n".getBytes(StandardCharsets.UTF_8);
        e = assertThrows(MfshellException.class, () -> store.saveCopy("msn-b", "main.cf", copy));
        assertTrue(e.getMessage().startsWith("refusing " + state.resolve("flush/msn-b.saved") + ": it is a symbolic link"),
                e.getMessage());
        try (Stream<Path> s = Files.list(pub.resolve("mine"))) {
            assertEquals(0, s.count(), "nothing of root's written into the user's directory");
        }
        e = assertThrows(MfshellException.class, () -> store.saveCopy("msn-a", "main.cf", copy));
        assertTrue(e.getMessage().startsWith("refusing " + state.resolve("flush/msn-a.saved/main.cf")
                + ": it is a symbolic link"), e.getMessage());
        e = assertThrows(MfshellException.class, () -> store.saveCopy("aol-a", "main.cf", copy));
        assertTrue(e.getMessage().startsWith("refusing " + state.resolve("flush/aol-a.saved") + ": it is owned by uid "
                + atk.uid + ", not by root; fix:"), e.getMessage());
        assertFalse(Files.exists(state.resolve("flush/aol-a.saved/main.cf"), LinkOption.NOFOLLOW_LINKS));

        e = assertThrows(MfshellException.class, () -> store.load("therest-a"));
        assertTrue(e.getMessage().startsWith("refusing " + state.resolve("flush/therest-a.json") + ": it is owned by uid "
                + atk.uid), e.getMessage());
        e = assertThrows(MfshellException.class, store::running);
        assertTrue(e.getMessage().contains("therest-a.json"), e.getMessage());
        victimUnchanged();
    }

    @Test
    void aStateDirTheUserMadeOrLinkedIsRefused() throws Exception {
        Path theirs = pub.resolve("state");
        atk.run("/bin/mkdir", "-m", "700", theirs.toString());
        MfshellException e = assertThrows(MfshellException.class,
                () -> InstanceLock.acquire(theirs, "msn-a", "flush msn-a --to msn-b").close());
        assertEquals("refusing " + theirs + ": it is owned by uid " + atk.uid + ", not by root; fix: check its contents,"
                + " then chown -R root " + theirs + " && chmod -R go-w " + theirs, e.getMessage());

        Path linked = pub.resolve("linked-state");
        plant(theirs.toString(), linked);
        FlushJournal j = new FlushJournal();
        j.source = "msn-a";
        e = assertThrows(MfshellException.class, () -> new JournalStore(linked).save(j));
        assertTrue(e.getMessage().startsWith("refusing " + linked + ": it is a symbolic link (to \"" + theirs + "\")"),
                e.getMessage());
        try (Stream<Path> s = Files.list(theirs)) {
            assertEquals(0, s.count());
        }
        victimUnchanged();
    }
}
