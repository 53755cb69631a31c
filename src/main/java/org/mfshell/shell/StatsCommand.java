package org.mfshell.shell;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.core.ExitCodes;
import org.mfshell.cli.Io;
import org.mfshell.cli.Screen;
import org.mfshell.cli.Text;
import org.mfshell.core.CancelledException;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.instance.InstanceNames;
import org.mfshell.log.LogFollower;
import org.mfshell.log.LogLocator;
import org.mfshell.log.LogSource;
import org.mfshell.log.StatsQuery;
import org.mfshell.log.StatsReport;
import org.mfshell.log.StatsService;
import org.mfshell.log.TimeArg;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.shell.render.Ansi;
import org.mfshell.shell.render.BarChart;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;

/**
 * {@code stats}: delivery counts per instance (or recipient domain, or provider group) from the
 * mail log, as a table with bars for people, {@code --format mf} exactly like
 * mf-mail-stats-print, or JSON. {@code --follow} refreshes every few seconds until {@code q} or
 * Ctrl-C. Lines that look like deliveries but cannot be read are reported on stderr.
 */
public final class StatsCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("stats")
            .summary("delivery statistics per instance from the mail log")
            .help("Counts smtp deliveries (status=sent, deferred, bounced) per syslog name, like mf-mail-stats-print.\n"
                    + "Logs: each instance's maillog_file, else /var/log/mail.log (and its rotations back to --since),\n"
                    + "else the systemd journal; --log FILE (plain or .gz, '-' for stdin) overrides.\n"
                    + "Times: --since/--until take 1h, 24h, 7d, today, 2026-11-29, '2026-11-29 10:00' or RFC 3339.")
            .option(OptionSpec.choice("format", "FORMAT", "output: table (default), mf (mf-mail-stats-print), json",
                    "table", "mf", "json"))
            .option(OptionSpec.flag("json", "same as --format json"))
            .option(OptionSpec.value("instance", "NAME", "only this instance (msn-a or postfix-msn-a)",
                    Completion.INSTANCE).asRepeatable())
            .option(OptionSpec.choice("by", "KEY", "rows per instance (default), recipient domain or provider group",
                    "instance", "domain", "provider"))
            .option(OptionSpec.value("since", "TIME", "only lines at or after TIME (1h, 7d, 2026-11-29 ...)"))
            .option(OptionSpec.value("until", "TIME", "only lines before TIME"))
            .option(OptionSpec.value("log", "FILE", "read this log (plain or .gz; '-' = stdin)", Completion.FILE)
                    .asRepeatable())
            .option(OptionSpec.flag("follow", "refresh every few seconds as the log grows (q or Ctrl-C stops)"))
            .option(OptionSpec.value("interval", "DURATION", "refresh interval for --follow (default 2s)"))
            .example("stats")
            .example("stats --format mf")
            .example("stats --since 24h --by provider")
            .example("stats --instance msn-a --by domain --log /var/log/mail.log.1")
            .example("stats --follow")
            .build();

    private final InputStream stdin;

    public StatsCommand() {
        this(System.in);
    }

    /** {@code stdin} is what {@code --log -} reads. */
    public StatsCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) throws Exception {
        String format = args.flag("json") ? "json" : args.value("format").orElse("table");
        if (args.flag("json") && args.value("format").isPresent() && !args.value("format").get().equals("json")) {
            throw new UsageException("stats: --json and --format " + args.value("format").get() + " contradict");
        }
        // The zone matters only for a time window and --follow's clock; without them UTC stands
        // in, so a plain scan does not load the time-zone database (about 0.1 CPU-s at start-up).
        boolean clock = args.value("since").isPresent() || args.value("until").isPresent() || args.flag("follow");
        ZoneId zone = clock ? ZoneId.systemDefault() : java.time.ZoneOffset.UTC;
        Instant now = Instant.now();
        Long since = args.value("since").map(t -> TimeArg.parse(t, "--since", now, zone)).orElse(null);
        Long until = args.value("until").map(t -> TimeArg.parse(t, "--until", now, zone)).orElse(null);
        if (since != null && until != null && since >= until) {
            throw new UsageException("stats: --since must be before --until");
        }
        Set<String> names = new HashSet<>();
        List<String> known = null;
        for (String n : args.values("instance")) {
            InstanceNames.require(n);
            if (known == null) {
                known = knownInstances(ctx, !args.values("log").isEmpty());
            }
            String bare = n.startsWith("postfix-") ? n.substring("postfix-".length()) : n;
            if (!known.isEmpty() && !known.contains(n) && !known.contains(bare)) {
                throw new UsageException("stats: unknown instance " + Quote.quote(n) + " (known: "
                        + String.join(", ", known) + ")");
            }
            names.add(n);
            names.add(n.startsWith("postfix-") || n.equals("postfix") ? n : "postfix-" + n);
        }
        StatsQuery.By by = switch (args.value("by").orElse("instance")) {
            case "domain" -> StatsQuery.By.DOMAIN;
            case "provider" -> StatsQuery.By.PROVIDER;
            default -> StatsQuery.By.INSTANCE;
        };
        ProviderGroups groups = by == StatsQuery.By.PROVIDER ? ProviderGroups.load() : null;
        StatsQuery q = new StatsQuery(by, names, since, until, zone, groups);
        List<String> logs = args.values("log");
        List<LogSource> sources = logs.isEmpty()
                ? new LogLocator(ctx.configRoot(), ctx.runner(), ctx.mailLog()).defaults(since)
                : LogLocator.explicit(logs);
        if (args.flag("follow")) {
            Duration every = args.durationValue("interval").orElse(Duration.ofSeconds(2));
            if (every.isZero()) {
                throw new UsageException("stats: --interval must be at least 1s");
            }
            return follow(sources, q, format, every, ctx, io);
        }
        StatsService service = new StatsService(ctx.runner(), stdin);
        StatsService.Scan scan = service.prepare(sources, q);
        StatsReport report = Progress.around(io, scan::bytesDone, scan.bytesTotal(), scan::run);
        render(report, format, sources, q, io, null);
        warnSuspects(report, io);
        return ExitCodes.OK;
    }

    /**
     * The instances on this machine, for checking --instance. Reading another machine's log
     * ({@code --log}) on a box without a config root checks nothing (empty list).
     */
    private static List<String> knownInstances(AppContext ctx, boolean explicitLogs) {
        try {
            return ctx.readOnlyInstances().names();
        } catch (UsageException e) {
            if (explicitLogs) {
                return List.of();
            }
            throw e;
        }
    }

    static void warnSuspects(StatsReport r, Io io) {
        if (r.suspectCount() == 0) {
            return;
        }
        List<String> parts = new ArrayList<>();
        r.suspects().forEach((k, v) -> parts.add(k + ": " + v));
        for (String l : Text.wrap("mfshell: warning: " + r.suspectCount() + " line(s) look like deliveries but could not be "
                + "read, not counted (" + String.join(", ", parts) + ")", io.width(), "  ")) {
            io.err().println(l);
        }
        for (String s : r.suspectSamples()) {
            io.err().println(Text.cut("  " + s, io.width()));
        }
    }

    static void render(StatsReport r, String format, List<LogSource> sources, StatsQuery q, Io io, StatsReport before) {
        PrintWriter out = io.out();
        switch (format) {
            case "mf" -> out.print(r.mfText());
            case "json" -> Json.print(out, json(r, sources, q));
            default -> table(r, sources, q, io, before);
        }
        out.flush();
    }

    private static Map<String, Object> json(StatsReport r, List<LogSource> sources, StatsQuery q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("by", r.by().name().toLowerCase(Locale.ROOT));
        m.put("sources", sources.stream().map(LogSource::label).toList());
        m.put("since", q.sinceMs() == null ? null : Instant.ofEpochMilli(q.sinceMs()).toString());
        m.put("until", q.untilMs() == null ? null : Instant.ofEpochMilli(q.untilMs()).toString());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StatsReport.Row row : r.rows()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", row.key());
            if (r.by() == StatsQuery.By.INSTANCE) {
                x.put("instance", shortName(row.key()));
            }
            x.put("sent", row.sent());
            x.put("bounced", row.bounced());
            x.put("deferred", row.deferred());
            x.put("total", row.total());
            x.put("bouncePercent", Math.round(row.bouncePercent() * 100) / 100.0);
            x.put("deferralPercent", Math.round(row.deferralPercent() * 100) / 100.0);
            rows.add(x);
        }
        m.put("rows", rows);
        m.put("unreadableLines", r.suspectCount());
        return m;
    }

    private static final int TABLE_ROWS = 25;
    record Polled(long nanos, StatsReport report) {
    }

    /**
     * What NEW is counted from: the newest poll at least {@code span} old (else the first one);
     * older polls are dropped from {@code window}.
     */
    static StatsReport base(List<Polled> window, long nowNanos, Duration span) {
        while (window.size() > 2 && nowNanos - window.get(1).nanos() >= span.toNanos()) {
            window.remove(0);
        }
        return window.get(0).report();
    }

    /** --follow's NEW column: deliveries over this window. */
    private static final Duration RATE_WINDOW = Duration.ofMinutes(1);
    /** Cells of the longest bar. */
    private static final int BAR = 30;

    private static void table(StatsReport r, List<LogSource> sources, StatsQuery q, Io io, StatsReport before) {
        boolean c = io.color();
        PrintWriter out = io.out();
        String keyName = switch (r.by()) {
            case DOMAIN -> "DOMAIN";
            case PROVIDER -> "PROVIDER";
            default -> "INSTANCE";
        };
        List<StatsReport.Row> rows = new ArrayList<>(r.rows());
        if (r.by() != StatsQuery.By.INSTANCE) {
            rows.sort(Comparator.comparingLong(StatsReport.Row::total).reversed().thenComparing(StatsReport.Row::key));
        }
        if (rows.isEmpty()) {
            out.println("no deliveries found in " + describe(sources, q));
            return;
        }
        Map<String, StatsReport.Row> prev = new LinkedHashMap<>();
        if (before != null) {
            before.rows().forEach(x -> prev.put(x.key(), x));
        }
        long max = rows.stream().mapToLong(StatsReport.Row::total).max().orElse(1);
        Table t = before == null
                ? new Table(keyName, "SENT", "BOUNCED", "DEFERRED", "TOTAL", "BOUNCE%", "DEFER%", "").right(1, 2, 3, 4, 5, 6)
                        .abbreviate(null, null, "BOUNC", "DEFER", null, "B%", "D%")
                : new Table(keyName, "SENT", "BOUNCED", "DEFERRED", "TOTAL", "BOUNCE%", "DEFER%", "NEW/1m", "")
                        .right(1, 2, 3, 4, 5, 6, 7).abbreviate(null, null, "BOUNC", "DEFER", null, "B%", "D%");
        long ts = 0, tb = 0, td = 0;
        int shown = 0;
        for (StatsReport.Row row : rows) {
            ts += row.sent();
            tb += row.bounced();
            td += row.deferred();
            if (shown++ >= TABLE_ROWS) {
                continue;
            }
            String bp = pct(row.bouncePercent());
            String dp = pct(row.deferralPercent());
            bp = row.bouncePercent() >= 10 ? Ansi.red(c, bp) : bp;
            dp = row.deferralPercent() >= 10 ? Ansi.yellow(c, dp) : dp;
            Table.Fit bar = cols -> BarChart.bar(row.sent(), row.deferred(), row.bounced(), max, Math.min(BAR, cols), c);
            String name = r.by() == StatsQuery.By.INSTANCE ? shortName(row.key()) : row.key();
            if (before == null) {
                t.row(name, row.sent(), row.bounced(), row.deferred(), row.total(), bp, dp, bar);
            } else {
                StatsReport.Row p = prev.get(row.key());
                long delta = row.total() - (p == null ? 0 : p.total());
                t.row(name, row.sent(), row.bounced(), row.deferred(), row.total(), bp, dp,
                        delta == 0 ? "" : "+" + delta, bar);
            }
        }
        if (rows.size() > 1) {
            long tt = ts + tb + td;
            String bp = pct(tt == 0 ? 0 : 100.0 * tb / tt);
            String dp = pct(tt == 0 ? 0 : 100.0 * td / tt);
            if (before == null) {
                t.row(Ansi.bold(c, "all"), ts, tb, td, tt, bp, dp, "");
            } else {
                t.row(Ansi.bold(c, "all"), ts, tb, td, tt, bp, dp, "", "");
            }
        }
        t.print(out, io.width());
        if (rows.size() > TABLE_ROWS) {
            out.println("(" + (rows.size() - TABLE_ROWS) + " more rows; use --json for all)");
        }
        out.println(BarChart.legend(c) + "   " + describe(sources, q));
        for (String l : Text.wrap("(counts are deliveries: a recipient deferred 3 times counts 3)", io.width(), " ")) {
            out.println(l);
        }
    }

    /**
     * An instance as named everywhere else (msn-a for syslog name postfix-msn-a); the syslog name
     * stays in --format mf and JSON's "name", where it is asked for.
     */
    static String shortName(String syslogName) {
        return syslogName.startsWith("postfix-") && syslogName.length() > "postfix-".length()
                ? syslogName.substring("postfix-".length()) : syslogName;
    }

    private static String pct(double p) {
        return String.format(Locale.ROOT, "%.1f", p);
    }

    private static String describe(List<LogSource> sources, StatsQuery q) {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(q.zone());
        String src = sources.size() == 1 ? sources.get(0).label() : sources.size() + " logs";
        String window = "";
        if (q.sinceMs() != null) {
            window += " since " + f.format(Instant.ofEpochMilli(q.sinceMs()));
        }
        if (q.untilMs() != null) {
            window += " until " + f.format(Instant.ofEpochMilli(q.untilMs()));
        }
        return src + window;
    }

    private int follow(List<LogSource> sources, StatsQuery q, String format, Duration every, AppContext ctx, Io io)
            throws IOException, InterruptedException {
        List<LogSource> growing = new ArrayList<>();
        for (LogSource s : sources) {
            if (s.kind() == LogSource.Kind.FILE || s.kind() == LogSource.Kind.JOURNAL) {
                growing.add(s);
            }
        }
        if (growing.isEmpty()) {
            throw new UsageException("stats --follow needs a plain log file or the journal "
                    + "(gzip files and stdin cannot grow)");
        }
        Screen.Keys keys = io.terminal() ? io.screen().keys() : Screen.Keys.NONE;
        try (keys; LogFollower follower = new LogFollower(growing, q, ctx.runner())) {
            // NEW is what came in over the last minute (since the start while it is younger), not one refresh.
            List<Polled> window = new ArrayList<>();
            while (true) {
                StatsReport now = follower.poll();
                long t = System.nanoTime();
                window.add(new Polled(t, now));
                StatsReport before = base(window, t, RATE_WINDOW);
                if (io.terminal()) {
                    io.out().print("\u001B[H\u001B[2J");
                }
                io.out().println("mfshell stats --follow   " + DateTimeFormatter.ofPattern("HH:mm:ss")
                        .withZone(q.zone()).format(Instant.now()) + "   (q to quit)");
                render(now, format, sources, q, io, before);
                if (!io.terminal()) {
                    io.out().println();
                }
                io.out().flush();
                if (LiveView.waitForQuit(io, keys, every)) {
                    break;
                }
            }
        } catch (CancelledException | InterruptedException | InterruptedIOException e) {
            // Ctrl-C ends a live view as q does.
            Thread.interrupted();
            io.out().println();
        }
        return ExitCodes.OK;
    }
}
