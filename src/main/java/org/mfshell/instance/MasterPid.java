package org.mfshell.instance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one reader of a Postfix master's pid: {@code pid/master.pid} in the queue directory, trusted
 * only when that pid is a live process named {@code master} that works in this queue directory
 * (master chdirs there, which tells it apart from the identical {@code master -w} of other
 * instances). When the process's working directory cannot be read (not root), the name alone
 * decides. Reports no errors: anything unreadable means no master.
 */
public final class MasterPid {
    private MasterPid() {
    }

    /** The master's pid, or 0 when none serves {@code queueDir}. */
    public static long of(Path queueDir) {
        Path pidFile = queueDir.resolve("pid").resolve("master.pid");
        try {
            if (!Files.exists(pidFile)) {
                return 0;
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
            Path proc = Path.of("/proc", Long.toString(pid));
            if (!Files.exists(proc.resolve("comm"))
                    || !Files.readString(proc.resolve("comm"), StandardCharsets.US_ASCII).trim().equals("master")) {
                return 0;
            }
            try {
                return Files.readSymbolicLink(proc.resolve("cwd")).equals(queueDir.toRealPath()) ? pid : 0;
            } catch (AccessDeniedException e) {
                return pid;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
