package org.mfshell.shell;

import java.nio.file.Path;
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
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabShape;
import org.mfshell.lab.LabStatus;
import org.mfshell.lab.SeedReport;
import org.mfshell.shell.render.Table;
import org.mfshell.core.Quote;

/**
 * {@code lab up|seed|status|down|block|unblock}: runs the lab of real Postfix instances on
 * loopback (org.mfshell.lab.Lab). Shape from {@code --shape} (default: the one the root was built
 * with, else default). Default shape: root from {@code --root} or MFSHELL_LAB_ROOT (default
 * /var/tmp/mfshell-lab), prefix from {@code --prefix} or MFSHELL_LAB_PREFIX (default 127.0.1).
 * Handmade shape: root from {@code --root} (default /var/tmp/mfshell-handmade), prefix from
 * {@code --prefix} (default 127.0.2), so that both labs run side by side without options.
 * Errors: usage (exit 2) for a bad action, shape, prefix, root or instance, or a --shape other
 * than the root's; exit 1 when not root, Postfix (or, handmade, bubblewrap or rsyslog) is
 * missing, or an instance fails.
 */
public final class LabCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("lab")
            .summary("run a lab of real Postfix instances on loopback (demos, rehearsal, tests)")
            .help("""
                    up      create what is missing and start what is stopped (idempotent)
                    seed    inject a realistic mix of mail (deferrals, bounces, held mail)
                    status  instances, addresses, queue counts, messages the provider accepted
                    down    stop every instance and the provider of the lab
                    block   make the provider defer an instance's hotmail.com/outlook.com mail (4.7.651)
                    unblock make the provider accept it again
                    The lab needs root. Instances live under ROOT/etc/postfix-NAME on PREFIX.2 .. PREFIX.6,
                    the provider on PREFIX.20. Nothing binds 127.0.0.1:25 and nothing leaves loopback.
                    --shape handmade builds the relay the way Debian admins do: postmulti, one shared
                    hostname, a default instance that never runs, aol-a with its own transport map, and
                    logging only through the lab's rsyslogd to ROOT/var/log/mail.log (MFSHELL_MAIL_LOG).""")
            .argument(ArgSpec.choice("ACTION", "what to do", true, "up", "seed", "status", "down", "block", "unblock"))
            .argument(ArgSpec.choice("INSTANCE", "lab instance for block/unblock", false,
                    Lab.INSTANCES.toArray(String[]::new)))
            .option(OptionSpec.value("root", "DIR", "lab root (default $MFSHELL_LAB_ROOT or /var/tmp/mfshell-lab)",
                    Completion.FILE))
            .option(OptionSpec.value("prefix", "A.B.C", "address prefix in 127.0.0.0/8 (default $MFSHELL_LAB_PREFIX or 127.0.1)"))
            .option(OptionSpec.choice("shape", "SHAPE", "how the lab is built: default, or handmade (postmulti, rsyslog;"
                    + " root /var/tmp/mfshell-handmade, prefix 127.0.2 unless given)", "default", "handmade"))
            .example("lab up")
            .example("lab seed")
            .example("lab status")
            .example("lab block msn-a --root /var/tmp/mfshell-lab --prefix 127.0.1")
            .example("lab up --shape handmade")
            .build();

    static final String HANDMADE_ROOT = "/var/tmp/mfshell-handmade";
    static final String HANDMADE_PREFIX = "127.0.2";
    private final Map<String, String> env;

    public LabCommand() {
        this(System.getenv());
    }

    public LabCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    /** Needs root, but a run checks that itself (with Postfix's presence) and says why in its own words. */
    @Override
    public boolean needsRoot(ParsedArgs args) {
        return args == null;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        String action = args.arg(0).orElseThrow();
        LabShape given = args.value("shape").map(LabShape::parse).orElse(null);
        boolean handmadeDefaults = given == LabShape.HANDMADE;
        Path root = Lab.checkRoot(Path.of(args.value("root").orElse(handmadeDefaults ? HANDMADE_ROOT
                : env.getOrDefault("MFSHELL_LAB_ROOT", ctx.labRoot() == null ? "/var/tmp/mfshell-lab" : ctx.labRoot().toString()))));
        String prefix = Lab.checkPrefix(args.value("prefix").orElse(handmadeDefaults ? HANDMADE_PREFIX
                : env.getOrDefault("MFSHELL_LAB_PREFIX", "127.0.1")));
        LabShape recorded = Lab.recordedShape(root).orElse(null);
        if (given != null && recorded != null && given != recorded) {
            throw new UsageException("the lab at " + root + " has the shape " + recorded.id() + ", not " + given.id()
                    + ": use --shape " + recorded.id() + " or another --root");
        }
        LabShape shape = given != null ? given : recorded != null ? recorded : LabShape.DEFAULT;
        boolean needsInstance = action.equals("block") || action.equals("unblock");
        if (needsInstance != args.arg(1).isPresent()) {
            throw new UsageException(needsInstance ? "lab " + action + " needs an instance (one of "
                    + String.join(", ", Lab.INSTANCES) + ")" : "lab " + action + " takes no instance");
        }
        Lab.unavailableReason(shape).ifPresent(why -> {
            throw new MfshellException(why);
        });
        Lab lab = new Lab(ctx.runner(), root, prefix, shape);
        switch (action) {
            case "up" -> {
                long t0 = System.nanoTime();
                LabStatus s = lab.up();
                render(s, lab.mailLog(), io);
                // The hint only when mfshell does not already look at the lab (scripts/lab-shell.sh sets it).
                boolean set = lab.configRoot().toAbsolutePath().normalize().equals(ctx.configRoot().toAbsolutePath().normalize());
                io.out().printf("lab up in %.1f s.%s%n", (System.nanoTime() - t0) / 1e9,
                        set ? "" : " Next step:\n  export MFSHELL_CONFIG_ROOT=" + lab.configRoot()
                                + (shape == LabShape.HANDMADE ? "\n  export MFSHELL_MAIL_LOG=" + lab.mailLog() : ""));
            }
            case "seed" -> {
                SeedReport r = lab.seed();
                Table t = new Table("instance", "messages", "recipients", "sent", "deferred", "bounced", "held")
                        .right(1, 2, 3, 4, 5, 6);
                r.counts().forEach((name, c) -> t.row(name, c.messages(), c.recipients(), c.sent(), c.deferred(),
                        c.bounced(), c.held()));
                t.print(io.out(), io.width());
                io.out().println("seed " + r.token() + ": expected outcomes per recipient; retries every 60-120 s");
            }
            case "status" -> render(lab.status(), lab.mailLog(), io);
            case "down" -> {
                lab.down();
                io.out().println("lab at " + root + " stopped");
            }
            case "block", "unblock" -> {
                String name = args.arg(1).orElseThrow();
                if (action.equals("block")) {
                    lab.block(name);
                } else {
                    lab.unblock(name);
                }
                io.out().println("provider now blocks: "
                        + (lab.blockedInstances().isEmpty() ? "nobody" : String.join(", ", lab.blockedInstances())));
            }
            default -> throw new UsageException("unknown lab action " + Quote.quote(action));
        }
        return ExitCodes.OK;
    }

    private static void render(LabStatus s, Path mailLog, Io io) {
        Table t = new Table("instance", "address", "running", "maildrop", "incoming", "active", "deferred", "hold")
                .right(3, 4, 5, 6, 7);
        for (LabStatus.Node n : s.instances()) {
            row(t, n);
        }
        s.defaultInstance().ifPresent(d -> row(t, d));
        row(t, s.provider());
        t.print(io.out(), io.width());
        io.out().println("provider accepted " + s.acceptedMessages() + " Message-IDs; blocks: "
                + (s.blocked().isEmpty() ? "nobody" : String.join(", ", s.blocked())));
        io.out().println("lab root " + s.root() + " (shape " + s.shape().id() + "), config root " + s.root().resolve("etc"));
        if (s.shape() == LabShape.HANDMADE) {
            io.out().println("syslog: rsyslogd " + (s.syslogPid() != 0 ? "running (pid " + s.syslogPid() + ")" : "not running")
                    + ", mail log " + mailLog);
        }
    }

    private static void row(Table t, LabStatus.Node n) {
        t.row(n.name(), n.address(), !n.configured() ? "absent" : n.running() ? "yes (pid " + n.pid() + ")" : "no",
                n.queue("maildrop"), n.queue("incoming"), n.queue("active"), n.queue("deferred"), n.queue("hold"));
    }
}
