package org.mfshell.lab;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.mfshell.core.UsageException;

/**
 * How a lab's instances are built. {@code default}: mfshell's own layout, each instance with its
 * own myhostname and maillog_file. {@code handmade}: the way Debian admins build a relay
 * ({@link HandmadeConfig}): postmulti, one shared myhostname, logging only through rsyslogd to
 * a mail.log, a default instance that is never started, aol-a with its own transport map.
 * Errors: {@link UsageException} for an unknown shape name.
 */
public enum LabShape {
    DEFAULT, HANDMADE;

    /** The name used on the command line and in lab.properties. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LabShape parse(String s) {
        for (LabShape shape : values()) {
            if (shape.id().equals(s)) {
                return shape;
            }
        }
        throw new UsageException("bad lab shape '" + s + "': use one of "
                + Arrays.stream(values()).map(LabShape::id).collect(Collectors.joining(", ")));
    }
}
