package org.mfshell.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.Postsuper;
import org.mfshell.postfix.MalformedLine;
import org.mfshell.queue.QueueActions;
import org.mfshell.queue.QueueFilter;
import org.mfshell.queue.QueueService;

/**
 * {@code hold}, {@code release}, {@code requeue} and {@code delete}: postsuper -h/-H/-r/-d on
 * messages chosen by queue id and/or mailq's filters. Parses the options, runs
 * {@link QueueActions} (pick, confirm, re-check, postsuper, audit) and renders what it is told:
 * how many messages it will touch with a few examples, the question unless {@code --yes}
 * ({@code --dry-run} only shows), and what postsuper really did. Without ids or a filter it
 * refuses: the whole queue needs {@code --all}.
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
        return QueueActions.verb(a);
    }

    static String pastTense(Postsuper.Action a) {
        return QueueActions.pastTense(a);
    }

    private static String what(Postsuper.Action a) {
        return switch (a) {
            case HOLD -> "put messages on hold (postsuper -h); held mail stays until released and does not expire";
            case RELEASE -> "release messages from hold (postsuper -H); only messages on hold are touched";
            case REQUEUE -> "requeue messages (postsuper -r): they are re-injected, rewritten again and get new queue ids";
            case DELETE -> "delete messages from the queue (postsuper -d); this cannot be undone";
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
    public boolean needsRoot(ParsedArgs args) {
        return true;
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
        MailqCommand.Malformed malformed = new MailqCommand.Malformed(io, d.name());
        boolean yes = args.flag("yes");
        QueueActions.Listener listener = new QueueActions.Listener() {
            @Override
            public void malformed(MalformedLine line) {
                malformed.report(line);
            }

            @Override
            public void scanned(QueueService.ScanResult scan) {
                QueueOptions.reportScan(io, d.name(), scan);
            }

            @Override
            public void skipped(List<String> missing) {
                String why = QueueActions.notEligible(action);
                for (String id : missing) {
                    io.err().println("mfshell: " + v + ": skipping " + id + ": not in the queue of " + d.name()
                            + (why.isEmpty() ? "" : " or " + why));
                }
            }

            @Override
            public void plan(QueueActions.Plan plan) {
                showPlan(io, d.name(), plan.picked());
            }

            @Override
            public boolean confirm(QueueActions.Plan plan) {
                return yes || io.confirm(capitalised(v) + " " + count(plan.picked().size()) + " in " + d.name() + "?");
            }

            @Override
            public void gone(int n) {
                io.err().println("mfshell: " + v + ": " + count(n) + " left the queue or changed since listed; skipped");
            }

            @Override
            public void postsuperWarning(String line) {
                io.err().println("mfshell: postsuper: " + line);
            }

            @Override
            public void auditFailed(String message) {
                io.err().println("mfshell: warning: " + message);
            }
        };
        QueueActions.Outcome o = new QueueActions(ctx.runner(), ctx.auditLog()).run(new QueueActions.Request(action,
                d.configDir(), d.name(), ids, filter, limit, args.flag("dry-run"), auditCommand(args, ids)), listener);
        switch (o.status()) {
            case NOTHING_MATCHED -> io.out().println(v + ": no message in " + d.name() + " matches; nothing to do");
            case DRY_RUN -> io.out().println("dry run: nothing changed");
            case CANCELLED -> {
                io.err().println("cancelled: nothing changed");
                return ExitCodes.FAILURE;
            }
            case NOTHING_LEFT -> io.out().println(v + ": nothing left to do in " + d.name());
            case DONE -> io.out().println(pastTense(action) + " " + count(o.done()) + " in " + d.name() + missed(o));
        }
        return o.complete() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** Why fewer than the messages still there were changed by this run: another run, or gone. */
    private static String missed(QueueActions.Outcome o) {
        if (o.missed() <= 0) {
            return "";
        }
        int raced = o.result().raced().size();
        long gone = o.missed() - raced;
        List<String> parts = new ArrayList<>();
        if (raced > 0) {
            parts.add(raced + (raced == 1 ? " was" : " were") + " moved by another process at the same moment");
        }
        if (gone > 0) {
            parts.add(gone + (gone == 1 ? " was" : " were") + " gone when postsuper ran");
        }
        return " (" + String.join(", ", parts) + ")";
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
