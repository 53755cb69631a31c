package org.mfshell.postfix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the argv that runs a program in a private mount namespace with bubblewrap's {@code bwrap}:
 * the program sees the whole file system as it is ({@code --bind / /}) except for the bind mounts
 * listed here and, when a syslog socket is given, a private {@code /dev} whose {@code /dev/log} is a
 * link to that socket. No other process sees these mounts and nothing is written to the mount
 * points; the namespace ends with the last process in it (a daemon started inside keeps it). Runs
 * as root, no user namespace. The argv is only built here; {@link ProcessRunner} runs it and
 * reports a missing {@code bwrap} as the Debian package bubblewrap.
 */
public final class PrivateMounts {
    private final List<Path[]> binds;
    private final Path devLog;

    private PrivateMounts(List<Path[]> binds, Path devLog) {
        this.binds = binds;
        this.devLog = devLog;
    }

    /** No mount changed yet. */
    public static PrivateMounts create() {
        return new PrivateMounts(List.of(), null);
    }

    /** Also mounts {@code source} on {@code target} (which must exist) inside the namespace. */
    public PrivateMounts bind(Path source, Path target) {
        List<Path[]> b = new ArrayList<>(binds);
        b.add(new Path[] {source.toAbsolutePath().normalize(), target.toAbsolutePath().normalize()});
        return new PrivateMounts(List.copyOf(b), devLog);
    }

    /** Gives the program a private /dev in which /dev/log links to {@code socket} (a syslog daemon's unix socket). */
    public PrivateMounts devLog(Path socket) {
        return new PrivateMounts(binds, socket.toAbsolutePath().normalize());
    }

    /** {@code bwrap --bind / / (--dev /dev --symlink SOCKET /dev/log | --dev-bind /dev /dev) --proc /proc [--bind S T]... -- ARGV...} */
    public List<String> wrap(List<String> argv) {
        List<String> out = new ArrayList<>(List.of("bwrap", "--bind", "/", "/"));
        if (devLog != null) {
            out.addAll(List.of("--dev", "/dev", "--symlink", devLog.toString(), "/dev/log"));
        } else {
            out.addAll(List.of("--dev-bind", "/dev", "/dev"));
        }
        out.addAll(List.of("--proc", "/proc"));
        for (Path[] b : binds) {
            out.addAll(List.of("--bind", b[0].toString(), b[1].toString()));
        }
        out.add("--");
        out.addAll(argv);
        return out;
    }
}
