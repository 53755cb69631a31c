package org.mfshell.postfix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Privileges;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;

/**
 * The system OpenSSH client, run through {@link ProcessRunner} with an argv list: BatchMode (never a
 * password prompt), a connect timeout, connection sharing under the user's runtime dir
 * (XDG_RUNTIME_DIR, else /tmp/mfshell-ssh-UID made 0700), no agent forwarding, host-key checking
 * left as the operator's config has it, and {@code --} before the destination. {@code -F FILE}
 * when MFSHELL_SSH_CONFIG is set. Errors: {@link UsageException} for a destination that could be
 * read as an option or holds whitespace or control characters (refused before anything runs);
 * {@link MfshellException} when the control directory cannot be made or ssh cannot be started.
 */
public final class Ssh {
    private static final int CONNECT_TIMEOUT_S = 10;

    /** How long an idle master connection stays for a one-shot run; the interactive fleet shell keeps it longer. */
    public static final int PERSIST_ONE_SHOT_S = 60;
    public static final int PERSIST_SHELL_S = 600;

    private final ProcessRunner runner;
    private final Map<String, String> env;
    private final int persistSeconds;

    public Ssh(ProcessRunner runner, Map<String, String> env) {
        this(runner, env, PERSIST_ONE_SHOT_S);
    }

    /** {@code persistSeconds}: ssh's ControlPersist, how long the shared connection outlives its last use. */
    public Ssh(ProcessRunner runner, Map<String, String> env, int persistSeconds) {
        this.runner = runner;
        this.env = env;
        this.persistSeconds = persistSeconds;
    }

    /** Refuses a destination that ssh could take as an option, or that holds whitespace or control characters. */
    public static String checkDestination(String host) {
        if (host.isEmpty()) {
            throw new UsageException("--on: empty host name");
        }
        if (host.startsWith("-")) {
            throw new UsageException("--on: host " + Quote.quote(host) + " starts with '-' (it would be read as an ssh option)");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw new UsageException("--on: host " + Quote.quote(host) + " contains whitespace or a control character");
            }
        }
        return host;
    }

    /** The argv that runs {@code remote} (each word one argument, quoted for the remote shell) on {@code host}. */
    public List<String> argv(String host, List<String> remote, boolean tty) {
        checkDestination(host);
        List<String> argv = new ArrayList<>();
        argv.add("ssh");
        String config = env.get("MFSHELL_SSH_CONFIG");
        if (config != null && !config.isEmpty()) {
            argv.add("-F");
            argv.add(config);
        }
        argv.add(tty ? "-t" : "-T");
        argv.add("-a");
        argv.add("-x");
        argv.add("-o");
        argv.add("BatchMode=yes");
        argv.add("-o");
        argv.add("ConnectTimeout=" + CONNECT_TIMEOUT_S);
        argv.add("-o");
        argv.add("ForwardAgent=no");
        argv.add("-o");
        argv.add("ControlMaster=auto");
        argv.add("-o");
        argv.add("ControlPersist=" + persistSeconds);
        argv.add("-o");
        argv.add("ControlPath=" + controlDir().resolve("%C"));
        argv.add("--");
        argv.add(host);
        List<String> quoted = new ArrayList<>();
        for (String w : remote) {
            quoted.add(shellWord(w));
        }
        argv.add(String.join(" ", quoted));
        return argv;
    }

    /** Runs {@code remote} on {@code host}, stdin closed, capturing both outputs. */
    public ExecResult run(String host, List<String> remote, Duration timeout) {
        return runner.run(argv(host, remote, false), timeout, null, Map.of());
    }

    /** Runs {@code remote} on {@code host} attached to this process's terminal or pipes ({@code -t} when {@code tty}); its exit code. */
    public int attached(String host, List<String> remote, boolean tty) {
        return runner.attached(argv(host, remote, tty));
    }

    /** One word for the remote POSIX shell: single-quoted unless it is plainly safe. */
    static String shellWord(String w) {
        if (!w.isEmpty() && w.matches("[A-Za-z0-9_./:=,@%+-]+")) {
            return w;
        }
        return "'" + w.replace("'", "'\\''") + "'";
    }

    /** XDG_RUNTIME_DIR when set, else /tmp/mfshell-ssh-UID, created 0700 and required to be ours and not group/world writable. */
    Path controlDir() {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg);
        }
        Path dir = Path.of("/tmp", "mfshell-ssh-" + Privileges.uid());
        try {
            if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.isSymbolicLink(dir) || !Files.getPosixFilePermissions(dir).equals(PosixFilePermissions.fromString("rwx------"))
                    || (Integer) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS) != Privileges.uid()) {
                throw new MfshellException("ssh control directory " + dir + " is not ours with mode 0700; remove it");
            }
        } catch (IOException e) {
            throw new MfshellException("cannot make the ssh control directory " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }
}
