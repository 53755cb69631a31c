package org.mfshell.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgSpec;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import java.time.Duration;
import org.mfshell.cli.Io;
import org.mfshell.cli.Text;
import org.mfshell.cli.MfCommand;
import org.mfshell.core.MfshellException;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.InstanceState;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.MalformedLine;
import org.mfshell.queue.QueueFilter;
import org.mfshell.postfix.QueueMessage;
import org.mfshell.queue.QueueService;
import org.mfshell.queue.QueueSummary;
import org.mfshell.queue.ReasonNormalizer;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.PostqueueLayout;
import org.mfshell.shell.render.Table;

/**
 * {@code mailq}: every instance's queue at a glance; {@code mailq NAME}: one instance's queue in
 * postqueue -p's layout (read from postqueue -j, streaming), with filters, {@code --json} (JSON
 * Lines with postqueue's field names plus "instance") and {@code --summary} (qshape-like domains
 * by age, and the top deferral reasons grouped by cause).
 *
 * <p>Size: just over 400 lines: four renderings (overview, postqueue -p layout, JSON Lines,
 * summary) of one read; the reading and filtering are queue/'s.
 */
public final class MailqCommand implements MfCommand {
    private static final int TOP_REASONS = 10;
    private static final int EXAMPLE_WIDTH = 160;

    private static final CommandSpec SPEC = QueueOptions.addFilters(CommandSpec.builder("mailq")
            .summary("show the queues of all instances, or one instance's queue")
            .help("Without NAME: one row per instance with its messages per queue, the age of the oldest deferred "
                    + "message and the recipient domain with most deferred mail. With NAME: that instance's queue in "
                    + "the layout of postqueue -p (* active, ! on hold), read from postqueue -j. Filters combine. "
                    + "--summary shows recipients per domain by age in minutes (qshape's columns: T total, then "
                    + "younger than 5, 10, ... 1280 minutes, and 1280+) and the most common deferral reasons, "
                    + "grouped whatever host, IP or queue id they name. A stopped instance is still listed "
                    + "(postqueue reads the queue directly) with a note on stderr; an instance that was never "
                    + "started has an empty queue (state 'never started'); one whose configuration postconf "
                    + "cannot read is shown as 'error: ...' with one line on stderr, and the others still come.")
            .argument(ArgSpec.optional("NAME", "instance name", Completion.INSTANCE)))
            .option(OptionSpec.flag("summary", "queue shape by domain and age, and the top deferral reasons"))
            .option(OptionSpec.flag("follow", "a live view refreshed in place: every instance's queues, or NAME's "
                    + "summary (q or Ctrl-C stops)"))
            .option(OptionSpec.value("interval", "DURATION", "refresh interval for --follow (default 2s)"))
            .option(OptionSpec.flag("json", "JSON Lines: one object per message (postqueue's fields plus "
                    + "\"instance\"), per instance without NAME, or one summary object"))
            .example("mailq")
            .example("mailq msn-a")
            .example("mailq msn-a --queue deferred --domain hotmail.com --older-than 2h")
            .example("mailq msn-a --reason 'rate limited' --limit 20")
            .example("mailq msn-a --summary")
            .example("mailq --follow")
            .example("mailq msn-a --json | jq -r 'select(.queue_name==\"hold\") | .queue_id'")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public boolean needsRoot(ParsedArgs args) {
        return true;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) throws Exception {
        // Validate every value before anything runs.
        QueueFilter filter = QueueOptions.filter(args, List.of());
        long limit = QueueOptions.limit(args);
        QueueService.Reader reader = QueueService.readerFromEnv(System.getenv(QueueService.READER_ENV));
        if (args.flag("follow")) {
            if (args.flag("json")) {
                throw new UsageException("mailq: --follow is for people; --json is for scripts (not both)");
            }
            Duration every = LiveView.interval(args.durationValue("interval"), "mailq");
            if (args.arg(0).isEmpty()) {
                if (QueueOptions.anyFilter(args) || args.flag("summary") || args.value("limit").isPresent()) {
                    throw new UsageException("mailq: filters, --limit and --summary need an instance name "
                            + "(e.g. mailq msn-a --follow --queue deferred)");
                }
                return LiveView.run(io, "mfshell mailq --follow", every, into -> overview(ctx, into, false));
            }
            InstanceRegistry.InstanceDir d = ctx.readOnlyInstances().find(args.arg(0).get());
            QueueService service = new QueueService(ctx.runner(), reader);
            return LiveView.run(io, "mfshell mailq " + d.name() + " --follow", every,
                    into -> summary(ctx, d, service, filter, limit, into, false));
        }
        if (args.value("interval").isPresent()) {
            throw new UsageException("mailq: --interval goes with --follow");
        }
        if (args.arg(0).isEmpty()) {
            if (QueueOptions.anyFilter(args) || args.flag("summary") || args.value("limit").isPresent()) {
                throw new UsageException("mailq: filters, --limit and --summary need an instance name "
                        + "(e.g. mailq msn-a --queue deferred)");
            }
            return overview(ctx, io, args.flag("json"));
        }
        InstanceRegistry.InstanceDir d = ctx.readOnlyInstances().find(args.arg(0).get());
        QueueService service = new QueueService(ctx.runner(), reader);
        if (args.flag("summary")) {
            return summary(ctx, d, service, filter, limit, io, args.flag("json"));
        }
        Malformed malformed = new Malformed(io, d.name());
        QueueService.ScanResult r;
        if (args.flag("json")) {
            PrintWriter out = io.out();
            // The line of a message read from the queue files is written on the reading threads.
            r = scanOrNeverStarted(ctx, d, () -> service.scan(d.configDir(), filter, limit, QueueMessage::raw,
                    new QueueService.Sink() {
                @Override
                public boolean message(QueueMessage m) {
                    writeJsonLine(out, d.name(), m);
                    return true;
                }

                @Override
                public void malformed(MalformedLine line) {
                    malformed.report(line);
                }
            }), io);
        } else {
            PostqueueLayout layout = new PostqueueLayout(io.out(), longIds(ctx, d), ZoneId.systemDefault(), io.width());
            r = scanOrNeverStarted(ctx, d, () -> service.scan(d.configDir(), filter, limit, new QueueService.Sink() {
                @Override
                public boolean message(QueueMessage m) {
                    layout.message(m);
                    return true;
                }

                @Override
                public void malformed(MalformedLine line) {
                    malformed.report(line);
                }
            }), io);
            layout.finish();
            if (r.limitReached()) {
                io.err().println("mfshell: note: stopped after --limit " + limit + " messages");
            }
        }
        QueueOptions.reportScan(io, d.name(), r);
        return r.malformedCount() > 0 ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /**
     * One message as a JSON line: "instance" first, then every field postqueue printed, unknown ones
     * included. The line postqueue printed is passed on as it is (already checked to be one JSON
     * object) with "instance" put in front, which costs no re-serialisation.
     */
    static void writeJsonLine(PrintWriter out, String instance, QueueMessage m) {
        String raw = m.raw();
        // The common case, postqueue's own layout "{"queue_name": ...}": written in pieces, not copied into one line.
        if (raw != null && raw.length() > 2 && raw.charAt(0) == '{' && raw.charAt(1) == '"' && raw.charAt(raw.length() - 1) == '}'
                && !m.has("instance")) {
            out.write("{\"instance\":\"");
            out.write(instance);
            out.write("\", ");
            out.write(raw, 1, raw.length() - 1);
            out.println();
            return;
        }
        out.println(jsonLine(instance, m));
    }

    static String jsonLine(String instance, QueueMessage m) {
        // Instance names are letters, digits, '.', '_' and '-' (InstanceNames): nothing to escape.
        String instancePrefix = "{\"instance\":\"" + instance + "\"";
        String raw = m.raw();
        if (raw != null && !m.has("instance")) {
            String t = raw.strip();
            String rest = t.substring(1).stripLeading();
            return rest.startsWith("}") ? instancePrefix + "}" : instancePrefix + ", " + rest;
        }
        com.fasterxml.jackson.databind.node.ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("instance", instance);
        m.json().properties().forEach(e -> {
            if (!e.getKey().equals("instance")) {
                o.set(e.getKey(), e.getValue());
            }
        });
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (IOException e) {
            throw new MfshellException("writing JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a queue scan; when postqueue fails because the instance was never started (its queue
     * has no subdirectories, so showq cannot read it), the queue is empty and that is normal: a
     * note on stderr and an empty result. Any other failure is passed on.
     */
    private static QueueService.ScanResult scanOrNeverStarted(AppContext ctx, InstanceRegistry.InstanceDir d,
                                                              java.util.function.Supplier<QueueService.ScanResult> scan,
                                                              Io io) {
        try {
            return scan.get();
        } catch (MfshellException e) {
            if (!neverStarted(ctx, d)) {
                throw e;
            }
            io.err().println("mfshell: note: instance " + d.name() + " was never started: its queue is empty");
            return new QueueService.ScanResult(0, false, 0, List.of(), false, "");
        }
    }

    /** Whether postqueue failed on {@code d} because it was never started (asked only after a failure). */
    private static boolean neverStarted(AppContext ctx, InstanceRegistry.InstanceDir d) {
        try {
            return ctx.readOnlyInstances().describe(d).state() == InstanceState.NEVER_STARTED;
        } catch (MfshellException e) {
            return false;
        }
    }

    /** The -p layout follows the instance's enable_long_queue_ids, as postqueue's does. */
    private static boolean longIds(AppContext ctx, InstanceRegistry.InstanceDir d) {
        try {
            return "yes".equals(new Postconf(ctx.runner()).values(d.configDir(), List.of("enable_long_queue_ids"))
                    .get("enable_long_queue_ids"));
        } catch (MfshellException e) {
            return true;
        }
    }

    private int summary(AppContext ctx, InstanceRegistry.InstanceDir d, QueueService service, QueueFilter filter,
                        long limit, Io io, boolean json) {
        Malformed malformed = new Malformed(io, d.name());
        QueueService.Summary result;
        try {
            result = service.summary(d.configDir(), filter, limit, new ReasonNormalizer(), malformed::report);
        } catch (MfshellException e) {
            if (!neverStarted(ctx, d)) {
                throw e;
            }
            io.err().println("mfshell: note: instance " + d.name() + " was never started: its queue is empty");
            result = new QueueService.Summary(new QueueSummary(new ReasonNormalizer(), Instant.now().getEpochSecond()),
                    new QueueService.ScanResult(0, false, 0, List.of(), false, ""));
        }
        QueueSummary s = result.shape();
        if (json) {
            Json.printLine(io.out(), summaryJson(d.name(), s));
        } else {
            renderSummary(io, d.name(), s);
        }
        QueueOptions.reportScan(io, d.name(), result.scan());
        return result.scan().malformedCount() > 0 ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    private static void renderSummary(Io io, String name, QueueSummary s) {
        PrintWriter out = io.out();
        List<String> perQueue = new ArrayList<>();
        s.queues().forEach((q, n) -> perQueue.add(q + " " + n));
        wrapped(out, Ansi.bold(io.color(), name) + ": " + s.messages() + " messages, " + s.recipients() + " recipients, "
                + s.bytes() / 1024 + " Kbytes (" + String.join(", ", perQueue) + ")", io.width());
        out.println();
        List<String> headers = new ArrayList<>(List.of("DOMAIN", "T"));
        headers.addAll(QueueSummary.LABELS);
        Table t = new Table(headers.toArray(new String[0]));
        int[] right = new int[headers.size() - 1];
        for (int i = 0; i < right.length; i++) {
            right[i] = i + 1;
        }
        t.right(right);
        for (QueueSummary.DomainRow row : prepend(s.totalRow(), s.domains())) {
            List<Object> cells = new ArrayList<>();
            cells.add(row.domain());
            cells.add(row.total());
            for (long c : row.buckets()) {
                cells.add(c);
            }
            t.row(cells.toArray());
        }
        t.print(out, io.width());
        List<QueueSummary.ReasonGroup> reasons = s.topReasons(TOP_REASONS);
        out.println();
        if (reasons.isEmpty()) {
            out.println("No deferral reasons.");
            return;
        }
        out.println("Top deferral reasons (" + s.distinctReasons() + " distinct):");
        for (QueueSummary.ReasonGroup g : reasons) {
            int w = io.width();
            wrapped(out, String.format("%8d  %s", g.count(), Ansi.yellow(io.color(), g.reason())), w);
            wrapped(out, "          domains: " + String.join(", ", g.domains()), w);
            out.println(Text.cut("          e.g. " + clip(g.example()), w));
        }
    }

    private static void wrapped(PrintWriter out, String line, int width) {
        for (String l : Text.wrap(line, width, "            ")) {
            out.println(l);
        }
    }

    private static List<QueueSummary.DomainRow> prepend(QueueSummary.DomainRow first, List<QueueSummary.DomainRow> rest) {
        List<QueueSummary.DomainRow> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }

    private static String clip(String s) {
        return s.length() <= EXAMPLE_WIDTH ? s : s.substring(0, EXAMPLE_WIDTH - 3) + "...";
    }

    static Map<String, Object> summaryJson(String name, QueueSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", name);
        m.put("messages", s.messages());
        m.put("recipients", s.recipients());
        m.put("bytes", s.bytes());
        m.put("queues", s.queues());
        m.put("age_columns_minutes", QueueSummary.LABELS);
        List<Map<String, Object>> domains = new ArrayList<>();
        for (QueueSummary.DomainRow row : prepend(s.totalRow(), s.domains())) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("domain", row.domain());
            d.put("total", row.total());
            d.put("by_age", row.buckets());
            domains.add(d);
        }
        m.put("domains", domains);
        List<Map<String, Object>> reasons = new ArrayList<>();
        for (QueueSummary.ReasonGroup g : s.topReasons(TOP_REASONS)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("reason", g.reason());
            r.put("count", g.count());
            r.put("domains", g.domains());
            r.put("example", g.example());
            reasons.add(r);
        }
        m.put("reasons", reasons);
        return m;
    }

    private int overview(AppContext ctx, Io io, boolean json) throws Exception {
        List<InstanceRegistry.InstanceDir> dirs = ctx.readOnlyInstances().scan().dirs();
        if (dirs.isEmpty()) {
            throw new UsageException("no Postfix instance under " + ctx.configRoot());
        }
        QueueService service = new QueueService(ctx.runner());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, dirs.size()));
        List<Future<QueueService.Overview>> futures = new ArrayList<>();
        try {
            for (InstanceRegistry.InstanceDir d : dirs) {
                futures.add(pool.submit(() -> service.overview(d.configDir())));
            }
            long now = Instant.now().getEpochSecond();
            boolean c = io.color();
            Table t = new Table("NAME", "STATE", "MAILDROP", "INCOMING", "ACTIVE", "DEFERRED", "HOLD", "TOTAL",
                    "OLDEST DEFERRED", "TOP DEFERRED DOMAIN").right(2, 3, 4, 5, 6, 7, 8)
                    .abbreviate(null, null, "DROP", "INC", "ACT", "DEFER", null, "ALL", "OLDEST", "TOP DOMAIN");
            int failures = 0;
            for (int i = 0; i < dirs.size(); i++) {
                String name = dirs.get(i).name();
                QueueService.Overview o;
                String state;
                try {
                    o = futures.get(i).get();
                    state = o.stopped() ? "stopped" : "running";
                } catch (java.util.concurrent.ExecutionException e) {
                    // A never-started instance (no queue subdirectories) and one whose config postconf
                    // cannot read are states of that instance, shown on its row; anything else is a failure.
                    PostfixInstance pi = describeQuietly(ctx, dirs.get(i));
                    if (pi != null && pi.state() == InstanceState.NEVER_STARTED) {
                        o = EMPTY_OVERVIEW;
                        state = pi.state().label();
                    } else if (pi != null && pi.state() == InstanceState.ERROR) {
                        io.err().println("mfshell: " + name + ": " + pi.error());
                        if (json) {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("instance", name);
                            m.put("running", false);
                            m.put("state", pi.state().label());
                            m.put("error", pi.error());
                            Json.printLine(io.out(), m);
                        } else {
                            t.row(name, Ansi.red(c, pi.stateText()), "-", "-", "-", "-", "-", "-", "-", "-");
                        }
                        continue;
                    } else {
                        failures++;
                        io.err().println("mfshell: " + name + ": " + e.getCause().getMessage());
                        continue;
                    }
                }
                if (o.malformed() > 0) {
                    failures++;
                    io.err().println("mfshell: warning: " + name + ": " + o.malformed()
                            + " malformed lines in postqueue output (see mailq " + name + ")");
                }
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("instance", name);
                    m.put("running", state.equals("running"));
                    m.put("state", state);
                    m.put("queues", o.queues());
                    m.put("total", o.total());
                    m.put("oldest_deferred_arrival_time", o.oldestDeferredArrival());
                    m.put("oldest_deferred_age_seconds",
                            o.oldestDeferredArrival() == null ? null : Math.max(0, now - o.oldestDeferredArrival()));
                    m.put("top_deferred_domain", o.topDeferredDomain());
                    m.put("top_deferred_domain_recipients", o.topDeferredDomain() == null ? 0 : o.topDeferredDomainRecipients());
                    Json.printLine(io.out(), m);
                    continue;
                }
                long deferred = o.queues().get("deferred");
                t.row(name, state.equals("running") ? Ansi.green(c, state) : state.equals("stopped") ? Ansi.red(c, state) : state,
                        o.queues().get("maildrop"), o.queues().get("incoming"), o.queues().get("active"),
                        deferred > 0 ? Ansi.yellow(c, Long.toString(deferred)) : "0", o.queues().get("hold"), o.total(),
                        o.oldestDeferredArrival() == null ? "-" : QueueOptions.age(now - o.oldestDeferredArrival()),
                        o.topDeferredDomain() == null ? "-"
                                : o.topDeferredDomain() + " (" + o.topDeferredDomainRecipients() + ")");
            }
            if (!json) {
                t.print(io.out(), io.width());
            }
            return failures > 0 ? ExitCodes.FAILURE : ExitCodes.OK;
        } finally {
            pool.shutdownNow();
        }
    }

    private static final QueueService.Overview EMPTY_OVERVIEW = emptyOverview();

    private static QueueService.Overview emptyOverview() {
        Map<String, Long> q = new LinkedHashMap<>();
        for (String name : InstanceRegistry.QUEUES) {
            q.put(name, 0L);
        }
        return new QueueService.Overview(q, 0, null, null, 0, 0, true);
    }

    private static PostfixInstance describeQuietly(AppContext ctx, InstanceRegistry.InstanceDir d) {
        try {
            return ctx.readOnlyInstances().describe(d);
        } catch (MfshellException e) {
            return null;
        }
    }

    /** Prints the first malformed lines as they come; the rest are only counted (see QueueOptions.reportScan). */
    static final class Malformed {
        private final Io io;
        private final String instance;
        private int shown;

        Malformed(Io io, String instance) {
            this.io = io;
            this.instance = instance;
        }

        void report(MalformedLine line) {
            if (shown++ < QueueService.MALFORMED_KEPT) {
                QueueOptions.reportMalformed(io, instance, line);
            }
        }
    }
}
