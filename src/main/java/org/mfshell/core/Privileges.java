package org.mfshell.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who this process runs as: the uid that owns {@code /proc/self} (the effective uid), falling
 * back to the {@code user.name} property where /proc is missing. Reports no errors.
 */
public final class Privileges {
    private Privileges() {
    }

    /** The effective uid, or -1 when it cannot be read. */
    public static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return -1;
        }
    }

    public static boolean isRoot() {
        int uid = uid();
        return uid == 0 || (uid < 0 && "root".equals(System.getProperty("user.name")));
    }
}
