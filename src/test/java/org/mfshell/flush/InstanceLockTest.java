package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;

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
}
