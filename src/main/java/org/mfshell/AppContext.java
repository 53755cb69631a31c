package org.mfshell;

import java.nio.file.Path;
import org.mfshell.flush.FlushService;
import org.mfshell.fs.AuditLog;
import org.mfshell.log.LogLocator;
import org.mfshell.postfix.PostfixCtl;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postqueue;
import java.util.Map;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.ProcessRunner;

/**
 * Settings and shared services for one mfshell process, built cheaply and filled lazily so
 * the one-shot path only pays for what its command uses.
 *
 * <p>Settings come from the environment (or {@code --config-root}): MFSHELL_CONFIG_ROOT (default
 * /etc), MFSHELL_STATE_DIR (default /var/lib/mfshell: flush journals and locks),
 * MFSHELL_AUDIT_LOG (default /var/log/mfshell/audit.log), MFSHELL_LAB_ROOT (default
 * /var/tmp/mfshell-lab).
 */
public final class AppContext {
    private final Path configRoot;
    private final Path stateDir;
    private final Path auditLog;
    private final Path labRoot;
    private final ProcessRunner runner;
    private final Path mailLog;

    public AppContext(Path configRoot, Path stateDir, Path auditLog, Path labRoot, ProcessRunner runner) {
        this(configRoot, stateDir, auditLog, labRoot, runner, LogLocator.MAIL_LOG);
    }

    public AppContext(Path configRoot, Path stateDir, Path auditLog, Path labRoot, ProcessRunner runner, Path mailLog) {
        this.configRoot = configRoot;
        this.stateDir = stateDir;
        this.auditLog = auditLog;
        this.labRoot = labRoot;
        this.runner = runner;
        this.mailLog = mailLog;
    }

    /** Context from environment variables, with {@code configRootOverride} (may be null) winning. */
    public static AppContext fromEnvironment(Map<String, String> env, String configRootOverride) {
        String root = configRootOverride != null ? configRootOverride : env.getOrDefault("MFSHELL_CONFIG_ROOT", "/etc");
        return new AppContext(Path.of(root),
                Path.of(env.getOrDefault("MFSHELL_STATE_DIR", "/var/lib/mfshell")),
                Path.of(env.getOrDefault("MFSHELL_AUDIT_LOG", "/var/log/mfshell/audit.log")),
                Path.of(env.getOrDefault("MFSHELL_LAB_ROOT", "/var/tmp/mfshell-lab")),
                new ProcessRunner(),
                Path.of(env.getOrDefault("MFSHELL_MAIL_LOG", LogLocator.MAIL_LOG.toString())));
    }

    public Path configRoot() {
        return configRoot;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path auditLog() {
        return auditLog;
    }

    public Path labRoot() {
        return labRoot;
    }

    public ProcessRunner runner() {
        return runner;
    }

    /** The system's syslog mail log: MFSHELL_MAIL_LOG, else /var/log/mail.log. */
    public Path mailLog() {
        return mailLog;
    }

    /** The flush service (reroutes, restore, plain flush) over this context's instances and state. */
    public FlushService flushService() {
        return new FlushService(instances(), stateDir, new AuditLog(auditLog), new Postqueue(runner), new PostfixCtl(runner),
                new Postmap(runner), new Postconf(runner), mailLog());
    }

    /** Instance discovery under {@link #configRoot()}. */
    public InstanceRegistry instances() {
        return new InstanceRegistry(configRoot, runner);
    }
}
