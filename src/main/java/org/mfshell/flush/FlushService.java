package org.mfshell.flush;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mfshell.AppContext;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.fs.AuditLog;
import org.mfshell.instance.InstanceNames;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.PostfixCtl;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postqueue;

/**
 * The wiki's "flush deferred email from one queue to another" as a guided, journalled,
 * reversible plan: preflight (step 0), the target's sending address (1), write transport.relay
 * (2), postmap it atomically (3), switch transport_maps on in main.cf (4), reload (5), flush (6),
 * then follow the drain. Also the way back ({@link #restore}), recovery of a plan whose process
 * died ({@link #rollback}, {@link #resume}), the list of active reroutes and a plain flush.
 *
 * <p>Errors: {@link UsageException} (exit 2) for bad input, before anything is written;
 * {@link MfshellException} (exit 1) for a refused preflight, a held lock, an unfinished earlier
 * flush, or a failed step (after the earlier steps were rolled back, which the message says).
 */
public final class FlushService {
    public static final String MAP = "transport.relay";
    public static final String DB = "transport.relay.db";
    public static final String MAIN_CF = "main.cf";
    /** Name of the saved copy of main.cf as mfshell wrote it, to show what others changed since. */
    static final String WRITTEN_MAIN_CF = "main.cf.as-written";
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    static final int FLUSH_PARALLELISM = 8;

    private final AppContext ctx;
    private final InstanceRegistry registry;
    private final JournalStore store;
    private final AuditLog audit;
    private final Postqueue postqueue;
    private final PostfixCtl ctl;
    private final Postmap postmap;
    private final Postconf postconf;
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    /** The system's syslog mail log, where instances without maillog_file log. */
    private final Path systemMailLog = org.mfshell.log.LogLocator.MAIL_LOG;

    public FlushService(AppContext ctx) {
        this.ctx = ctx;
        this.registry = ctx.instances();
        this.store = new JournalStore(ctx.stateDir());
        this.audit = new AuditLog(ctx.auditLog());
        this.postqueue = new Postqueue(ctx.runner());
        this.ctl = new PostfixCtl(ctx.runner());
        this.postmap = new Postmap(ctx.runner());
        this.postconf = new Postconf(ctx.runner());
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

    // ---------------------------------------------------------------- validation

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
        registry.find(r.source());
        requireSendingAddress(registry.get(r.target()));
        return new Request(r.source(), r.target(), domains, r.dryRun(), r.all(), r.waitFor(), r.commandLine());
    }

    // ---------------------------------------------------------------- preflight (step 0 and 1)

    /** Step 1: the target's sending address; an instance without one cannot be a target (usage error). */
    private static String requireSendingAddress(PostfixInstance dst) {
        if (dst.bindAddress() == null) {
            throw new UsageException(dst.name() + " has no sending address (no '-o smtp_bind_address=' under "
                    + "'smtp unix' in " + dst.configDir().resolve("master.cf") + ", no smtp_bind_address in main.cf): "
                    + "there is nothing to reroute to");
        }
        return IpAddresses.require(dst.bindAddress(), dst.name() + "'s smtp_bind_address");
    }

    /** Step 0 and 1. Bad target configuration is a usage error; anything not ready is a failure. */
    public Preflight preflight(Request r, boolean resuming) {
        PostfixInstance src = registry.get(r.source());
        PostfixInstance dst = registry.get(r.target());
        String dstIp = requireSendingAddress(dst);
        String srcIp = src.bindAddress() == null ? null : IpAddresses.require(src.bindAddress(),
                src.name() + "'s smtp_bind_address");
        List<String> problems = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        checks.add(dst.name() + " sends from " + dstIp + " (postconf -c " + dst.configDir() + " -P smtp/unix/smtp_bind_address)");

        String banner = null;
        if (!dst.running()) {
            problems.add(dst.name() + " is not running (postfix -c " + dst.configDir() + " start)");
        } else {
            try {
                banner = SmtpProbe.banner(dstIp, 25, srcIp, PROBE_TIMEOUT);
                checks.add(dst.name() + " answers on " + dstIp + ":25: " + banner);
            } catch (MfshellException e) {
                problems.add(e.getMessage());
            }
        }
        if (!src.running()) {
            problems.add(src.name() + " is not running: it cannot reload or flush (postfix -c " + src.configDir() + " start)");
        }
        String admittedBy = null;
        if (srcIp == null) {
            warnings.add(src.name() + " has no smtp_bind_address: cannot check that " + dst.name()
                    + "'s mynetworks admits the address it will connect from");
        } else {
            IpAddresses.NetworkMatch m = IpAddresses.inNetworks(srcIp, dst.mynetworks());
            if (m.admitted()) {
                admittedBy = m.matchedEntry();
                checks.add(dst.name() + "'s mynetworks admits " + srcIp + " (" + m.matchedEntry() + ")");
            } else if (!m.unevaluated().isEmpty()) {
                warnings.add(dst.name() + "'s mynetworks has entries mfshell cannot evaluate ("
                        + String.join(", ", m.unevaluated()) + "): make sure they admit " + srcIp);
            } else {
                problems.add(dst.name() + "'s mynetworks (" + String.join(" ", dst.mynetworks()) + ") does not admit "
                        + src.name() + "'s address " + srcIp + ": it would refuse to relay");
            }
        }
        Map<String, String> sv = postconf.values(src.configDir(), List.of("-x", "inet_interfaces", "proxy_interfaces",
                "mydestination"));
        List<String> own = new ArrayList<>();
        for (String p : List.of("inet_interfaces", "proxy_interfaces")) {
            for (String a : sv.getOrDefault(p, "").split("[\\s,]+")) {
                if (!a.isBlank()) {
                    own.add(a);
                }
            }
        }
        boolean loop = own.contains("all") || own.contains(dstIp) || own.contains("[" + dstIp + "]")
                || (own.contains("loopback-only") && (dstIp.equals("127.0.0.1") || dstIp.equals("::1")))
                || src.listen().stream().anyMatch(l -> l.startsWith(dstIp + ":") || l.startsWith("[" + dstIp + "]:"));
        if (loop) {
            problems.add(src.name() + " itself listens on " + dstIp + " (inet_interfaces = "
                    + sv.getOrDefault("inet_interfaces", "?") + "): Postfix would bounce the mail with "
                    + "'mail for " + dstIp + " loops back to myself'");
        } else {
            checks.add(src.name() + " does not listen on " + dstIp + " (no mail loop)");
        }
        if (dst.rerouteActive()) {
            String dstMap = readTextOrNull(dst.configDir().resolve(MAP));
            if (srcIp != null && dstMap != null && dstMap.contains("[" + srcIp + "]")) {
                problems.add(dst.name() + " is itself rerouted to " + src.name() + "'s address " + srcIp
                        + " (" + dst.configDir().resolve(MAP) + "): the mail would go round in a loop");
            } else {
                warnings.add(dst.name() + " is itself rerouted (transport_maps = " + dst.transportMaps()
                        + "): the mail moves on from there");
            }
        }
        if (!resuming) {
            String current = readText(src.configDir().resolve(MAIN_CF));
            String active = TransportMapsEdit.activeValue(current);
            if (active != null && active.contains(src.configDir().resolve(MAP).toString())) {
                problems.add(src.name() + " is already rerouted (transport_maps = " + active + "): run 'flush "
                        + src.name() + " --restore' first");
            }
        }
        if (!problems.isEmpty()) {
            throw new MfshellException("preflight refused the reroute of " + src.name() + " to " + dst.name() + ": "
                    + String.join("; ", problems) + ". Nothing was changed.");
        }

        Map<String, Integer> byDomain = new TreeMap<>();
        int messages = 0;
        for (Postqueue.Message m : postqueue.messages(src.configDir())) {
            if (!m.queueName().equals("deferred")) {
                continue;
            }
            boolean any = false;
            for (String rc : m.recipients()) {
                if (r.domains().isEmpty() || Domains.matches(rc, r.domains())) {
                    String d = Domains.domainOf(rc);
                    byDomain.merge(d == null ? "(no domain)" : d, 1, Integer::sum);
                    any = true;
                }
            }
            if (any) {
                messages++;
            }
        }
        if (r.domains().isEmpty()) {
            String mydest = sv.getOrDefault("mydestination", "").trim();
            warnings.add("'*' catches every recipient of " + src.name() + ", bounce notices it generates included"
                    + (mydest.isEmpty() ? "" : ", and its local domains (mydestination = " + mydest
                    + "): give them their own transport.relay entries"));
        }
        return new Preflight(src, dst, dstIp, srcIp, banner, admittedBy, byDomain, messages, checks, warnings);
    }

    // ---------------------------------------------------------------- the plan

    /** The contents of transport.relay for a reroute. */
    public static String mapContents(FlushJournal j) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by mfshell: flush ").append(j.source).append(" --to ").append(j.target)
                .append(" (").append(j.user).append(", ").append(j.started).append(").\n");
        sb.append("# Undo with: mfshell flush ").append(j.source).append(" --restore\n");
        String nexthop = IpAddresses.nexthop(j.targetAddress);
        if (j.domains.isEmpty()) {
            sb.append("* ").append(nexthop).append('\n');
        } else {
            for (String d : j.domains) {
                sb.append(d).append(' ').append(nexthop).append('\n');
            }
        }
        return sb.toString();
    }

    private FlushJournal newJournal(Request r, Preflight p) {
        FlushJournal j = new FlushJournal();
        j.source = r.source();
        j.target = r.target();
        j.targetAddress = p.targetAddress();
        j.domains = new ArrayList<>(r.domains());
        j.user = FlushJournal.operator();
        j.pid = ProcessHandle.current().pid();
        j.command = r.commandLine();
        j.started = FlushJournal.now();
        j.updated = j.started;
        j.state = FlushJournal.State.RUNNING;
        return j;
    }

    /** Records the three files as they are now; copies are written only when {@code save}. */
    private void recordOriginals(FlushJournal j, Path configDir, boolean save) {
        for (String name : List.of(MAP, DB, MAIN_CF)) {
            Path f = configDir.resolve(name);
            byte[] b = AtomicFiles.readOrNull(f);
            FlushJournal.FileRecord rec = new FlushJournal.FileRecord();
            rec.path = f.toString();
            rec.existed = b != null;
            rec.originalSha256 = AtomicFiles.sha256(b);
            if (save && b != null) {
                rec.savedCopy = store.saveCopy(j.source, name, b).toString();
            }
            j.files.put(name, rec);
        }
    }

    /** Steps 2 to 6 for a journal (new or resumed). */
    public List<Step> steps(FlushJournal j, Path configDir, Operator op) {
        Path map = configDir.resolve(MAP);
        Path db = configDir.resolve(DB);
        Path mainCf = configDir.resolve(MAIN_CF);
        byte[] newMap = mapContents(j).getBytes(StandardCharsets.UTF_8);
        String tmpName = MAP + ".tmp-" + ProcessHandle.current().pid();
        Path tmpMap = configDir.resolve(tmpName);
        Path tmpDb = Postmap.hashDb(tmpMap);
        String currentMain = readText(mainCf);
        String plannedMain;
        try {
            plannedMain = TransportMapsEdit.enable(currentMain, map.toString()).text();
        } catch (MfshellException e) {
            plannedMain = currentMain;
        }
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(2, "write-map", "write " + map,
                UnifiedDiff.diff(map.toString(), readTextOrNull(map), map.toString(), new String(newMap, StandardCharsets.UTF_8))
                        + "(written atomically; the previous file is kept as " + MAP + ".mfshell-TIME.bak)",
                false,
                () -> record(j, MAP, AtomicFiles.replace(map, newMap)),
                () -> restoreFile(j, MAP, op)));
        steps.add(new Step(3, "postmap", "build " + db + " atomically",
                "cp " + map + " " + tmpMap + "\n" + String.join(" ", Postmap.argv(configDir, tmpMap)) + "\nmv " + tmpDb
                        + " " + db + "\nrm " + tmpMap,
                false,
                () -> {
                    try {
                        AtomicFiles.write(tmpMap, Files.readAllBytes(map));
                        postmap.build(configDir, tmpMap);
                        Path backup = AtomicFiles.backup(db);
                        AtomicFiles.move(tmpDb, db);
                        record(j, DB, backup);
                    } catch (java.io.IOException e) {
                        throw new MfshellException("cannot read " + map + ": " + e.getMessage(), e);
                    } finally {
                        deleteQuietly(tmpMap);
                        if (Files.isRegularFile(tmpDb)) {
                            deleteQuietly(tmpDb);
                        }
                    }
                },
                () -> restoreFile(j, DB, op)));
        steps.add(new Step(4, "main.cf", "switch transport_maps on in " + mainCf,
                UnifiedDiff.diff(mainCf.toString(), currentMain, mainCf.toString(), plannedMain)
                        + "(written atomically; the previous file is kept as main.cf.mfshell-TIME.bak)",
                false,
                () -> {
                    String now = readText(mainCf);
                    String active = TransportMapsEdit.activeValue(now);
                    if (active != null && active.contains(map.toString())) {
                        return;
                    }
                    TransportMapsEdit.Result e = TransportMapsEdit.enable(now, map.toString());
                    j.mainCfMode = e.mode();
                    byte[] written = e.text().getBytes(StandardCharsets.ISO_8859_1);
                    store.saveCopy(j.source, WRITTEN_MAIN_CF, written);
                    Path backup = AtomicFiles.replace(mainCf, written);
                    record(j, MAIN_CF, backup);
                },
                () -> restoreFile(j, MAIN_CF, op)));
        steps.add(new Step(5, "reload", "reload " + j.source,
                String.join(" ", PostfixCtl.argv(configDir, "reload")), true,
                () -> ctl.reload(configDir),
                () -> { }));
        String flushPreview = j.domains.isEmpty()
                ? String.join(" ", Postqueue.flushAllArgv(configDir))
                : String.join(" ", Postqueue.flushIdArgv(configDir, "ID")) + "   (once per deferred message to "
                        + String.join(", ", j.domains) + ")";
        steps.add(new Step(6, "flush", "flush " + j.source, flushPreview, true, () -> { }, () -> { }));
        return steps;
    }

    private void record(FlushJournal j, String name, Path backup) {
        FlushJournal.FileRecord rec = j.files.get(name);
        rec.writtenSha256 = AtomicFiles.sha256(Path.of(rec.path));
        if (backup != null) {
            rec.backup = backup.toString();
        }
    }

    /** Puts one file back as it was before the journal's reroute began. */
    private void restoreFile(FlushJournal j, String name, Operator op) {
        FlushJournal.FileRecord rec = j.files.get(name);
        Path f = Path.of(rec.path);
        String now = AtomicFiles.sha256(f);
        if (now.equals(rec.originalSha256)) {
            return;
        }
        boolean ours = rec.writtenSha256 == null || now.equals(rec.writtenSha256);
        if (name.equals(MAIN_CF) && !ours) {
            // Someone edited main.cf after us: take out only our change and keep theirs.
            String text = readText(f);
            op.warn(f + " was changed by someone else after mfshell wrote it; removing only the transport_maps change");
            String back = TransportMapsEdit.disable(text, Path.of(j.files.get(MAP).path).toString(), j.mainCfMode);
            AtomicFiles.replace(f, back.getBytes(StandardCharsets.ISO_8859_1));
            return;
        }
        if (rec.existed) {
            byte[] saved = AtomicFiles.readOrNull(Path.of(rec.savedCopy));
            if (saved == null) {
                throw new MfshellException("the saved copy " + rec.savedCopy + " of " + f + " is missing");
            }
            AtomicFiles.write(f, saved);
        } else {
            try {
                Files.deleteIfExists(f);
            } catch (java.io.IOException e) {
                throw new MfshellException("cannot delete " + f + ": " + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------- running

    /** Validates, locks, runs preflight and the steps (asking), and follows the drain. */
    public Outcome reroute(Request req, Operator op) {
        return rerouteValidated(validate(req), op);
    }

    /** {@link #reroute} for a request {@link #validate} already returned. */
    public Outcome rerouteValidated(Request r, Operator op) {
        ProcessHandle.current().info().startInstant().ifPresent(start ->
                timings.put("start (JVM, discovery, validation)", Duration.between(start, java.time.Instant.now())));
        long t0 = System.nanoTime();
        if (r.dryRun()) {
            Preflight p = preflight(r, false);
            timings.put("preflight", since(t0));
            op.preflight(p);
            FlushJournal j = newJournal(r, p);
            recordOriginals(j, p.source().configDir(), false);
            for (Step s : steps(j, p.source().configDir(), op)) {
                op.show(s);
            }
            return new Outcome(j, p, true, false, null, timings, null);
        }
        try (InstanceLock lock = InstanceLock.acquire(ctx.stateDir(), r.source(), r.commandLine())) {
            refuseUnfinished(r.source());
            Preflight p = preflight(r, false);
            timings.put("preflight", since(t0));
            op.preflight(p);
            FlushJournal j = newJournal(r, p);
            recordOriginals(j, p.source().configDir(), true);
            store.save(j);
            auditQuietly(r.commandLine(), "started: " + j.describe() + ", " + p.movingMessages() + " deferred messages");
            return run(j, p, r.all(), r.waitFor(), op);
        }
    }

    /** Continues an unfinished journal from its first step not done. */
    public Outcome resume(String source, boolean all, Duration wait, String commandLine, Operator op) {
        InstanceNames.require(source);
        registry.find(source);
        try (InstanceLock lock = InstanceLock.acquire(ctx.stateDir(), source, commandLine)) {
            FlushJournal j = store.load(source);
            if (j == null || j.state != FlushJournal.State.RUNNING) {
                throw new MfshellException("no unfinished flush of " + source + " to resume");
            }
            long t0 = System.nanoTime();
            Request r = new Request(j.source, j.target, j.domains, false, all, wait, commandLine);
            Preflight p = preflight(r, true);
            if (!p.targetAddress().equals(j.targetAddress)) {
                throw new MfshellException(j.target + " now sends from " + p.targetAddress() + ", not "
                        + j.targetAddress + " as when the flush began: roll it back instead (flush " + source + " --rollback)");
            }
            timings.put("preflight", since(t0));
            op.preflight(p);
            j.pid = ProcessHandle.current().pid();
            j.command = commandLine;
            store.save(j);
            auditQuietly(commandLine, "resuming: " + j.describe());
            return run(j, p, all, wait, op);
        }
    }

    private Outcome run(FlushJournal j, Preflight p, boolean all, Duration wait, Operator op) {
        Path dir = p.source().configDir();
        List<Step> steps = steps(j, dir, op);
        boolean yesToAll = all;
        boolean flushed = false;
        String reloadNote = null;
        MaillogFollower follower = follower(p.source(), systemMailLog);
        Set<String> tracked = new HashSet<>();
        for (Step s : steps) {
            if (j.status(s.number()) == FlushJournal.StepStatus.DONE) {
                op.info("step " + s.number() + " (" + s.title() + ") was done before, not repeated");
                continue;
            }
            Operator.Answer a;
            if (yesToAll) {
                op.show(s);
                a = Operator.Answer.YES;
            } else {
                a = op.ask(s);
                if (a == null) {
                    a = Operator.Answer.QUIT;
                }
            }
            if (a == Operator.Answer.ALL) {
                yesToAll = true;
                a = Operator.Answer.YES;
            }
            if (a == Operator.Answer.NO && s.skippable()) {
                j.mark(s.number(), s.key(), FlushJournal.StepStatus.SKIPPED, "skipped by the operator");
                store.save(j);
                auditQuietly(j.command, "step " + s.number() + " (" + s.key() + ") skipped");
                continue;
            }
            if (a != Operator.Answer.YES) {
                String undone = rollback(j, op, "stopped by the operator at step " + s.number());
                throw new MfshellException("stopped at step " + s.number() + " (" + s.title() + "); " + undone);
            }
            j.mark(s.number(), s.key(), FlushJournal.StepStatus.STARTED, null);
            store.save(j);
            long t = System.nanoTime();
            try {
                if (s.key().equals("reload")) {
                    reloadNote = reloadWithWaitNote(dir);
                } else if (s.key().equals("flush")) {
                    tracked = flush(j, dir, op);
                    flushed = true;
                } else {
                    s.apply().run();
                }
            } catch (RuntimeException e) {
                j.mark(s.number(), s.key(), FlushJournal.StepStatus.FAILED, e.getMessage());
                store.save(j);
                auditQuietly(j.command, "step " + s.number() + " (" + s.key() + ") failed: " + e.getMessage());
                String undone = rollback(j, op, "step " + s.number() + " failed");
                throw new MfshellException("step " + s.number() + " (" + s.title() + ") failed: " + e.getMessage()
                        + "; " + undone, e);
            }
            timings.put("step " + s.number() + " " + s.key(), since(t));
            j.mark(s.number(), s.key(), FlushJournal.StepStatus.DONE, null);
            store.save(j);
            auditQuietly(j.command, "step " + s.number() + " (" + s.key() + ") done");
            maybePauseForTests(s.number());
        }
        j.state = FlushJournal.State.ACTIVE;
        j.updated = FlushJournal.now();
        store.save(j);
        auditQuietly(j.command, "reroute active: " + j.describe());
        FollowProgress last = null;
        if (flushed && !tracked.isEmpty()) {
            long t = System.nanoTime();
            last = follow(j, dir, follower, tracked, wait, op);
            timings.put("drain", since(t));
            auditQuietly(j.command, "drain: moved " + last.moved() + ", still queued " + last.stillQueued()
                    + ", bounced " + last.bounced());
        }
        return new Outcome(j, p, false, flushed, last, timings, reloadNote);
    }

    /** Reloads and says how long Postfix waited for main.cf to become 2 seconds old. */
    private String reloadWithWaitNote(Path dir) {
        long ageMs = -1;
        try {
            ageMs = System.currentTimeMillis() - Files.getLastModifiedTime(dir.resolve(MAIN_CF)).toMillis();
        } catch (java.io.IOException e) {
            // no note then
        }
        long t = System.nanoTime();
        ctl.reload(dir);
        long tookMs = (System.nanoTime() - t) / 1_000_000;
        return ageMs < 0 ? null : "reload took " + tookMs + " ms; main.cf was " + ageMs + " ms old when it began"
                + (ageMs < 2000 ? " (Postfix waits until main.cf is 2 s old)" : "");
    }

    /** Step 6: postqueue -f, or postqueue -i per matching deferred message. Returns tracked "id recipient" keys. */
    private Set<String> flush(FlushJournal j, Path dir, Operator op) {
        Set<String> tracked = new HashSet<>();
        List<String> ids = new ArrayList<>();
        // Track matching mail in every queue but hold: the reload's qmgr restart may already
        // have moved messages whose retry time had come from deferred to active.
        for (Postqueue.Message m : postqueue.messages(dir)) {
            if (m.queueName().equals("hold")) {
                continue;
            }
            boolean any = false;
            for (String rc : m.recipients()) {
                if (j.domains.isEmpty() || Domains.matches(rc, j.domains)) {
                    tracked.add(m.queueId() + " " + rc);
                    any = true;
                }
            }
            if (any && m.queueName().equals("deferred")) {
                ids.add(m.queueId());
            }
        }
        if (j.domains.isEmpty()) {
            postqueue.flush(dir);
            op.info("flushed " + j.source + " (postqueue -f): " + ids.size() + " messages queued");
            return tracked;
        }
        // One postqueue -i per message (it takes one id), FLUSH_PARALLELISM at a time, started by
        // one xargs: on the lab, 300 messages took 4.6 s as JVM-started processes (4 at a time) and
        // 3.0 s so, while the mail was already being delivered (bench/flush-bench.sh 300).
        String err = postqueue.flushIds(dir, ids, FLUSH_PARALLELISM);
        if (err != null && !ctl.running(dir)) {
            throw new MfshellException("postqueue -i failed (" + err + "): " + j.source + " is not running");
        }
        if (err != null) {
            op.warn("postqueue -i failed for some of " + ids.size() + " messages: " + err);
        }
        op.info("flushed " + ids.size() + " deferred messages to " + String.join(", ", j.domains)
                + " (postqueue -i each)");
        return tracked;
    }

    /**
     * Where the source's delivery lines appear: its maillog_file, else the system's syslog file
     * (lines of its syslog_name only), else nowhere readable (null).
     */
    static MaillogFollower follower(PostfixInstance source, Path systemMailLog) {
        if (source.maillogFile() != null && !source.maillogFile().isBlank()) {
            return MaillogFollower.fromEnd(Path.of(source.maillogFile()));
        }
        if (systemMailLog != null && Files.isRegularFile(systemMailLog) && Files.isReadable(systemMailLog)) {
            return MaillogFollower.fromEnd(systemMailLog, source.syslogName());
        }
        return null;
    }

    /** Follows tracked recipients until none is queued in the source any more, or {@code wait} has passed. */
    private FollowProgress follow(FlushJournal j, Path dir, MaillogFollower follower, Set<String> tracked, Duration wait,
                                  Operator op) {
        long start = System.nanoTime();
        Set<String> moved = new HashSet<>();
        Set<String> elsewhere = new HashSet<>();
        Set<String> bounced = new HashSet<>();
        int stillQueued = tracked.size();
        long lastScan = 0;
        if (follower == null) {
            op.warn(j.source + " has no maillog_file and " + systemMailLog + " cannot be read: progress counts mail "
                    + "leaving its queue, not delivery log lines");
        }
        while (true) {
            List<MaillogFollower.Delivery> fresh = new ArrayList<>();
            if (follower != null) {
                for (MaillogFollower.Delivery d : follower.poll()) {
                    String key = d.queueId() + " " + d.recipient();
                    if (!tracked.contains(key)) {
                        continue;
                    }
                    if (d.status().equals("sent")) {
                        if (j.targetAddress.equals(d.relayIp())) {
                            moved.add(key);
                        } else {
                            elsewhere.add(key);
                        }
                        fresh.add(d);
                    } else if (d.status().equals("bounced")) {
                        bounced.add(key);
                        fresh.add(d);
                    }
                }
            }
            Duration elapsed = since(start);
            boolean timeUp = elapsed.compareTo(wait) >= 0;
            if (System.nanoTime() - lastScan > 1_000_000_000L || timeUp) {
                Set<String> queued = new HashSet<>();
                for (Postqueue.Message m : postqueue.messages(dir)) {
                    for (String rc : m.recipients()) {
                        queued.add(m.queueId() + " " + rc);
                    }
                }
                queued.retainAll(tracked);
                queued.removeAll(moved);
                queued.removeAll(bounced);
                queued.removeAll(elsewhere);
                stillQueued = queued.size();
                lastScan = System.nanoTime();
            }
            boolean drained = stillQueued == 0;
            boolean finished = drained || timeUp;
            int movedCount = follower == null ? tracked.size() - stillQueued : moved.size();
            op.progress(new FollowProgress(tracked.size(), stillQueued, movedCount, elsewhere.size(), bounced.size(),
                    elapsed, fresh, finished, drained));
            if (finished) {
                return new FollowProgress(tracked.size(), stillQueued, movedCount, elsewhere.size(), bounced.size(),
                        elapsed, List.of(), true, drained);
            }
            sleep(200);
        }
    }

    /**
     * Undoes every step the journal says may have changed something, newest first, then reloads
     * the source if main.cf was touched and it runs. Returns a sentence saying what was undone.
     */
    public String rollback(FlushJournal j, Operator op, String why) {
        Path dir = Path.of(j.files.get(MAIN_CF).path).getParent();
        List<Integer> touched = j.touchedSteps();
        List<String> undone = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<Step> steps = steps(j, dir, op);
        for (int i = touched.size() - 1; i >= 0; i--) {
            int n = touched.get(i);
            Step s = steps.stream().filter(x -> x.number() == n).findFirst().orElse(null);
            if (s == null) {
                continue;
            }
            try {
                s.undo().run();
                j.mark(n, s.key(), FlushJournal.StepStatus.UNDONE, why);
                undone.add(Integer.toString(n));
            } catch (RuntimeException e) {
                failures.add("undo of step " + n + ": " + e.getMessage());
            }
        }
        cleanTemps(dir);
        boolean mainTouched = touched.contains(4) || touched.contains(5);
        if (mainTouched) {
            if (ctl.running(dir)) {
                try {
                    ctl.reload(dir);
                    undone.add("reload");
                } catch (RuntimeException e) {
                    failures.add("reload after undo: " + e.getMessage());
                }
            }
        }
        boolean clean = failures.isEmpty() && filesAsBefore(j, touched);
        j.state = clean ? FlushJournal.State.ROLLED_BACK : FlushJournal.State.RUNNING;
        j.updated = FlushJournal.now();
        store.save(j);
        String result = undone.isEmpty() && touched.isEmpty() ? "nothing had been changed"
                : clean ? "rolled back (undid steps " + String.join(", ", undone) + "): " + j.source
                + "'s files are as they were before" : "ROLLBACK INCOMPLETE: " + String.join("; ", failures)
                + " (saved copies in " + store.savedDir(j.source) + ")";
        auditQuietly(j.command, why + "; " + result);
        return result;
    }

    /** {@code flush SRC --rollback}: rolls back an unfinished flush whose process died. */
    public String rollbackUnfinished(String source, String commandLine, Operator op) {
        InstanceNames.require(source);
        registry.find(source);
        try (InstanceLock lock = InstanceLock.acquire(ctx.stateDir(), source, commandLine)) {
            FlushJournal j = store.load(source);
            if (j == null || j.state != FlushJournal.State.RUNNING) {
                throw new MfshellException("no unfinished flush of " + source + " to roll back"
                        + (j != null && j.state == FlushJournal.State.ACTIVE ? " (its reroute is active: use --restore)" : ""));
            }
            j.command = commandLine;
            String result = rollback(j, op, "rollback of the unfinished flush started " + j.started + " by " + j.user);
            if (j.state != FlushJournal.State.ROLLED_BACK) {
                throw new MfshellException(result);
            }
            return result;
        }
    }

    /** Whether the files of the touched steps are back as they were (main.cf edited by others is judged by its undo). */
    private boolean filesAsBefore(FlushJournal j, List<Integer> touched) {
        Map<Integer, String> fileOfStep = Map.of(2, MAP, 3, DB, 4, MAIN_CF);
        for (Map.Entry<Integer, String> e : fileOfStep.entrySet()) {
            FlushJournal.FileRecord rec = j.files.get(e.getValue());
            boolean othersEdited = e.getValue().equals(MAIN_CF) && rec.writtenSha256 != null;
            if (touched.contains(e.getKey()) && !othersEdited
                    && !AtomicFiles.sha256(Path.of(rec.path)).equals(rec.originalSha256)) {
                return false;
            }
        }
        return true;
    }

    /** An unfinished journal (RUNNING, lock free) of this instance, or null. Caller must hold or test the lock. */
    public FlushJournal unfinished(String source) {
        FlushJournal j = store.load(source);
        return j != null && j.state == FlushJournal.State.RUNNING ? j : null;
    }

    private void refuseUnfinished(String source) {
        FlushJournal j = unfinished(source);
        if (j != null) {
            throw new MfshellException(unfinishedMessage(j));
        }
    }

    public static String unfinishedMessage(FlushJournal j) {
        List<String> done = new ArrayList<>();
        for (FlushJournal.StepRecord s : j.steps) {
            if (s.status == FlushJournal.StepStatus.DONE || s.status == FlushJournal.StepStatus.STARTED
                    || s.status == FlushJournal.StepStatus.FAILED) {
                done.add(s.number + (s.status == FlushJournal.StepStatus.DONE ? "" : " (" + s.status.name().toLowerCase() + ")"));
            }
        }
        return "an unfinished flush of " + j.describe() + " exists (started " + j.started + " by " + j.user + ", pid "
                + j.pid + " no longer running; steps: " + (done.isEmpty() ? "none" : String.join(", ", done))
                + "): run 'flush " + j.source + " --rollback' to undo it or 'flush " + j.source + " --resume' to finish it";
    }

    /** Unfinished flushes on this host whose process is gone (lock free): for a notice at any start. */
    public static List<FlushJournal> unfinishedEverywhere(Path stateDir) {
        List<FlushJournal> out = new ArrayList<>();
        try {
            for (FlushJournal j : new JournalStore(stateDir).running()) {
                if (!InstanceLock.isHeld(stateDir, j.source)) {
                    out.add(j);
                }
            }
        } catch (RuntimeException e) {
            // a notice only: the flush command itself reports journal problems
        }
        return out;
    }

    // ---------------------------------------------------------------- restore

    /** The way back: steps to switch the reroute off. Empty journal means a reroute made by hand. */
    public List<Step> restoreSteps(String source, Operator op) {
        InstanceRegistry.InstanceDir d = registry.find(source);
        Path dir = d.configDir();
        Path mainCf = dir.resolve(MAIN_CF);
        Path map = dir.resolve(MAP);
        Path db = dir.resolve(DB);
        FlushJournal j = store.load(source);
        boolean journalled = j != null && j.state == FlushJournal.State.ACTIVE;
        String current = readText(mainCf);
        String active = TransportMapsEdit.activeValue(current);
        if (active == null || !active.contains(map.toString())) {
            throw new MfshellException(source + " has no active reroute (transport_maps "
                    + (active == null ? "is not set" : "= " + active) + ")");
        }
        String target;
        if (journalled && AtomicFiles.sha256(mainCf).equals(j.files.get(MAIN_CF).writtenSha256)) {
            byte[] saved = AtomicFiles.readOrNull(Path.of(j.files.get(MAIN_CF).savedCopy));
            if (saved == null) {
                throw new MfshellException("the saved copy of main.cf (" + j.files.get(MAIN_CF).savedCopy + ") is missing");
            }
            target = new String(saved, StandardCharsets.ISO_8859_1);
        } else {
            if (journalled) {
                op.warn(mainCf + " was changed by someone else after mfshell switched the reroute on (" + j.started
                        + "), so it cannot be made byte-identical to before: only the transport_maps change is undone, "
                        + "their change stays. What changed since mfshell wrote it:");
                String written = readTextOrNull(store.savedDir(source).resolve(WRITTEN_MAIN_CF));
                op.info(written == null ? "    (mfshell's copy of what it wrote is missing)"
                        : UnifiedDiff.diff(mainCf + " (as mfshell wrote it)", written, mainCf + " (now)", current).indent(4)
                                .stripTrailing());
            }
            target = TransportMapsEdit.disable(current, map.toString(), journalled ? j.mainCfMode : null);
        }
        List<Step> steps = new ArrayList<>();
        String finalTarget = target;
        steps.add(new Step(1, "main.cf", "switch transport_maps off in " + mainCf,
                UnifiedDiff.diff(mainCf.toString(), current, mainCf.toString(), target), false,
                () -> {
                    if (!readText(mainCf).equals(current)) {
                        throw new MfshellException(mainCf + " changed while you were looking at the diff; run --restore again");
                    }
                    AtomicFiles.replace(mainCf, finalTarget.getBytes(StandardCharsets.ISO_8859_1));
                },
                () -> AtomicFiles.write(mainCf, current.getBytes(StandardCharsets.ISO_8859_1))));
        byte[] mapNow = AtomicFiles.readOrNull(map);
        byte[] dbNow = AtomicFiles.readOrNull(db);
        if (journalled) {
            FlushJournal.FileRecord rec = j.files.get(MAP);
            byte[] before = rec.existed ? AtomicFiles.readOrNull(Path.of(rec.savedCopy)) : null;
            steps.add(new Step(2, "map", rec.existed ? "restore the previous " + map : "remove " + map
                    + " (there was none before)",
                    UnifiedDiff.diff(map.toString(), text(mapNow), map.toString(), text(before)), false,
                    () -> {
                        if (before != null) {
                            AtomicFiles.replace(map, before);
                        } else {
                            AtomicFiles.delete(map);
                        }
                    },
                    () -> {
                        if (mapNow != null) {
                            AtomicFiles.write(map, mapNow);
                        }
                    }));
            String tmpName = MAP + ".tmp-" + ProcessHandle.current().pid();
            Path tmpMap = dir.resolve(tmpName);
            steps.add(new Step(3, "postmap", before != null ? "rebuild " + db : "remove " + db,
                    before != null ? String.join(" ", Postmap.argv(dir, tmpMap)) + " (from the restored " + MAP
                            + ", then mv " + Postmap.hashDb(tmpMap) + " " + db + ")" : "rm " + db,
                    false,
                    () -> {
                        if (before == null) {
                            AtomicFiles.delete(db);
                            return;
                        }
                        try {
                            AtomicFiles.write(tmpMap, before);
                            postmap.build(dir, tmpMap);
                            AtomicFiles.backup(db);
                            AtomicFiles.move(Postmap.hashDb(tmpMap), db);
                        } finally {
                            deleteQuietly(tmpMap);
                            deleteQuietly(Postmap.hashDb(tmpMap));
                        }
                    },
                    () -> {
                        if (dbNow != null) {
                            AtomicFiles.write(db, dbNow);
                        }
                    }));
        }
        steps.add(new Step(4, "reload", "reload " + source, String.join(" ", PostfixCtl.argv(dir, "reload")), true,
                () -> {
                    if (ctl.running(dir)) {
                        ctl.reload(dir);
                    }
                },
                () -> {
                    if (ctl.running(dir)) {
                        ctl.reload(dir);
                    }
                }));
        return steps;
    }

    /** Runs the restore steps, asking; rolls back what it did if one fails. Returns what happened. */
    public String restore(String source, boolean all, boolean dryRun, String commandLine, Operator op) {
        InstanceNames.require(source);
        registry.find(source);
        if (dryRun) {
            for (Step s : restoreSteps(source, op)) {
                op.show(s);
            }
            return "dry run: nothing changed";
        }
        try (InstanceLock lock = InstanceLock.acquire(ctx.stateDir(), source, commandLine)) {
            refuseUnfinished(source);
            List<Step> steps = restoreSteps(source, op);
            List<Step> done = new ArrayList<>();
            boolean yesToAll = all;
            for (Step s : steps) {
                Operator.Answer a = yesToAll ? Operator.Answer.YES : op.ask(s);
                if (yesToAll) {
                    op.show(s);
                }
                if (a == Operator.Answer.ALL) {
                    yesToAll = true;
                    a = Operator.Answer.YES;
                }
                if (a == Operator.Answer.NO && s.skippable()) {
                    continue;
                }
                if (a != Operator.Answer.YES) {
                    undo(done);
                    auditQuietly(commandLine, "restore stopped by the operator at step " + s.number());
                    throw new MfshellException("restore stopped at step " + s.number() + "; the reroute is still active");
                }
                try {
                    s.apply().run();
                    done.add(s);
                    auditQuietly(commandLine, "restore step " + s.number() + " (" + s.key() + ") done");
                } catch (RuntimeException e) {
                    undo(done);
                    auditQuietly(commandLine, "restore step " + s.number() + " failed: " + e.getMessage() + "; undone");
                    throw new MfshellException("restore step " + s.number() + " (" + s.title() + ") failed: "
                            + e.getMessage() + "; undid the earlier restore steps, the reroute is still active", e);
                }
            }
            FlushJournal j = store.load(source);
            if (j != null && j.state == FlushJournal.State.ACTIVE) {
                j.state = FlushJournal.State.RESTORED;
                j.updated = FlushJournal.now();
                store.save(j);
            }
            auditQuietly(commandLine, "reroute of " + source + " switched off");
            return "reroute of " + source + " switched off";
        }
    }

    private static void undo(List<Step> done) {
        for (int i = done.size() - 1; i >= 0; i--) {
            done.get(i).undo().run();
        }
    }

    // ---------------------------------------------------------------- status and plain flush

    /** Reroutes in force on every instance (journalled or made by hand), plus unfinished ones. */
    public List<Reroute> reroutes() {
        List<Reroute> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (FlushJournal j : store.all()) {
            if (j.state == FlushJournal.State.ACTIVE || j.state == FlushJournal.State.RUNNING) {
                String state = j.state == FlushJournal.State.ACTIVE ? "active"
                        : InstanceLock.isHeld(ctx.stateDir(), j.source) ? "in progress" : "UNFINISHED";
                if (j.state == FlushJournal.State.ACTIVE && !stillActive(j)) {
                    state = "off (switched off outside mfshell)";
                }
                out.add(new Reroute(j.source, j.target, j.targetAddress, j.domains, j.started, j.user, state, null, true));
                seen.add(j.source);
            }
        }
        for (PostfixInstance i : registry.all()) {
            if (i.rerouteActive() && !seen.contains(i.name())) {
                Path map = i.configDir().resolve(MAP);
                String since = null;
                try {
                    since = Files.getLastModifiedTime(Files.exists(map.resolveSibling(DB)) ? map.resolveSibling(DB) : map)
                            .toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
                } catch (java.io.IOException e) {
                    // unknown
                }
                out.add(new Reroute(i.name(), null, null, mapKeys(map), since, "unknown (not made by mfshell)", "active",
                        i.transportMaps(), false));
            }
        }
        return out;
    }

    private static boolean stillActive(FlushJournal j) {
        FlushJournal.FileRecord main = j.files.get(MAIN_CF);
        FlushJournal.FileRecord map = j.files.get(MAP);
        if (main == null || map == null) {
            return false;
        }
        String text = readTextOrNull(Path.of(main.path));
        String active = text == null ? null : TransportMapsEdit.activeValue(text);
        return active != null && active.contains(map.path);
    }

    private static List<String> mapKeys(Path map) {
        List<String> keys = new ArrayList<>();
        String t = readTextOrNull(map);
        if (t != null) {
            for (String l : t.split("\n")) {
                String s = l.trim();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    keys.add(s.replaceAll("\\s+", " "));
                }
            }
        }
        return keys;
    }

    /** {@code flush NAME}: postqueue -f, then waits (up to {@code wait}) for the attempts to finish. */
    public PlainFlush plainFlush(String name, Duration wait, String commandLine, Operator op) {
        InstanceRegistry.InstanceDir d = registry.find(name);
        FlushJournal j = store.load(name);
        if (j != null && j.state == FlushJournal.State.RUNNING && !InstanceLock.isHeld(ctx.stateDir(), name)) {
            op.warn(unfinishedMessage(j));
        }
        long t0 = System.nanoTime();
        long before = count(d.configDir(), "deferred");
        postqueue.flush(d.configDir());
        auditQuietly(commandLine, "postqueue -f, " + before + " deferred before");
        // Settled: no mail in incoming or active twice in a row, half a second apart.
        long active;
        boolean settled;
        int quiet = 0;
        do {
            sleep(500);
            active = count(d.configDir(), "active") + count(d.configDir(), "incoming");
            quiet = active == 0 ? quiet + 1 : 0;
            settled = quiet >= 2;
        } while (!settled && since(t0).compareTo(wait) < 0);
        long after = count(d.configDir(), "deferred");
        auditQuietly(commandLine, "flushed: deferred " + before + " -> " + after);
        return new PlainFlush(name, before, after, active, settled, since(t0));
    }

    private long count(Path dir, String queue) {
        return postqueue.messages(dir).stream().filter(m -> m.queueName().equals(queue)).count();
    }

    // ---------------------------------------------------------------- helpers

    private void auditQuietly(String command, String result) {
        try {
            audit.record(command, result);
        } catch (MfshellException e) {
            // The audit trail must not stop a rollback; the operator still sees the outcome.
            System.err.println("mfshell: warning: " + e.getMessage());
        }
    }

    /** Test hook: MFSHELL_TEST_PAUSE_AFTER_STEP=N makes a real process stop after step N until it is killed. */
    private static void maybePauseForTests(int step) {
        String v = System.getenv("MFSHELL_TEST_PAUSE_AFTER_STEP");
        if (v != null && v.equals(Integer.toString(step))) {
            System.err.println("mfshell: paused after step " + step + " (MFSHELL_TEST_PAUSE_AFTER_STEP)");
            System.err.flush();
            sleep(Long.MAX_VALUE / 2);
        }
    }

    /** Removes postmap temp files of any mfshell run (a killed one leaves them named after its pid). */
    private static void cleanTemps(Path dir) {
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, MAP + ".tmp-*")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && p.getFileName().toString().matches(java.util.regex.Pattern.quote(MAP) + "\\.tmp-\\d+(\\.db)?")) {
                    deleteQuietly(p);
                }
            }
        } catch (java.io.IOException e) {
            // nothing reads them; the next rollback tries again
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            // a stray temp file named after our pid; nothing reads it
        }
    }

    static String readText(Path f) {
        String t = readTextOrNull(f);
        if (t == null) {
            throw new MfshellException(f + " does not exist");
        }
        return t;
    }

    static String readTextOrNull(Path f) {
        return text(AtomicFiles.readOrNull(f));
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted");
        }
    }
}
