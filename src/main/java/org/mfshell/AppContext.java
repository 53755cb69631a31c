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
import org.mfshell.instance.DiscoveryCache;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.log.DeliveryLogs;
import org.mfshell.postfix.ProcessRunner;

/**
 * Settings and shared services for one mfshell process, built cheaply and filled lazily so
 * the one-shot path only pays for what its command uses.
 *
 * <p>Settings come from the environment (or {@code --config-root}): MFSHELL_CONFIG_ROOT (default
 * /etc), MFSHELL_STATE_DIR (default /var/lib/mfshell: flush journals and locks),
 * MFSHELL_AUDIT_LOG (default /var/log/mfshell/audit.log), MFSHELL_LAB_ROOT (default
 * /var/tmp/mfshell-lab), MFSHELL_MAIL_LOG (default /var/log/mail.log: the file the syslog daemon
 * writes mail lines to, read where an instance has no maillog_file).
 */
public final class AppContext {
    private final Path configRoot;
    private final Path stateDir;
    private final Path auditLog;
    public static final Path DEFAULT_MAIL_LOG = Path.of("/var/log/mail.log");
    private final Path labRoot;
    private final Path mailLog;
    private final ProcessRunner runner;

    /** A context whose syslog mail log is /var/log/mail.log. */
    public AppContext(Path configRoot, Path stateDir, Path auditLog, Path labRoot, ProcessRunner runner) {
        this(configRoot, stateDir, auditLog, labRoot, DEFAULT_MAIL_LOG, runner);
    }

    public AppContext(Path configRoot, Path stateDir, Path auditLog, Path labRoot, Path mailLog, ProcessRunner runner) {
        this.configRoot = configRoot;
        this.stateDir = stateDir;
        this.auditLog = auditLog;
        this.labRoot = labRoot;
        this.mailLog = mailLog;
        this.runner = runner;
    }

    /** Context from environment variables, with {@code configRootOverride} (may be null) winning. */
    public static AppContext fromEnvironment(Map<String, String> env, String configRootOverride) {
        String root = configRootOverride != null ? configRootOverride : env.getOrDefault("MFSHELL_CONFIG_ROOT", "/etc");
        return new AppContext(Path.of(root),
                Path.of(env.getOrDefault("MFSHELL_STATE_DIR", "/var/lib/mfshell")),
                Path.of(env.getOrDefault("MFSHELL_AUDIT_LOG", "/var/log/mfshell/audit.log")),
                Path.of(env.getOrDefault("MFSHELL_LAB_ROOT", "/var/tmp/mfshell-lab")),
                mailLog(env), new ProcessRunner());
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

    /** The syslog mail log: MFSHELL_MAIL_LOG, default /var/log/mail.log. */
    public Path mailLog() {
        return mailLog;
    }

    private static Path mailLog(Map<String, String> env) {
        String v = env.get("MFSHELL_MAIL_LOG");
        return v == null || v.isBlank() ? DEFAULT_MAIL_LOG : Path.of(v);
    }

    public ProcessRunner runner() {
        return runner;
    }

    /** The flush service (reroutes, restore, plain flush) over this context's instances and state. */
    public FlushService flushService() {
        return new FlushService(instances(), stateDir, new AuditLog(auditLog), new Postqueue(runner), new PostfixCtl(runner),
                new Postmap(runner), new Postconf(runner), new DeliveryLogs(mailLog(), runner));
    }

    /** Instance discovery under {@link #configRoot()}. */
    public InstanceRegistry instances() {
        return new InstanceRegistry(configRoot, runner);
    }

    /**
     * Instance discovery for read-only commands: postconf's answers may come from the discovery
     * cache ({@link DiscoveryCache}); write commands use {@link #instances()}.
     */
    public InstanceRegistry readOnlyInstances() {
        return new InstanceRegistry(configRoot, runner, DiscoveryCache.fromEnvironment(System.getenv(), configRoot));
    }
}
