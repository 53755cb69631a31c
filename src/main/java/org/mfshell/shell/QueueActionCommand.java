package org.mfshell.shell;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
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
import org.mfshell.fs.AuditLog;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.Postsuper;
import org.mfshell.queue.QueueFilter;
import org.mfshell.queue.QueueMessage;
import org.mfshell.queue.QueueService;

/**
 * {@code hold}, {@code release}, {@code requeue} and {@code delete}: postsuper -h/-H/-r/-d on
 * messages chosen by queue id and/or mailq's filters. Shows how many messages it will touch with a
 * few examples, asks unless {@code --yes} ({@code --dry-run} only shows), re-reads the queue just
 * before acting and keeps only messages that are still the same (id, arrival time, sender), feeds
 * the ids to postsuper's stdin, reports what postsuper did and writes one audit line.
 * Without ids or a filter it refuses: the whole queue needs {@code --all}.
 */
public final class QueueActionCommand implements MfCommand {
    private static final int EXAMPLES = 5;
    private static final int AUDIT_IDS = 10;

    private final Postsuper.Action action;
    private final CommandSpec spec;

    public QueueActionCommand(Postsuper.Action action) {
        this.action = action;
        this.spec = buildSpec(action);
    }

    public static List<QueueActionCommand> all() {
        List<QueueActionCommand> l = new ArrayList<>();
        for (Postsuper.Action a : Postsuper.Action.values()) {
            l.add(new QueueActionCommand(a));
        }
        return l;
    }

    static String verb(Postsuper.Action a) {
        return a.name().toLowerCase();
    }

    static String pastTense(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> "held";
            case RELEASE -> "released";
            case REQUEUE -> "requeued";
            case DELETE -> "deleted";
        };
    }

    private static String what(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> "put messages on hold (postsuper -h); held mail stays until released and does not expire";
            case RELEASE -> "release messages from hold (postsuper -H); only messages on hold are touched";
            case REQUEUE -> "requeue messages (postsuper -r): they are re-injected, rewritten again and get new queue ids";
            case DELETE -> "delete messages from the queue (postsuper -d); this cannot be undone";
        };
    }

    /** Which selected messages the action applies to. */
    static Predicate<QueueMessage> eligible(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> m -> !m.queueName().equals("hold");
            case RELEASE -> m -> m.queueName().equals("hold");
            case REQUEUE -> m -> !m.queueName().equals("maildrop");
            case DELETE -> m -> true;
        };
    }

    private static String notEligible(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> "already on hold";
            case RELEASE -> "not on hold";
            case REQUEUE -> "still in maildrop";
            case DELETE -> "";
        };
    }

    private static CommandSpec buildSpec(Postsuper.Action a) {
        String v = verb(a);
        CommandSpec.Builder b = CommandSpec.builder(v)
                .summary(v + " queued messages of one instance, by queue id or filter")
                .help("Used to " + what(a) + ". Choose messages by queue id, by mailq's filters, or both (they "
                        + "combine); the whole queue needs --all. Shows how many messages it will touch with examples "
                        + "and asks first; --yes skips the question, --dry-run only shows. Each message is checked "
                        + "again just before acting (queue ids are reused), and the action is recorded in the audit log.")
                .argument(ArgSpec.required("NAME", "instance name", Completion.INSTANCE))
                .argument(ArgSpec.optional("ID", "queue ids", Completion.QUEUE_ID).asVariadic());
        QueueOptions.addFilters(b)
                .option(OptionSpec.flag("all", "every message of the instance (the filters above narrow it)"))
                .option(OptionSpec.flag("yes", "do not ask").withShortName('y'))
                .option(OptionSpec.flag("dry-run", "only show what would be done").withShortName('n'));
        switch (a) {
            case HOLD -> b.example("hold msn-a --queue deferred --domain hotmail.com").example("hold msn-a 9DD2720C5DF --yes");
            case RELEASE -> b.example("release msn-a --domain hotmail.com").example("release msn-a --all --dry-run");
            case REQUEUE -> b.example("requeue msn-a --reason '4.7.651' --yes");
            case DELETE -> b.example("delete msn-a 9DD2720C5DF").example("delete msn-a --queue deferred --sender <> --older-than 5d");
        }
        return b.build();
    }

    @Override
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        String v = verb(action);
        List<String> ids = args.positionals().subList(1, args.positionals().size());
        QueueFilter filter = QueueOptions.filter(args, ids);
        long limit = QueueOptions.limit(args);
        if (ids.isEmpty() && !QueueOptions.anyFilter(args) && !args.flag("all")) {
            throw new UsageException(v + ": name queue ids, a filter (--queue, --domain, --sender, --reason, "
                    + "--older-than) or --all; refusing to " + v + " the whole queue by default");
        }
        InstanceRegistry.InstanceDir d = ctx.instances().find(args.arg(0).orElseThrow());
        QueueService service = new QueueService(ctx.runner());
        Predicate<QueueMessage> eligible = eligible(action);
        MailqCommand.Malformed malformed = new MailqCommand.Malformed(io, d.name());
        QueueService.Pick pick = service.pick(d.configDir(), filter, eligible, malformed::report);
        List<QueueService.Picked> picked = pick.picked();
        if (limit > 0 && picked.size() > limit) {
            picked = new ArrayList<>(picked.subList(0, (int) limit));
        }
        QueueOptions.reportScan(io, d.name(), pick.scan());
        if (!ids.isEmpty()) {
            Set<String> found = new HashSet<>();
            picked.forEach(p -> found.add(p.queueId()));
            List<String> missing = ids.stream().filter(id -> !found.contains(id)).distinct().toList();
            if (missing.size() == ids.stream().distinct().count()) {
                throw new UsageException(v + ": no message " + String.join(", ", missing) + " in the queue of "
                        + d.name() + (notEligible(action).isEmpty() ? "" : " (or " + notEligible(action) + ")"));
            }
            for (String id : missing) {
                io.err().println("mfshell: " + v + ": skipping " + id + ": not in the queue of " + d.name()
                        + (notEligible(action).isEmpty() ? "" : " or " + notEligible(action)));
            }
        }
        if (picked.isEmpty()) {
            io.out().println(v + ": no message in " + d.name() + " matches; nothing to do");
            return ExitCodes.OK;
        }
        showPlan(io, d.name(), picked);
        if (args.flag("dry-run")) {
            io.out().println("dry run: nothing changed");
            return ExitCodes.OK;
        }
        if (!args.flag("yes") && !io.confirm(capitalised(v) + " " + count(picked.size()) + " in " + d.name() + "?")) {
            io.err().println("cancelled: nothing changed");
            return ExitCodes.FAILURE;
        }
        List<QueueService.Picked> still = service.recheck(d.configDir(), picked, eligible);
        int gone = picked.size() - still.size();
        if (gone > 0) {
            io.err().println("mfshell: " + v + ": " + count(gone) + " left the queue or changed since listed; skipped");
        }
        String command = auditCommand(args, ids);
        if (still.isEmpty()) {
            io.out().println(v + ": nothing left to do in " + d.name());
            audit(ctx, io, command, "nothing done: all " + picked.size() + " selected messages gone before acting");
            return ExitCodes.OK;
        }
        Postsuper.Result r = new Postsuper(ctx.runner()).apply(d.configDir(), action,
                still.stream().map(QueueService.Picked::queueId).toList());
        for (String w : r.warnings()) {
            io.err().println("mfshell: postsuper: " + w);
        }
        io.out().println(pastTense(action) + " " + count(r.count()) + " in " + d.name()
                + (r.count() < still.size() ? " (" + (still.size() - r.count()) + " were gone when postsuper ran)" : ""));
        boolean ok = audit(ctx, io, command, pastTense(action) + " " + r.count() + " of " + picked.size()
                + " selected" + (gone > 0 ? ", " + gone + " gone before acting" : "")
                + (r.exitCode() != 0 ? ", postsuper exit " + r.exitCode() : ""));
        return ok && r.count() == still.size() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private void showPlan(Io io, String instance, List<QueueService.Picked> picked) {
        Map<String, Integer> perQueue = new LinkedHashMap<>();
        for (String q : InstanceRegistry.QUEUES) {
            perQueue.put(q, 0);
        }
        picked.forEach(p -> perQueue.merge(p.queueName(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        perQueue.forEach((q, n) -> {
            if (n > 0) {
                parts.add(q + " " + n);
            }
        });
        io.out().println(verb(action) + ": " + count(picked.size()) + " in " + instance + " (" + String.join(", ", parts)
                + ")" + (picked.size() > EXAMPLES ? ", e.g.:" : ":"));
        for (int i = 0; i < Math.min(EXAMPLES, picked.size()); i++) {
            QueueService.Picked p = picked.get(i);
            io.out().printf("  %-17s %-8s %s -> %s%s%n", p.queueId(), p.queueName(), p.sender(), p.firstRecipient(),
                    p.recipients() > 1 ? " (+" + (p.recipients() - 1) + ")" : "");
        }
    }

    private boolean audit(AppContext ctx, Io io, String command, String result) {
        try {
            new AuditLog(ctx.auditLog()).record(command, result);
            return true;
        } catch (MfshellException e) {
            io.err().println("mfshell: warning: " + e.getMessage());
            return false;
        }
    }

    /** The command as typed, with long id lists shortened. */
    private String auditCommand(ParsedArgs args, List<String> ids) {
        List<String> words = new ArrayList<>();
        words.add(verb(action));
        words.add(args.arg(0).orElse(""));
        for (int i = 0; i < Math.min(AUDIT_IDS, ids.size()); i++) {
            words.add(ids.get(i));
        }
        if (ids.size() > AUDIT_IDS) {
            words.add("(+" + (ids.size() - AUDIT_IDS) + " more ids)");
        }
        args.options().forEach((name, values) -> {
            for (String val : values) {
                words.add("--" + name);
                if (args.spec().option(name).map(o -> !o.isFlag()).orElse(false)) {
                    words.add(val);
                }
            }
        });
        return String.join(" ", words);
    }

    private static String count(long n) {
        return n + (n == 1 ? " message" : " messages");
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
