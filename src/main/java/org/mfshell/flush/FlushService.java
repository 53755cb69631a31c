package org.mfshell.flush;

import org.mfshell.mail.Domains;
import org.mfshell.mail.IpAddresses;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.fs.AuditLog;
import org.mfshell.instance.InstanceNames;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.DeliveryLogs;
import org.mfshell.postfix.PostfixCtl;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postqueue;

/**
 * The wiki's "flush deferred email from one queue to another", as a facade over its rooms:
 * {@link PreflightChecks} (step 1), {@link ReroutePlan} (the steps, numbered there),
 * {@link StepRunner} (the one loop), {@link RerouteRun} (journal, locks, canary and drain),
 * {@link Reroutes} (what is in force). Also the way back ({@link #restore}), recovery of a plan
 * whose process died ({@link #rollbackUnfinished}, {@link #resume}) and a plain flush.
 *
 * <p>Errors: {@link UsageException} (exit 2) for bad input, before anything is written;
 * {@link MfshellException} (exit 1) for a refused preflight, a held lock, an unfinished earlier
 * flush, a failed step or a drain that stopped (after rolling back, which the message says).
 */
public final class FlushService {
    public static final String MAP = "transport.relay";
    public static final String DB = "transport.relay.db";
    public static final String MAIN_CF = "main.cf";
    public static final String MASTER_CF = "master.cf";
    /** Name of the saved copy of main.cf as mfshell wrote it, to show what others changed since. */
    static final String WRITTEN_MAIN_CF = "main.cf.as-written";
    static final int FLUSH_PARALLELISM = 8;
    /** Steps of a reroute (preflight is step 1) and of a restore, for "Step N of M". */
    public static final int REROUTE_STEPS = ReroutePlan.REROUTE_STEPS;
    public static final int RESTORE_STEPS = ReroutePlan.RESTORE_STEPS;
    /** How long the canary may take to be relayed before the reroute is undone. */
    static final Duration CANARY_BOUND = Duration.ofSeconds(60);

    /** The Postfix programs flush uses. */
    record Tools(Postqueue postqueue, PostfixCtl ctl, Postmap postmap, Postconf postconf) {
    }

    private final InstanceRegistry registry;
    private final JournalStore store;
    private final AuditLog audit;
    private final Path stateDir;
    private final Tools tools;
    private final PreflightChecks checks;
    private final ReroutePlan plan;
    private final DeliveryLogs logs;

    public FlushService(InstanceRegistry registry, Path stateDir, AuditLog audit, Postqueue postqueue, PostfixCtl ctl,
                        Postmap postmap, Postconf postconf, DeliveryLogs logs) {
        this.registry = registry;
        this.stateDir = stateDir;
        this.store = new JournalStore(stateDir);
        this.audit = audit;
        this.tools = new Tools(postqueue, ctl, postmap, postconf);
        this.checks = new PreflightChecks(registry, postconf, postqueue, postmap, store);
        this.plan = new ReroutePlan(tools, store);
        this.logs = logs;
    }

    /** What a reroute was asked to do. Empty {@code domains} means every recipient ({@code *}). */
    public record Request(String source, String target, List<String> domains, boolean dryRun, boolean all,
                          Duration waitFor, String commandLine) {
    }

    /** How a reroute (or resume) ended. */
    public record Outcome(FlushJournal journal, Preflight preflight, boolean dryRun, boolean flushed,
                          FollowProgress last, Map<String, Duration> timings, String reloadNote) {
    }

    /** A plain {@code postqueue -f} and the deferred count before and after. */
    public record PlainFlush(String instance, long deferredBefore, long deferredAfter, long stillActive,
                             boolean settled, Duration elapsed) {
    }

    /** One line of {@code reroutes}. */
    public record Reroute(String source, String target, String targetAddress, List<String> domains, String since,
                          String by, String state, String transportMaps, boolean madeByMfshell) {
    }

    public JournalStore store() {
        return store;
    }

    /** Checks names, domains and the pair before anything else happens; usage errors only. */
    public Request validate(Request r) {
        InstanceNames.require(r.source());
        if (r.target() == null) {
            throw new UsageException("flush " + r.source() + ": --to TARGET is needed with --domain");
        }
        InstanceNames.require(r.target());
        if (r.source().equals(r.target())) {
            throw new UsageException("flush: source and target are both '" + r.source() + "'; name another instance with --to");
        }
        List<String> domains = Domains.requireAll(r.domains());
        // An alias (a symlinked postfix-* dir) is its real instance: same name, lock and journal.
        String source = registry.find(r.source()).name();
        String target = registry.find(r.target()).name();
        if (source.equals(target)) {
            throw new UsageException("flush: '" + r.source() + "' and '" + r.target() + "' are one instance (" + source
                    + "); name another instance with --to");
        }
        requireSendingAddress(registry.get(target));
        return new Request(source, target, domains, r.dryRun(), r.all(), r.waitFor(), r.commandLine());
    }

    /** The target's sending address; an instance without one cannot be a target (usage error). */
    static String requireSendingAddress(PostfixInstance dst) {
        if (dst.bindAddress() == null) {
            throw new UsageException(dst.name() + " has no sending address (no '-o smtp_bind_address=' under "
                    + "'smtp unix' in " + dst.configDir().resolve(MASTER_CF) + ", no smtp_bind_address in main.cf): "
                    + "there is nothing to reroute to");
        }
        return IpAddresses.require(dst.bindAddress(), dst.name() + "'s smtp_bind_address");
    }

    /** Step 1 alone; a refusal is a {@link MfshellException} naming each finding and its remedy. */
    public Preflight preflight(Request r, boolean resuming) {
        Preflight p = checks.run(r.source(), r.target(), r.domains(), resuming);
        refuseIfAny(p);
        return p;
    }

    static void refuseIfAny(Preflight p) {
        if (!p.refusals().isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Preflight.Check c : p.refusals()) {
                parts.add(c.detail() + (c.remedy() == null ? "" : " (to fix: " + c.remedy() + ")"));
            }
            throw new MfshellException("preflight refused the reroute of " + p.source().name() + " to " + p.target().name()
                    + ": " + String.join("; ", parts) + ". Nothing was changed.");
        }
    }

    /** Validates, locks, runs preflight and the steps (asking), and follows the drain. */
    public Outcome reroute(Request req, Operator op) {
        return rerouteValidated(validate(req), op);
    }

    /** {@link #reroute} for a request {@link #validate} already returned. */
    public Outcome rerouteValidated(Request r, Operator op) {
        return run().reroute(r, RerouteTarget.local(registry.get(r.target())), op);
    }

    /**
     * A reroute of an instance here to {@code target}, an instance on another host known by its
     * facts: the same preflight (from here), steps, journal, canary and drain. {@code r.target()}
     * is its {@code HOST:NAME}.
     */
    public Outcome rerouteAcross(Request r, RerouteTarget target, Operator op) {
        InstanceNames.require(r.source());
        String source = registry.find(r.source()).name();
        Request v = new Request(source, target.name(), Domains.requireAll(r.domains()), r.dryRun(), r.all(), r.waitFor(),
                r.commandLine());
        return run().reroute(v, target, op);
    }

    /**
     * What a host reports about its instance {@code name} as the target of a reroute from another
     * host ({@code flush NAME --facts}): its sending address (required, as for any target), where
     * it listens, myhostname, mynetworks, whether it runs, and this host's reroutes.
     */
    public TargetFacts targetFacts(String name, String mfshellVersion) {
        InstanceNames.require(name);
        PostfixInstance i = registry.get(registry.find(name).name());
        String ip = requireSendingAddress(i);
        String myhostname = i.param("myhostname");
        if (myhostname == null || myhostname.isEmpty()) {
            myhostname = tools.postconf().values(i.configDir(), List.of("-x", "myhostname")).getOrDefault("myhostname", "");
        }
        return new TargetFacts(mfshellVersion, i.name(), ip, List.copyOf(i.listen()), TargetFacts.listensOn(i.listen(), ip),
                myhostname,
                List.copyOf(i.mynetworks()), i.running(), i.configDir().toString(), checks.edges(null), FlushJournal.now(), null);
    }

    /** What a reroute's source reports to the operator's mfshell for the claim ({@link TargetFacts.Source}). */
    public TargetFacts.Source sourceFacts(String name, String mfshellVersion) {
        InstanceNames.require(name);
        PostfixInstance i = registry.get(registry.find(name).name());
        String ip = i.bindAddress() == null ? null : IpAddresses.require(i.bindAddress(), i.name() + "'s smtp_bind_address");
        return new TargetFacts.Source(mfshellVersion, i.name(), ip);
    }

    /**
     * {@link #targetFacts} for a reroute about to start on another host: under the host-wide
     * reroute lock, first writes the claim of {@code from} (HOST:NAME as the operator named it,
     * sending from {@code fromAddress}) for {@code domains} to {@code name}, then reads the facts,
     * so that a reroute started here either sees the claim or is in the facts
     * ({@link IncomingClaims}). The lock is waited for a few seconds: it is only held while a
     * reroute here checks its cycle and records its journal.
     */
    public TargetFacts claimAndReadFacts(String name, String mfshellVersion, String from, String fromAddress,
                                         List<String> domains, String commandLine) {
        InstanceNames.require(name);
        String real = registry.find(name).name();
        try (InstanceLock graph = InstanceLock.acquireWaiting(stateDir, RerouteRun.GRAPH_LOCK, commandLine,
                Duration.ofSeconds(10))) {
            IncomingClaims.Claim c = store.claims().add(from, fromAddress, real, domains, FlushJournal.operator()
                    + viaSsh());
            auditQuietly(commandLine, "claimed for a reroute: " + c.describe());
            return targetFacts(real, mfshellVersion).withClaim(c.id());
        }
    }

    private void auditQuietly(String commandLine, String result) {
        try {
            audit.record(commandLine, result);
        } catch (MfshellException e) {
            // the claim itself is what matters; the audit log's own problem shows on its next write
        }
    }

    private static String viaSsh() {
        String c = System.getenv("SSH_CONNECTION");
        if (c == null || c.isBlank()) {
            return "";
        }
        String ip = c.strip().split("\\s+")[0];
        return org.mfshell.mail.IpAddresses.isIp(ip) ? " from " + ip : "";
    }

    /** Takes away claim {@code id} ({@link #claimAndReadFacts}); whether it was still there. */
    public boolean releaseClaim(String id, String commandLine) {
        boolean was = store.claims().release(id);
        if (was) {
            auditQuietly(commandLine, "released claim " + id);
        }
        return was;
    }

    /** Continues an unfinished journal from its first step not done. */
    public Outcome resume(String source, boolean all, Duration wait, String commandLine, Operator op) {
        InstanceNames.require(source);
        String real = registry.find(source).name();
        return run().resume(real, all, wait, commandLine, op);
    }

    /** {@code flush SRC --rollback}: rolls back an unfinished flush whose process died. */
    public String rollbackUnfinished(String source, String commandLine, Operator op) {
        InstanceNames.require(source);
        String real = registry.find(source).name();
        return run().rollbackUnfinished(real, commandLine, op);
    }

    /** Runs the restore steps, asking; undoes what it did if one fails. Returns what happened. */
    public String restore(String source, boolean all, boolean dryRun, String commandLine, Operator op) {
        InstanceNames.require(source);
        String real = registry.find(source).name();
        return run().restore(real, all, dryRun, commandLine, op);
    }

    private RerouteRun run() {
        return new RerouteRun(registry, stateDir, store, audit, tools, checks, plan, logs);
    }

    public FlushJournal unfinished(String source) {
        FlushJournal j = store.load(source, registry.find(source).configDir());
        return j != null && j.state == FlushJournal.State.RUNNING ? j : null;
    }

    public static String unfinishedMessage(FlushJournal j) {
        return Reroutes.unfinishedMessage(j);
    }

    public static List<FlushJournal> unfinishedEverywhere(Path stateDir) {
        return Reroutes.unfinishedEverywhere(stateDir);
    }

    /** Reroutes in force on every instance (journalled or made by hand), plus unfinished ones. */
    public List<Reroute> reroutes() {
        return new Reroutes(registry, store, stateDir).list();
    }

    /** {@link #reroutes()} over instances just discovered by the caller (for read-only listings). */
    public List<Reroute> reroutes(List<PostfixInstance> discovered) {
        return new Reroutes(registry, store, stateDir).list(discovered);
    }

    /** {@code flush NAME}: postqueue -f, then waits (up to {@code wait}) for the attempts to finish. */
    public PlainFlush plainFlush(String name, Duration wait, String commandLine, Operator op) {
        InstanceRegistry.InstanceDir d = registry.find(name);
        FlushJournal j = store.load(name, d.configDir());
        if (j != null && j.state == FlushJournal.State.RUNNING && !InstanceLock.isHeld(stateDir, name)) {
            op.warn(unfinishedMessage(j));
        }
        long t0 = System.nanoTime();
        long before = count(d.configDir(), "deferred");
        tools.postqueue().flush(d.configDir());
        RerouteRun.auditQuietly(audit, commandLine, "postqueue -f, " + before + " deferred before", op);
        // Settled: no mail in incoming or active twice in a row, half a second apart.
        long active;
        boolean settled;
        int quiet = 0;
        do {
            sleep(500);
            active = count(d.configDir(), "active") + count(d.configDir(), "incoming");
            quiet = active == 0 ? quiet + 1 : 0;
            settled = quiet >= 2;
        } while (!settled && Duration.ofNanos(System.nanoTime() - t0).compareTo(wait) < 0);
        long after = count(d.configDir(), "deferred");
        RerouteRun.auditQuietly(audit, commandLine, "flushed: deferred " + before + " -> " + after, op);
        return new PlainFlush(name, before, after, active, settled, Duration.ofNanos(System.nanoTime() - t0));
    }

    private long count(Path dir, String queue) {
        long[] n = {0};
        tools.postqueue().read(dir, m -> {
            if (m.queueName().equals(queue)) {
                n[0]++;
            }
            return true;
        });
        return n[0];
    }

    // ---------------------------------------------------------------- shared small helpers

    /** The transport_maps value a reroute writes for the target: {@code mfshell-reroute:[IP]}. */
    static String nexthopValue(String ip) {
        return RerouteTransport.NAME + ":" + IpAddresses.nexthop(ip).substring("smtp:".length());
    }

    /** The contents of transport.relay for a reroute. */
    public static String mapContents(FlushJournal j) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by mfshell: flush ").append(j.source).append(" --to ").append(j.target)
                .append(" (").append(j.user).append(", ").append(j.started).append(").\n");
        sb.append("# Undo with: mfshell flush ").append(j.source).append(" --restore\n");
        String nexthop = nexthopValue(j.targetAddress);
        if (j.domains.isEmpty()) {
            sb.append("* ").append(nexthop).append('\n');
        } else {
            for (String d : j.domains) {
                sb.append(d).append(' ').append(nexthop).append('\n');
            }
        }
        return sb.toString();
    }

    /** Removes postmap temp files of any mfshell run (a killed one leaves them named after its pid). */
    static void cleanTemps(Path dir) {
        Pattern name = Pattern.compile(Pattern.quote(MAP) + "\\.tmp-\\d+(\\.db)?");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, MAP + ".tmp-*")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && name.matcher(p.getFileName().toString()).matches()) {
                    deleteQuietly(p);
                }
            }
        } catch (java.io.IOException e) {
            // nothing reads them; the next run tries again
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            // a stray temp file named after our pid; nothing reads it
        }
    }

    public static String readText(Path f) {
        String t = readTextOrNull(f);
        if (t == null) {
            throw new MfshellException(f + " does not exist");
        }
        return t;
    }

    static String readTextOrNull(Path f) {
        byte[] b = AtomicFiles.readOrNull(f);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // Carried by the exception, flag cleared: the undo that follows must still run.
            throw new org.mfshell.core.CancelledException();
        }
    }
}
