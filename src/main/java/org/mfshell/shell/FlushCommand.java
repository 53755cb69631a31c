package org.mfshell.shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.core.MfshellException;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.flush.FlushJournal;
import org.mfshell.flush.FlushService;
import org.mfshell.flush.FollowProgress;
import org.mfshell.flush.InstanceLock;
import org.mfshell.instance.InstanceNames;
import org.mfshell.core.Quote;
import org.mfshell.flush.RerouteTarget;
import org.mfshell.flush.IncomingClaims;
import org.mfshell.flush.TargetFacts;
import org.mfshell.mail.IpAddresses;
import org.mfshell.mail.Domains;
import org.mfshell.postfix.Ssh;

/**
 * {@code flush}: the wiki's "flush deferred email from one queue to another", step by step and
 * reversible ({@code --to}), its undo ({@code --restore}), recovery after a crash
 * ({@code --rollback}, {@code --resume}), the list of reroutes ({@code --status}) and a plain
 * {@code postqueue -f} (NAME alone). Parses, calls {@link FlushService}, renders.
 */
public final class FlushCommand implements MfCommand {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(3);
    private static final CommandSpec SPEC = CommandSpec.builder("flush")
            .summary("move one instance's deferred mail to another instance (the wiki's reroute), or flush its queue")
            .help("With --to, walks the wiki's steps: 1 preflight (both instances running; the source does not listen "
                    + "on the target's address; an SMTP dialogue from the source's sending address as its client will "
                    + "talk: greeting, EHLO, MAIL FROM and RCPT TO one address per domain, RSET; the target's mynetworks "
                    + "admits the source; no reroute cycle; every recipient to move resolves to the target with the "
                    + "relay map first in transport_maps), 2 write SRC/transport.relay ('* mfshell-reroute:[IP]', or "
                    + "one line per --domain), 3 postmap it atomically, 4 add the mfshell-reroute transport to SRC's "
                    + "master.cf (a copy of its smtp service with soft_bounce=yes, so a refused message stays queued "
                    + "instead of bouncing; when the target answers EHLO with SRC's own myhostname, as instances of one "
                    + "box do, a myhostname of its own for this hop), 5 put the map first in SRC's transport_maps, "
                    + "6 postfix reload and check the routes, 7 flush: one message first (the canary), the rest once "
                    + "it was relayed; then follows the drain until the mail has left or --wait has passed. A refusal "
                    + "in the drain (bounce, soft bounce, the target down or refusing) stops it and undoes the reroute. "
                    + "Each step shows its exact command or diff and asks "
                    + "yes / no / all / quit; quit and any failure undo the steps already done. Every change is "
                    + "atomic, backed up, journalled under the state dir (MFSHELL_STATE_DIR, /var/lib/mfshell) and "
                    + "audited (MFSHELL_AUDIT_LOG). The reroute stays in force until 'flush SRC --restore', which puts "
                    + "main.cf, master.cf and the map back byte for byte.\n"
                    + "Without --to, 'flush NAME' runs postqueue -f and reports the deferred count before and after.\n"
                    + "Across hosts, 'flush HOST:NAME --to HOST2:TARGET' reads TARGET's facts on HOST2 over ssh and runs "
                    + "the same reroute on HOST (ssh -t on a terminal), its preflight from NAME's sending address; "
                    + "'flush HOST:NAME --restore' undoes it there.\n"
                    + "Exit codes: 0 done, 1 refused or failed (rolled back, or the message says what is left), 2 bad input "
                    + "(nothing written).")
            .argument(ArgSpec.optional("NAME", "source instance (whose deferred mail moves)", Completion.INSTANCE))
            .option(OptionSpec.value("to", "TARGET", "instance to relay through (its smtp_bind_address)", Completion.INSTANCE))
            .option(OptionSpec.value("domain", "DOMAIN", "move only mail to this domain (repeatable; .example.com "
                    + "for subdomains; IDNs allowed)", Completion.QUEUE_DOMAIN).asRepeatable().withShortName('d'))
            .option(OptionSpec.flag("dry-run", "show preflight and every step, change nothing").withShortName('n'))
            .option(OptionSpec.flag("yes", "answer yes to every step (no questions)").withShortName('y'))
            .option(OptionSpec.value("wait", "DURATION", "how long to follow the drain (default 3m)"))
            .option(OptionSpec.flag("restore", "switch NAME's reroute off: main.cf and transport.relay as before"))
            .option(OptionSpec.flag("status", "list the reroutes in force (same as 'reroutes')"))
            .option(OptionSpec.flag("rollback", "undo an unfinished flush of NAME whose mfshell died"))
            .option(OptionSpec.flag("resume", "finish an unfinished flush of NAME whose mfshell died"))
            .option(OptionSpec.flag("facts", "internal: print NAME's facts as the target of a reroute from another "
                    + "host (JSON), for 'flush HOST:SRC --to HOST2:NAME'").asInternal())
            .option(OptionSpec.value("target-facts", "JSON", "internal: the facts of --to HOST:NAME as its host "
                    + "printed them (--facts)").asInternal())
            .option(OptionSpec.value("claim-from", "HOST:NAME", "internal: with --facts, first record that HOST:NAME "
                    + "is about to reroute --domain mail to NAME here (the claim that keeps a reverse reroute out)")
                    .asInternal())
            .option(OptionSpec.value("claim-address", "IP", "internal: the sending address of --claim-from").asInternal())
            .option(OptionSpec.flag("as-source", "internal: with --facts, NAME as the source of a reroute to another "
                    + "host (its name and sending address)").asInternal())
            .option(OptionSpec.value("release-claim", "ID", "internal: take claim ID away (the reroute it announced "
                    + "has recorded its journal or stopped)").asInternal())
            .example("flush msn-a --to msn-b --domain hotmail.com")
            .example("flush msn-a --to msn-b --domain hotmail.com --domain outlook.com --yes --wait 10m")
            .example("flush msn-a --to msn-b --dry-run")
            .example("flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com")
            .example("flush msn-a --restore")
            .example("flush --status")
            .example("flush msn-a --rollback --yes")
            .example("flush msn-b")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public boolean needsRoot(ParsedArgs args) {
        // HOST:NAME: this side only runs ssh; the host where the mail is checks its own user.
        return args == null || !CrossHostFlush.applies(args);
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        if (CrossHostFlush.applies(args)) {
            return CrossHostFlush.run(ctx, System.getenv(), argv(args), io);
        }
        String cmdline = commandLine(args);
        if (args.flag("facts")) {
            return facts(args, ctx, io, cmdline);
        }
        if (args.value("release-claim").isPresent()) {
            return releaseClaim(args, ctx, io, cmdline);
        }
        for (String internal : List.of("claim-from", "claim-address", "as-source")) {
            if (args.options().containsKey(internal)) {
                throw new UsageException("flush: --" + internal + " goes with --facts");
            }
        }
        List<String> modes = new ArrayList<>();
        for (String m : List.of("restore", "status", "rollback", "resume")) {
            if (args.flag(m)) {
                modes.add("--" + m);
            }
        }
        if (args.value("to").isPresent()) {
            modes.add("--to");
        }
        if (modes.size() > 1) {
            throw new UsageException("flush: " + String.join(" and ", modes) + " cannot be combined");
        }
        if (!args.values("domain").isEmpty() && args.value("to").isEmpty()) {
            throw new UsageException("flush: --domain needs --to TARGET (the instance to move the mail to)");
        }
        Duration wait = args.durationValue("wait").orElse(DEFAULT_WAIT);
        FlushService service = ctx.flushService();
        if (args.flag("status")) {
            if (args.arg(0).isPresent()) {
                throw new UsageException("flush --status takes no instance name");
            }
            return ReroutesCommand.print(service.reroutes(), false, io);
        }
        String name = args.arg(0).orElseThrow(() -> new UsageException("flush: missing NAME (usage: " + SPEC.usage() + ")"));
        InstanceNames.require(name);
        boolean yes = args.flag("yes");
        ConsoleOperator op = new ConsoleOperator(io, FlushService.REROUTE_STEPS);
        if (args.flag("rollback")) {
            return rollback(service, name, yes, cmdline, io, op);
        }
        if (args.flag("resume")) {
            return resume(service, name, yes, wait, cmdline, io, op);
        }
        if (args.flag("restore")) {
            ConsoleOperator rop = new ConsoleOperator(io, FlushService.RESTORE_STEPS);
            io.out().println(service.restore(name, yes, args.flag("dry-run"), cmdline, rop));
            return ExitCodes.OK;
        }
        if (args.value("to").isEmpty()) {
            if (args.flag("dry-run")) {
                throw new UsageException("flush: --dry-run is for a reroute (--to TARGET) or --restore");
            }
            FlushService.PlainFlush f = service.plainFlush(name, wait, cmdline, op);
            io.out().printf("%s: %d deferred before postqueue -f, %d after%s (%.1f s)%n", f.instance(), f.deferredBefore(),
                    f.deferredAfter(), f.settled() ? "" : "; " + f.stillActive() + " still being delivered after --wait",
                    f.elapsed().toMillis() / 1000.0);
            return ExitCodes.OK;
        }
        RerouteTarget remote = args.value("target-facts").isPresent() ? remoteTarget(args) : null;
        FlushService.Request asked = new FlushService.Request(name, args.value("to").get(), args.values("domain"),
                args.flag("dry-run"), yes, wait, cmdline);
        FlushService.Request req = remote == null ? service.validate(asked) : new FlushService.Request(
                ctx.instances().find(name).name(), remote.name(), Domains.requireAll(asked.domains()), asked.dryRun(),
                yes, wait, cmdline);
        if (!req.dryRun() && !InstanceLock.isHeld(ctx.stateDir(), name)) {
            FlushJournal unfinished = service.unfinished(name);
            if (unfinished != null) {
                return offerRecovery(service, unfinished, yes, wait, cmdline, io, op);
            }
        }
        io.out().println("Step 1 of " + FlushService.REROUTE_STEPS + ": preflight"
                + (req.dryRun() ? " (dry run: nothing will be changed)" : ""));
        FlushService.Outcome o;
        try {
            o = remote == null ? service.rerouteValidated(req, op) : service.rerouteAcross(req, remote, op);
        } finally {
            io.out().flush();
        }
        render(o, io);
        return ExitCodes.OK;
    }

    /** {@code flush NAME --facts}: NAME as the target of a reroute from another host, one line of JSON. */
    private static int facts(ParsedArgs args, AppContext ctx, Io io, String cmdline) {
        boolean claim = args.value("claim-from").isPresent();
        for (String other : List.of("to", "domain", "restore", "status", "rollback", "resume", "dry-run", "wait",
                "target-facts", "release-claim", "claim-address", "as-source")) {
            if (other.equals("as-source") && !claim) {
                continue;
            }
            boolean withClaim = other.equals("domain") || other.equals("claim-address");
            if (args.options().containsKey(other) && !(claim && withClaim)) {
                throw new UsageException("flush: --facts cannot be combined with --" + other
                        + (withClaim ? " (only with --claim-from)" : ""));
            }
        }
        String name = InstanceNames.require(args.arg(0).orElseThrow(() -> new UsageException("flush --facts: missing NAME")));
        if (args.flag("as-source")) {
            io.out().println(ctx.flushService().sourceFacts(name, VersionCommand.version()).toJson());
            return ExitCodes.OK;
        }
        if (!claim) {
            io.out().println(ctx.flushService().targetFacts(name, VersionCommand.version()).toJson());
            return ExitCodes.OK;
        }
        String from = IncomingClaims.requireFrom(args.value("claim-from").get());
        String address = args.value("claim-address").isPresent() ? IpAddresses.require(args.value("claim-address").get(),
                "--claim-address") : null;
        List<String> domains = Domains.requireAll(args.values("domain"));
        io.out().println(ctx.flushService().claimAndReadFacts(name, VersionCommand.version(), from, address, domains,
                cmdline).toJson());
        return ExitCodes.OK;
    }

    /** {@code flush NAME --release-claim ID}: takes the claim away; says whether it was still there. */
    private static int releaseClaim(ParsedArgs args, AppContext ctx, Io io, String cmdline) {
        if (args.options().size() != 1) {
            throw new UsageException("flush: --release-claim takes nothing else but NAME");
        }
        InstanceNames.require(args.arg(0).orElseThrow(() -> new UsageException("flush --release-claim: missing NAME")));
        String id = args.value("release-claim").get();
        io.out().println(ctx.flushService().releaseClaim(id, cmdline) ? "released claim " + id
                : "claim " + id + " was not there (expired or released already)");
        return ExitCodes.OK;
    }

    /** The --to HOST:NAME target of another host, from the facts that host printed (checked again here). */
    private static RerouteTarget remoteTarget(ParsedArgs args) {
        String to = args.value("to").orElseThrow(() -> new UsageException("flush: --target-facts needs --to HOST:NAME"));
        int colon = to.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("flush: --target-facts needs --to HOST:NAME (got " + Quote.quote(to) + ")");
        }
        String host = to.substring(0, colon);
        try {
            Ssh.checkDestination(host);
        } catch (UsageException e) {
            throw new UsageException(e.getMessage().replaceFirst("^--on: ", "flush: --to: "));
        }
        InstanceNames.require(to.substring(colon + 1));
        TargetFacts f;
        try {
            f = TargetFacts.parse(args.value("target-facts").get(), host);
        } catch (MfshellException e) {
            throw new UsageException(e.getMessage());
        }
        if (!f.instance().equals(to.substring(colon + 1))) {
            throw new UsageException("flush: the facts are of " + host + ":" + f.instance() + ", not " + to);
        }
        return RerouteTarget.remote(host, f);
    }

    /** The command line again as words ({@code flush NAME --opt value ...}), for the cross-host path. */
    private static List<String> argv(ParsedArgs args) {
        List<String> words = new ArrayList<>();
        words.add("flush");
        words.addAll(args.positionals());
        args.options().forEach((k, vs) -> {
            for (String v : vs) {
                words.add("--" + k);
                if (!args.spec().option(k).map(o -> o.isFlag()).orElse(true)) {
                    words.add(v);
                }
            }
        });
        return words;
    }

    /** At any mfshell start: one warning line per flush whose mfshell died half-way (cheap: lists the state dir). */
    public static void warnUnfinished(AppContext ctx, Io io) {
        List<FlushJournal> unfinished;
        try {
            unfinished = FlushService.unfinishedEverywhere(ctx.stateDir());
        } catch (MfshellException e) {
            // Only a warning: the command itself goes on. A user who is not root has no state
            // directory of their own to warn about; root hears why the journals can't be read.
            if (org.mfshell.core.Privileges.isRoot()) {
                io.err().println("mfshell: warning: cannot look for unfinished reroutes: " + Quote.oneLine(e.getMessage()));
            }
            return;
        }
        for (FlushJournal j : unfinished) {
            io.err().println("mfshell: warning: " + FlushService.unfinishedMessage(j));
        }
    }

    private int offerRecovery(FlushService service, FlushJournal j, boolean yes, Duration wait, String cmdline, Io io,
                              ConsoleOperator op) {
        String msg = FlushService.unfinishedMessage(j);
        if (yes || !io.terminal()) {
            throw new MfshellException(msg);
        }
        io.err().println("mfshell: " + msg);
        String a = io.ask("Roll it back now, resume it, or quit? [r]ollback / r[e]sume / [q]uit: ");
        if (a != null && (a.equalsIgnoreCase("r") || a.equalsIgnoreCase("rollback"))) {
            return rollback(service, j.source, true, cmdline, io, op);
        }
        if (a != null && (a.equalsIgnoreCase("e") || a.equalsIgnoreCase("resume"))) {
            return resume(service, j.source, false, wait, cmdline, io, op);
        }
        throw new MfshellException("left the unfinished flush as it is");
    }

    private int rollback(FlushService service, String name, boolean yes, String cmdline, Io io, ConsoleOperator op) {
        FlushJournal j = service.unfinished(name);
        if (j == null) {
            throw new MfshellException("no unfinished flush of " + name + " to roll back");
        }
        io.out().println(FlushService.unfinishedMessage(j));
        if (!yes && !io.confirm("Roll back every step it did?")) {
            throw new MfshellException("not rolled back");
        }
        io.out().println(service.rollbackUnfinished(name, cmdline, op));
        return ExitCodes.OK;
    }

    private int resume(FlushService service, String name, boolean yes, Duration wait, String cmdline, Io io,
                       ConsoleOperator op) {
        FlushJournal j = service.unfinished(name);
        if (j == null) {
            throw new MfshellException("no unfinished flush of " + name + " to resume");
        }
        io.out().println("resuming: " + FlushService.unfinishedMessage(j));
        render(service.resume(name, yes, wait, cmdline, op), io);
        return ExitCodes.OK;
    }

    private static void render(FlushService.Outcome o, Io io) {
        if (o.dryRun()) {
            io.out().println("dry run: nothing was changed");
            return;
        }
        FollowProgress p = o.last();
        String t = o.journal().target;
        if (p != null) {
            io.out().printf("moved to %s: %d   still deferred in %s: %d   bounced: %d%s%n", t, p.moved(),
                    o.journal().source, p.stillQueued(), p.bounced(),
                    p.deliveredElsewhere() > 0 ? "   delivered elsewhere: " + p.deliveredElsewhere() : "");
            if (!p.drained()) {
                io.out().println("not drained within --wait: the reroute stays active and Postfix keeps retrying");
            }
        } else if (!o.flushed()) {
            io.out().println("not flushed: the mail moves at its next retry (or run 'flush " + o.journal().source + "')");
        } else {
            io.out().println("nothing matching was queued in " + o.journal().source);
        }
        StringBuilder sb = new StringBuilder("timing:");
        long total = 0;
        for (Map.Entry<String, Duration> e : o.timings().entrySet()) {
            sb.append(' ').append(e.getKey()).append(' ').append(String.format("%.2f", e.getValue().toMillis() / 1000.0))
                    .append(" s,");
            total += e.getValue().toMillis();
        }
        sb.append(String.format(" mfshell's own work %.2f s (the time spent answering questions not counted)", total / 1000.0));
        io.out().println(sb);
        io.out().println("the reroute " + o.journal().describe() + " stays active: undo it with 'flush "
                + o.journal().source + " --restore'");
    }

    private static String commandLine(ParsedArgs args) {
        StringBuilder sb = new StringBuilder("flush");
        for (String a : args.positionals()) {
            sb.append(' ').append(a);
        }
        args.options().forEach((k, vs) -> {
            if (k.equals("target-facts")) {
                return;
            }
            for (String v : vs) {
                sb.append(" --").append(k);
                if (!args.spec().option(k).map(o -> o.isFlag()).orElse(true)) {
                    sb.append(' ').append(v);
                }
            }
        });
        return sb.toString();
    }
}
