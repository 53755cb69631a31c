package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.StateProbe;
import org.mfshell.testutil.MfshellProcess;

class InstanceLockTest {
    @Test
    void secondHolderIsToldWhoHoldsIt(@TempDir Path state) {
        try (InstanceLock l = InstanceLock.acquire(state, "msn-a", "flush msn-a --to msn-b")) {
            assertTrue(InstanceLock.isHeld(state, "msn-a"));
            MfshellException e = assertThrows(MfshellException.class,
                    () -> InstanceLock.acquire(state, "msn-a", "flush msn-a --restore"));
            assertTrue(e.getMessage().contains("pid=" + ProcessHandle.current().pid()), e.getMessage());
            assertTrue(e.getMessage().contains("flush msn-a --to msn-b"), e.getMessage());
            try (InstanceLock other = InstanceLock.acquire(state, "msn-b", "x")) {
                assertTrue(InstanceLock.isHeld(state, "msn-b"));
            }
        }
        assertFalse(InstanceLock.isHeld(state, "msn-a"));
        try (InstanceLock again = InstanceLock.acquire(state, "msn-a", "again")) {
            assertTrue(InstanceLock.isHeld(state, "msn-a"));
        }
    }

    @Test
    void severalInstancesAreLockedInOneOrderAllOrNone(@TempDir Path state) throws Exception {
        String realB = "/etc/postfix-msn-b";
        try (InstanceLock both = InstanceLock.acquireAll(state, List.of("msn-b", realB, "aol-a", "msn-b"), "flush")) {
            assertEquals(List.of("aol-a", realB, "msn-b"), both.ids(), "sorted by lock file name, duplicates once");
            assertTrue(InstanceLock.isHeld(state, "aol-a") && InstanceLock.isHeld(state, realB));
            assertTrue(InstanceLock.lockFile(state, realB).getFileName().toString().matches("etc_postfix-msn-b-\\p{XDigit}{16}\\.lock"));
            assertEquals(state.resolve("locks"), InstanceLock.lockFile(state, realB).getParent());
            assertFalse(InstanceLock.lockFile(state, "/etc/postfix-msn-b/").equals(InstanceLock.lockFile(state, realB)),
                    "different strings, different locks: callers pass real paths");
        }
        assertFalse(InstanceLock.isHeld(state, "aol-a") || InstanceLock.isHeld(state, realB) || InstanceLock.isHeld(state, "msn-b"));

        try (InstanceLock b = InstanceLock.acquire(state, "msn-b", "flush msn-b --to msn-a")) {
            MfshellException e = assertThrows(MfshellException.class,
                    () -> InstanceLock.acquireAll(state, List.of("msn-a", "msn-b", "therest-a"), "flush msn-a --to msn-b"));
            assertTrue(e.getMessage().startsWith("msn-b is locked by another mfshell operation"), e.getMessage());
            assertFalse(InstanceLock.isHeld(state, "msn-a"), "the lock taken before the refusal was given back");
            assertFalse(InstanceLock.isHeld(state, "therest-a"));
        }
    }

    @Test
    void theHolderIsReportedAliveWhileItRunsAndGoneAfter(@TempDir Path state) throws Exception {
        List<String> argv = new ArrayList<>(MfshellProcess.javaCommand().subList(0, MfshellProcess.javaCommand().size() - 1));
        argv.addAll(List.of(StateProbe.class.getName(), "hold-lock", state.toString(), "msn-a"));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            InstanceLock.Holder h = InstanceLock.holder(state, "msn-a").orElseThrow();
            assertEquals(p.pid(), h.pid());
            assertTrue(h.held() && h.alive(), h.toString());
            assertTrue(h.describe().startsWith("pid " + p.pid() + " (running, user "), h.describe());
            assertEquals("flush msn-a --to msn-b", h.command());
            MfshellException e = assertThrows(MfshellException.class, () -> InstanceLock.acquire(state, "msn-a", "flush msn-a --rollback"));
            assertTrue(e.getMessage().contains("; pid " + p.pid() + " is running; try again"), e.getMessage());
            assertFalse(e.getMessage().contains("no longer running"), e.getMessage());
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        // Killed with -9: the kernel dropped the lock; its line stays and says who it was.
        InstanceLock.Holder gone = InstanceLock.holder(state, "msn-a").orElseThrow();
        assertFalse(gone.held() || gone.alive(), gone.toString());
        assertTrue(gone.describe().startsWith("pid " + p.pid() + " (no longer running"), gone.describe());

        // A live pid that started at another time is a reused pid, not the holder.
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        Files.writeString(InstanceLock.lockFile(state, "msn-a"), "pid=" + live + " started=2001-01-01T00:00:00Z user=x\n");
        assertFalse(InstanceLock.holder(state, "msn-a").orElseThrow().alive());
        assertTrue(InstanceLock.isAlive(live, null));
        assertFalse(InstanceLock.isAlive(live, "2001-01-01T00:00:00Z"));
    }
}
