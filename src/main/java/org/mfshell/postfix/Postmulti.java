package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;

/**
 * Postfix's multi-instance manager, postmulti(1): {@code -e init}, {@code -I postfix-NAME -e create
 * config_directory=DIR}, {@code -i postfix-NAME -e enable} and {@code -l}.
 *
 * <p>postmulti only manages the primary instance in /etc/postfix: it has no {@code -c} option and
 * exits with "Non-default configuration directory" when MAIL_CONFIG names another one (postmulti(1),
 * checked on Postfix 3.7.11). For any other primary config dir it is run unchanged in a private
 * mount namespace ({@link PrivateMounts}) where that dir is mounted on /etc/postfix, so everything
 * postmulti and postmulti-script read or write under /etc/postfix lands in that dir; the real
 * /etc is never touched. Queue and data directories of a new instance follow postmulti's own rule
 * (the primary's with the last component replaced by the instance name).
 *
 * <p>postmulti writes its reasons for a failure only to a terminal or to syslog, so with
 * {@code syslogSocket} given its syslog lines go to that socket. Errors: {@link UsageException}
 * for an instance name that does not start with "postfix-", {@link MfshellException} when postmulti
 * fails (with its stderr, if any, and the exit code).
 */
public final class Postmulti {
    public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/postfix");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern NAME = Pattern.compile("postfix-[A-Za-z0-9][A-Za-z0-9._-]*");

    /** One line of {@code postmulti -l}: name, group ("-" for none), enabled, config directory. */
    public record Entry(String name, String group, boolean enabled, Path configDir) {
    }

    private final ProcessRunner runner;
    private final Path primaryConfigDir;
    private final Path syslogSocket;

    /** {@code syslogSocket} may be null: postmulti then logs to whatever /dev/log is. */
    public Postmulti(ProcessRunner runner, Path primaryConfigDir, Path syslogSocket) {
        this.runner = runner;
        this.primaryConfigDir = primaryConfigDir.toAbsolutePath().normalize();
        this.syslogSocket = syslogSocket;
    }

    /** The argv of {@code postmulti ARGS...} for this primary instance. */
    public List<String> argv(String... args) {
        List<String> pm = new ArrayList<>();
        pm.add("postmulti");
        pm.addAll(List.of(args));
        PrivateMounts mounts = PrivateMounts.create();
        boolean needed = false;
        if (!primaryConfigDir.equals(DEFAULT_CONFIG_DIR)) {
            mounts = mounts.bind(primaryConfigDir, DEFAULT_CONFIG_DIR);
            needed = true;
        }
        if (syslogSocket != null) {
            mounts = mounts.devLog(syslogSocket);
            needed = true;
        }
        return needed ? mounts.wrap(pm) : pm;
    }

    /** {@code postmulti -e init}: sets multi_instance_wrapper and multi_instance_enable in the primary main.cf. */
    public void init() {
        run("-e", "init");
    }

    /** {@code postmulti -I NAME -e create config_directory=DIR}. */
    public void create(String instanceName, Path configDir) {
        run("-I", checkName(instanceName), "-e", "create", "config_directory=" + configDir.toAbsolutePath().normalize());
    }

    /** {@code postmulti -i NAME -e enable}: multi_instance_enable = yes in the instance's main.cf. */
    public void enable(String instanceName) {
        run("-i", checkName(instanceName), "-e", "enable");
    }

    /** {@code postmulti -l}: every instance, the primary ("-") first, with its config dir as seen outside the namespace. */
    public List<Entry> list() {
        ExecResult r = run("-l");
        List<Entry> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4) {
                // Inside the namespace the primary is /etc/postfix: name it by its real place.
                Path dir = Path.of(f[3]).equals(DEFAULT_CONFIG_DIR) ? primaryConfigDir : Path.of(f[3]);
                out.add(new Entry(f[0], f[1], f[2].equals("y"), dir));
            }
        }
        return out;
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UsageException("bad postmulti instance name '" + name + "': it must start with postfix-, e.g. postfix-msn-a");
        }
        return name;
    }

    private ExecResult run(String... args) {
        ExecResult r = runner.run(argv(args), TIMEOUT);
        if (!r.ok()) {
            String why = r.timedOut() ? "timed out" : !r.stderr().isBlank() ? r.firstErrorLine()
                    : "exit code " + r.exitCode() + " (postmulti gives its reason only on a terminal or in syslog)";
            throw new MfshellException("postmulti " + String.join(" ", args) + " for " + primaryConfigDir + " failed: " + why);
        }
        return r;
    }
}
