package org.mfshell.flush;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.mail.Domains;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.fs.AuditLog;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.DeliveryFollower;
import org.mfshell.log.DeliveryLogs;
import org.mfshell.postfix.Postqueue;
import org.mfshell.postfix.QueueMessage;

/**
 * One reroute, resume, rollback or restore from lock to result: takes the locks of both
 * instances in one global order (and, while it checks for a reroute cycle and records its own
 * edge, the host-wide reroute lock), runs preflight, keeps the journal as the ledger of the
 * {@link StepRunner}, releases a canary and follows the drain, and rolls back on any failure,
 * a refusal seen in the drain included.
 *
 * <p>Errors: {@link MfshellException} as described in {@link FlushService}.
 *
 * <p>Size: over 400 lines because reroute, resume, rollback and restore share the locks, the
 * journal-as-ledger and the checks that files are as the journal left them; the steps themselves
 * live in {@link ReroutePlan}, the loop in {@link StepRunner}, the following in {@link Drain}.
 */
final class RerouteRun {
    /** The host-wide lock held while a reroute checks the reroute graph and records its edge. */
    static final String GRAPH_LOCK = "reroute-graph";

    private final InstanceRegistry registry;
    private final Path stateDir;
    private final JournalStore store;
    private final AuditLog audit;
    private final FlushService.Tools tools;
    private final PreflightChecks checks;
    private final ReroutePlan plan;
    private final DeliveryLogs logs;
    private final Map<String, Duration> timings = new LinkedHashMap<>();

    RerouteRun(InstanceRegistry registry, Path stateDir, JournalStore store, AuditLog audit, FlushService.Tools tools,
               PreflightChecks checks, ReroutePlan plan, DeliveryLogs logs) {
        this.registry = registry;
        this.stateDir = stateDir;
        this.store = store;
        this.audit = audit;
        this.tools = tools;
        this.checks = checks;
        this.plan = plan;
        this.logs = logs;
    }

    FlushService.Outcome reroute(FlushService.Request r, RerouteTarget target, Operator op) {
        long t0 = System.nanoTime();
        if (r.dryRun()) {
            Preflight p = checks.run(r.source(), target, r.domains(), false);
            FlushService.refuseIfAny(p);
            timings.put("preflight", since(t0));
            op.preflight(p);
            FlushJournal j = newJournal(r, p);
            recordOriginals(j, p.source().configDir(), false);
            for (Step s : plan.steps(j, p.source().configDir(), op, noLive())) {
                op.show(s);
            }
            return new FlushService.Outcome(j, p, true, false, null, timings, null);
        }
        // A target on another host is not locked from here: its host's reroutes were read into the
        // facts, and the cycle check below uses them as read.
        try (InstanceLock locks = InstanceLock.acquireAll(stateDir, lockIds(r.source(), target.isRemote() ? null
                : target.instance()), r.commandLine())) {
            refuseUnfinished(r.source());
            Preflight p = checks.run(r.source(), target, r.domains(), false);
            FlushService.refuseIfAny(p);
            timings.put("preflight", since(t0));
            op.preflight(p);
            FlushJournal j = newJournal(r, p);
            // Under the host-wide lock: look again for a cycle (another reroute may have been
            // recorded since preflight) and record this one before letting go.
            try (InstanceLock graph = InstanceLock.acquireWaiting(stateDir, GRAPH_LOCK, r.commandLine(), Duration.ofSeconds(10))) {
                List<RerouteGraph.Edge> cycle = checks.graph(r.source(), target).cycle(r.source(), target.name(), r.domains());
                if (!cycle.isEmpty()) {
                    throw new MfshellException("refused the reroute of " + r.source() + " to " + target.name() + ": "
                            + PreflightChecks.cycleText(p.source(), cycle) + ". Nothing was changed (to fix: "
                            + PreflightChecks.remedy(cycle) + ").");
                }
                refuseStaleClaim(target);
                // Room for the rollback's own journal save and audit line, should the disk fill up.
                store.reserve();
                recordOriginals(j, p.source().configDir(), true);
                store.save(j);
            }
            auditQuietly(audit, r.commandLine(), "started: " + j.describe() + ", " + p.movingMessages()
                    + " deferred messages", op);
            return steps(j, p, r.all(), r.waitFor(), op);
        }
    }

    /**
     * A target on another host that holds a claim for this reroute ({@link IncomingClaims}) covers
     * the race only while the claim lives: refused when more than {@link IncomingClaims#USABLE}
     * has passed since this process received the facts (its own clock: no two hosts' clocks
     * compared; the facts arrive seconds after the claim is written).
     */
    static void refuseStaleClaim(RerouteTarget target) {
        if (!target.isRemote() || target.facts().claim() == null) {
            return;
        }
        if (System.nanoTime() - target.factsReceivedNanos() > IncomingClaims.USABLE.toNanos()) {
            throw new MfshellException("refused the reroute to " + target.name() + ": its facts and the claim that "
                    + "keeps a reverse reroute out were read more than " + IncomingClaims.USABLE.toMinutes()
                    + " minutes ago (the claim lasts " + IncomingClaims.LIFETIME.toMinutes() + "). Nothing was changed; "
                    + "run the flush again.");
        }
    }

    FlushService.Outcome resume(String source, boolean all, Duration wait, String commandLine, Operator op) {
        FlushJournal j0 = load(source);
        if (j0 == null || j0.state != FlushJournal.State.RUNNING) {
            throw new MfshellException("no unfinished flush of " + source + " to resume");
        }
        if (RerouteTarget.isRemoteName(j0.target)) {
            throw new MfshellException("the unfinished flush of " + j0.describe() + " goes to another host, whose facts "
                    + "are not here to check again: roll it back ('flush " + source + " --rollback') and run the "
                    + "cross-host flush again");
        }
        try (InstanceLock locks = InstanceLock.acquireAll(stateDir, lockIds(source, j0.target), commandLine)) {
            FlushJournal j = load(source);
            if (j == null || j.state != FlushJournal.State.RUNNING) {
                throw new MfshellException("no unfinished flush of " + source + " to resume");
            }
            if (j.version < FlushJournal.CURRENT_VERSION) {
                throw new MfshellException("the unfinished flush of " + j.describe() + " was started by an older mfshell "
                        + "whose steps are numbered differently: roll it back ('flush " + source + " --rollback') and "
                        + "start the flush again");
            }
            long t0 = System.nanoTime();
            Preflight p = checks.run(j.source, j.target, j.domains, true);
            FlushService.refuseIfAny(p);
            if (!p.targetAddress().equals(j.targetAddress)) {
                throw new MfshellException(j.target + " now sends from " + p.targetAddress() + ", not "
                        + j.targetAddress + " as when the flush began: roll it back instead (flush " + source + " --rollback)");
            }
            timings.put("preflight", since(t0));
            op.preflight(p);
            FlushService.cleanTemps(p.source().configDir());
            store.reserve();
            j.pid = ProcessHandle.current().pid();
            j.command = commandLine;
            store.save(j);
            auditQuietly(audit, commandLine, "resuming: " + j.describe(), op);
            return steps(j, p, all, wait, op);
        }
    }

    private FlushService.Outcome steps(FlushJournal j, Preflight p, boolean all, Duration wait, Operator op) {
        Path dir = p.source().configDir();
        Drain[] drain = new Drain[1];
        boolean[] flushed = new boolean[1];
        ReroutePlan.Live live = new ReroutePlan.Live() {
            @Override
            public void reloadAndCheck() {
                tools.ctl().reload(dir);
                Preflight.Check c = checks.verifyRoutes(p, j.domains);
                if (c.verdict() == Preflight.Check.Verdict.REFUSE) {
                    throw new MfshellException("after the reload: " + c.detail());
                }
                op.info("    " + c.detail());
            }

            @Override
            public void flush() {
                drain[0] = flushWithCanary(j, p, op);
                flushed[0] = true;
            }
        };
        try {
            return steps(j, p, all, wait, op, dir, drain, flushed, live);
        } finally {
            if (drain[0] != null) {
                drain[0].close();
            }
        }
    }

    private FlushService.Outcome steps(FlushJournal j, Preflight p, boolean all, Duration wait, Operator op, Path dir,
                                       Drain[] drain, boolean[] flushed, ReroutePlan.Live live) {
        List<Step> steps = plan.steps(j, dir, op, live);
        StepRunner.run(steps, all, op, new JournalLedger(j, steps, op));
        j.state = FlushJournal.State.ACTIVE;
        j.updated = FlushJournal.now();
        saveOrUndo(j, steps, op, "the reroute is in force but the journal could not be marked active");
        auditQuietly(audit, j.command, "reroute active: " + j.describe(), op);
        FollowProgress last = null;
        if (drain[0] != null && !drain[0].tracked().isEmpty()) {
            long t = System.nanoTime();
            try {
                last = drain[0].follow(wait, op);
            } catch (org.mfshell.core.CancelledException e) {
                // Ctrl-C while following: the steps are done and the mail is moving; stop watching only.
                auditQuietly(audit, j.command, "drain no longer followed (interrupted); reroute active", op);
                throw new org.mfshell.core.CancelledException("interrupted: stopped following the drain; the reroute "
                        + j.describe() + " stays in force (undo it with 'flush " + j.source + " --restore')");
            }
            timings.put("drain", since(t));
            auditQuietly(audit, j.command, "drain: moved " + last.moved() + ", still queued " + last.stillQueued()
                    + ", refused " + last.bounced(), op);
            if (last.stopLine() != null) {
                String undone = rollback(j, steps, op, "the drain saw a refusal");
                throw new MfshellException("the drain stopped: " + last.stopLine() + "; " + undone
                        + "; moved to " + j.target + ": " + last.moved() + ", still queued in " + j.source + ": "
                        + last.stillQueued() + ", none bounced");
            }
        }
        store.releaseReserve();
        return new FlushService.Outcome(j, p, false, flushed[0], last, timings, null);
    }

    /**
     * Step 7: tracks the matching mail, releases one deferred message (the canary) and waits for
     * it to be relayed to the target, then flushes the rest.
     */
    private Drain flushWithCanary(FlushJournal j, Preflight p, Operator op) {
        Path dir = p.source().configDir();
        Drain drain = new Drain(follower(p.source()), tools.postqueue(), dir, j.targetAddress);
        if (!drain.readsLog()) {
            op.warn(j.source + " has no maillog_file and " + logs.systemMailLog() + " cannot be read: progress counts mail "
                    + "leaving its queue (soft_bounce keeps refused mail there), not delivery log lines");
        }
        List<String> ids = new ArrayList<>();
        // Track matching mail in every queue but hold: the reload's qmgr restart may already
        // have moved messages whose retry time had come from deferred to active.
        for (QueueMessage m : tools.postqueue().messages(dir)) {
            if (m.queueName().equals("hold")) {
                continue;
            }
            boolean any = false;
            for (String rc : m.addresses()) {
                if (j.domains.isEmpty() || Domains.matches(rc, j.domains)) {
                    drain.track(m.queueId(), rc);
                    any = true;
                }
            }
            if (any && m.queueName().equals("deferred")) {
                ids.add(m.queueId());
            }
        }
        if (ids.isEmpty()) {
            op.info("    no deferred message matches now (the map still catches new mail)");
            return drain;
        }
        String canary = ids.get(0);
        tools.postqueue().deliver(dir, canary);
        op.info("    canary: released " + canary + " (postqueue -i), waiting for its delivery through " + j.targetAddress);
        drain.awaitCanary(canary, FlushService.CANARY_BOUND, op);
        op.info("    canary " + canary + " relayed to " + j.target + "; flushing the rest");
        List<String> rest = ids.subList(1, ids.size());
        if (j.domains.isEmpty()) {
            tools.postqueue().flush(dir);
            op.info("    flushed " + j.source + " (postqueue -f): " + ids.size() + " deferred messages");
            return drain;
        }
        // One postqueue -i per message (it takes one id), FLUSH_PARALLELISM at a time, started by
        // one xargs (bench/flush-bench.sh 300: 3.0 s against 4.6 s as JVM-started processes).
        String err = rest.isEmpty() ? null : tools.postqueue().flushIds(dir, rest, FlushService.FLUSH_PARALLELISM);
        if (err != null && !tools.ctl().running(dir)) {
            throw new MfshellException("postqueue -i failed (" + err + "): " + j.source + " is not running");
        }
        if (err != null) {
            op.warn("postqueue -i failed for some of " + rest.size() + " messages: " + err);
        }
        op.info("    flushed " + ids.size() + " deferred messages to " + String.join(", ", j.domains) + " (postqueue -i each)");
        return drain;
    }

    private DeliveryFollower follower(PostfixInstance source) {
        return logs.follow(source);
    }

    /** The journal as the step runner's ledger; its undo is {@link #rollback}. */
    private final class JournalLedger implements StepRunner.Ledger {
        private final FlushJournal j;
        private final List<Step> steps;
        private final Operator op;
        private final Map<Integer, Long> started = new LinkedHashMap<>();

        JournalLedger(FlushJournal j, List<Step> steps, Operator op) {
            this.j = j;
            this.steps = steps;
            this.op = op;
        }

        @Override
        public boolean doneBefore(Step s) {
            FlushJournal.StepRecord r = j.step(s.number());
            return r != null && r.status == FlushJournal.StepStatus.DONE && s.key().equals(r.key);
        }

        @Override
        public void started(Step s) {
            FlushJournal.StepRecord before = j.step(s.number());
            FlushJournal.StepStatus was = before == null ? null : before.status;
            j.mark(s.number(), s.key(), FlushJournal.StepStatus.STARTED, null);
            try {
                store.save(j);
            } catch (MfshellException e) {
                // Not recorded, so not taken: the undo must not count it.
                if (was == null) {
                    j.steps.removeIf(r -> r.number == s.number());
                } else {
                    j.step(s.number()).status = was;
                }
                throw e;
            }
            started.put(s.number(), System.nanoTime());
        }

        @Override
        public void done(Step s) {
            Long t = started.get(s.number());
            if (t != null) {
                timings.put("step " + s.number() + " " + s.key(), since(t));
            }
            j.mark(s.number(), s.key(), FlushJournal.StepStatus.DONE, null);
            store.save(j);
            auditQuietly(audit, j.command, "step " + s.number() + " (" + s.key() + ") done", op);
        }

        @Override
        public void failed(Step s, String why) {
            j.mark(s.number(), s.key(), FlushJournal.StepStatus.FAILED, why);
            auditQuietly(audit, j.command, "step " + s.number() + " (" + s.key() + ") failed: " + why, op);
            store.save(j);
        }

        @Override
        public void skipped(Step s) {
            j.mark(s.number(), s.key(), FlushJournal.StepStatus.SKIPPED, "skipped by the operator");
            store.save(j);
            auditQuietly(audit, j.command, "step " + s.number() + " (" + s.key() + ") skipped", op);
        }

        @Override
        public String undo(String why) {
            return rollback(j, steps, op, why);
        }
    }

    private void saveOrUndo(FlushJournal j, List<Step> steps, Operator op, String what) {
        try {
            store.save(j);
        } catch (MfshellException e) {
            String undone = rollback(j, steps, op, what);
            throw new MfshellException(what + " (" + e.getMessage() + "); " + undone, e);
        }
    }

    /**
     * Undoes every step the journal says may have changed something, newest first, then reloads
     * the source if a file Postfix reads was touched and it runs. Returns a sentence saying what
     * was undone. A journal that cannot be written does not stop the undo: the files come back
     * first, and the sentence says the journal is stale.
     */
    String rollback(FlushJournal j, List<Step> steps, Operator op, String why) {
        // A Ctrl-C that stopped the plan must not stop its undo: file channels and programs fail on
        // an interrupted thread.
        Thread.interrupted();
        store.releaseReserve();
        Path dir = Path.of(j.files.get(FlushService.MAIN_CF).path).getParent();
        List<FlushJournal.StepRecord> touched = new ArrayList<>();
        for (FlushJournal.StepRecord r : j.steps) {
            if (r.status == FlushJournal.StepStatus.STARTED || r.status == FlushJournal.StepStatus.DONE
                    || r.status == FlushJournal.StepStatus.FAILED) {
                touched.add(r);
            }
        }
        List<String> undone = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = touched.size() - 1; i >= 0; i--) {
            FlushJournal.StepRecord r = touched.get(i);
            Step s = steps.stream().filter(x -> x.key().equals(r.key)).findFirst().orElse(null);
            if (s == null) {
                continue;
            }
            try {
                s.undo().run();
                j.mark(r.number, r.key, FlushJournal.StepStatus.UNDONE, why);
                undone.add(Integer.toString(r.number));
            } catch (RuntimeException e) {
                failures.add("undo of step " + r.number + ": " + e.getMessage());
            }
        }
        FlushService.cleanTemps(dir);
        boolean postfixFilesTouched = touched.stream().anyMatch(r -> r.key.equals("main.cf") || r.key.equals("master.cf")
                || r.key.equals("reload"));
        if (postfixFilesTouched && tools.ctl().running(dir)) {
            try {
                tools.ctl().reload(dir);
                undone.add("reload");
            } catch (RuntimeException e) {
                failures.add("reload after undo: " + e.getMessage());
            }
        }
        boolean clean = failures.isEmpty() && filesAsBefore(j, touched);
        j.state = clean ? FlushJournal.State.ROLLED_BACK : FlushJournal.State.RUNNING;
        j.updated = FlushJournal.now();
        String journalNote = "";
        try {
            store.save(j);
        } catch (MfshellException e) {
            journalNote = "; the journal " + store.journalFile(j.source) + " could not be updated (" + e.getMessage()
                    + ") and still says " + FlushJournal.State.RUNNING + ": 'flush " + j.source + " --rollback' finds "
                    + "nothing left to undo";
        }
        String result = undone.isEmpty() && touched.isEmpty() ? "nothing had been changed"
                : clean ? "rolled back (undid steps " + String.join(", ", undone) + "): " + j.source
                + "'s files are as they were before" : "ROLLBACK INCOMPLETE: " + String.join("; ", failures)
                + (failures.isEmpty() ? "a file differs from its original" : "") + " (saved copies in "
                + store.savedDir(j.source) + ")";
        auditQuietly(audit, j.command, why + "; " + result, op);
        return result + journalNote;
    }

    String rollbackUnfinished(String source, String commandLine, Operator op) {
        FlushJournal j0 = load(source);
        String target = j0 == null || RerouteTarget.isRemoteName(j0.target) ? null : j0.target;
        try (InstanceLock locks = InstanceLock.acquireAll(stateDir, lockIds(source, target), commandLine)) {
            FlushJournal j = load(source);
            if (j == null || j.state != FlushJournal.State.RUNNING) {
                throw new MfshellException("no unfinished flush of " + source + " to roll back"
                        + (j != null && j.state == FlushJournal.State.ACTIVE ? " (its reroute is active: use --restore)" : ""));
            }
            Path dir = Path.of(j.files.get(FlushService.MAIN_CF).path).getParent();
            List<Step> steps = plan.steps(j, dir, op, noLive());
            return rollback(j, steps, op, "rollback of the unfinished flush (" + commandLine + ")");
        }
    }

    String restore(String source, boolean all, boolean dryRun, String commandLine, Operator op) {
        Path dir = registry.find(source).configDir();
        if (dryRun) {
            for (Step s : restoreSteps(source, dir, op)) {
                op.show(s);
            }
            return "dry run: nothing changed";
        }
        try (InstanceLock locks = InstanceLock.acquireAll(stateDir, lockIds(source, null), commandLine)) {
            refuseUnfinished(source);
            FlushService.cleanTemps(dir);
            FlushJournal j = load(source);
            List<Step> steps = restoreSteps(source, dir, op);
            if (j != null && j.state == FlushJournal.State.ACTIVE) {
                j.state = FlushJournal.State.RESTORING;
                j.updated = FlushJournal.now();
                store.save(j);
            }
            List<Step> done = new ArrayList<>();
            StepRunner.run(steps, all, op, new StepRunner.Ledger() {
                @Override
                public boolean doneBefore(Step s) {
                    return false;
                }

                @Override
                public void started(Step s) {
                }

                @Override
                public void done(Step s) {
                    done.add(s);
                    auditQuietly(audit, commandLine, "restore step " + s.number() + " (" + s.key() + ") done", op);
                }

                @Override
                public void failed(Step s, String why) {
                    auditQuietly(audit, commandLine, "restore step " + s.number() + " failed: " + why, op);
                }

                @Override
                public void skipped(Step s) {
                }

                @Override
                public String undo(String why) {
                    for (int i = done.size() - 1; i >= 0; i--) {
                        done.get(i).undo().run();
                    }
                    if (j != null && j.state == FlushJournal.State.RESTORING) {
                        j.state = FlushJournal.State.ACTIVE;
                        store.save(j);
                    }
                    auditQuietly(audit, commandLine, "restore: " + why + "; undone", op);
                    return "undid the earlier restore steps, the reroute is still active";
                }
            });
            if (j != null && (j.state == FlushJournal.State.RESTORING || j.state == FlushJournal.State.ACTIVE)) {
                j.state = FlushJournal.State.RESTORED;
                j.updated = FlushJournal.now();
                store.save(j);
            }
            auditQuietly(audit, commandLine, "reroute of " + source + " switched off", op);
            return "reroute of " + source + " switched off";
        }
    }

    /**
     * The restore plan. A restore that was killed after its files were back (journal RESTORING,
     * nothing of the reroute left in main.cf) is finished by the reload alone.
     */
    private List<Step> restoreSteps(String source, Path dir, Operator op) {
        FlushJournal j = load(source);
        String main = FlushService.readText(dir.resolve(FlushService.MAIN_CF));
        String active = TransportMapsEdit.activeValue(main);
        boolean on = TransportMapsEdit.isOn(main, dir.resolve(FlushService.MAP).toString());
        // Leftovers (the transport in master.cf) are restored too, even with main.cf already back.
        boolean leftover = RerouteTransport.present(FlushService.readTextOrNull(dir.resolve(FlushService.MASTER_CF)));
        if (!on && !leftover && (j == null || j.state != FlushJournal.State.RESTORING)) {
            throw new MfshellException(source + " has no active reroute (transport_maps "
                    + (active == null ? "is not set" : "= " + active) + ")");
        }
        return plan.restoreSteps(source, dir, j, op);
    }

    /** The journal of an instance, its file paths proved to be that instance's own. */
    private FlushJournal load(String source) {
        return store.load(source, registry.find(source).configDir());
    }

    private void refuseUnfinished(String source) {
        FlushJournal j = load(source);
        if (j != null && j.state == FlushJournal.State.RUNNING) {
            throw new MfshellException(Reroutes.unfinishedMessage(j));
        }
    }

    private FlushJournal newJournal(FlushService.Request r, Preflight p) {
        FlushJournal j = new FlushJournal();
        j.source = r.source();
        j.target = p.target().name();
        j.targetAddress = p.targetAddress();
        j.domains = new ArrayList<>(r.domains());
        j.user = FlushJournal.operator();
        j.pid = ProcessHandle.current().pid();
        j.command = r.commandLine();
        j.started = FlushJournal.now();
        j.updated = j.started;
        j.state = FlushJournal.State.RUNNING;
        j.ownName = p.ownName();
        String base = tools.postconf().serviceLine(p.source().configDir(), p.baseService() + "/unix");
        j.transportBlock = RerouteTransport.block(base, r.source(), p.target().name(), p.ownName(), p.heloName(),
                p.inetInterfaces(), p.clearProxyInterfaces());
        return j;
    }

    /** Records the files as they are now; copies are written only when {@code save}. */
    private void recordOriginals(FlushJournal j, Path configDir, boolean save) {
        for (String name : List.of(FlushService.MAP, FlushService.DB, FlushService.MASTER_CF, FlushService.MAIN_CF)) {
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

    private boolean filesAsBefore(FlushJournal j, List<FlushJournal.StepRecord> touched) {
        Map<String, String> fileOfStep = Map.of("write-map", FlushService.MAP, "postmap", FlushService.DB,
                "master.cf", FlushService.MASTER_CF, "main.cf", FlushService.MAIN_CF);
        for (FlushJournal.StepRecord r : touched) {
            String name = fileOfStep.get(r.key);
            FlushJournal.FileRecord rec = name == null ? null : j.files.get(name);
            if (rec == null || AtomicFiles.sha256(Path.of(rec.path)).equals(rec.originalSha256)) {
                continue;
            }
            // Someone else's edit kept on purpose: undone when mfshell's own change is gone.
            String text = FlushService.readTextOrNull(Path.of(rec.path));
            boolean oursGone = name.equals(FlushService.MAIN_CF)
                    ? text != null && !TransportMapsEdit.isOn(text, j.files.get(FlushService.MAP).path)
                    : name.equals(FlushService.MASTER_CF) && text != null && !RerouteTransport.present(text);
            if (!oursGone) {
                return false;
            }
        }
        return true;
    }

    private static ReroutePlan.Live noLive() {
        return new ReroutePlan.Live() {
            @Override
            public void reloadAndCheck() {
            }

            @Override
            public void flush() {
            }
        };
    }

    static void auditQuietly(AuditLog audit, String command, String result, Operator op) {
        try {
            audit.record(command, result);
        } catch (MfshellException e) {
            // The audit trail must not stop a rollback; the operator still sees the outcome.
            op.warn(e.getMessage());
        }
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** The lock ids of one or two instances (InstanceLock.acquireAll takes them in one global order). */
    private static List<String> lockIds(String a, String b) {
        List<String> ids = new ArrayList<>();
        ids.add(a);
        if (b != null && !b.equals(a)) {
            ids.add(b);
        }
        return ids;
    }
}
