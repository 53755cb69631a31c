package org.mfshell.shell;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.CancelledException;
import org.mfshell.core.Durations;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.Logger;
import org.mfshell.postfix.Sendmail;
import org.mfshell.shell.render.Json;
import org.mfshell.shell.render.Table;
import org.mfshell.watch.Channel;
import org.mfshell.watch.MailChannel;
import org.mfshell.watch.Notice;
import org.mfshell.watch.Observation;
import org.mfshell.watch.SyslogChannel;
import org.mfshell.watch.WatchConfig;
import org.mfshell.watch.WatchConfig.ConfigException;
import org.mfshell.watch.WatchService;
import org.mfshell.watch.WatchState;
import org.mfshell.watch.WebhookChannel;

/**
 * {@code watch}: notices when a verdict (per instance and provider group, as check judges it)
 * changes, by mail, syslog and webhook, configured in watch.conf. {@code --once} is one run (timer,
 * cron); without it the runs repeat every {@code --interval} until SIGTERM (the run under way is
 * finished first) or Ctrl-C; {@code --status} shows the verdicts last seen and the notices not yet
 * sent everywhere. Errors: a bad config is "FILE:LINE: what" (exit 2); a run that fails (a failing
 * postqueue, the lock held) exits 1 in --once and is reported and retried in the loop; a channel
 * that fails makes --once exit 1 (it is retried on the next run).
 */
public final class WatchCommand implements MfCommand {
    public static final String CONF_ENV = "MFSHELL_WATCH_CONF";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private static final CommandSpec SPEC = CommandSpec.builder("watch")
            .summary("notices by mail, syslog or webhook when an instance's verdict for a provider changes")
            .help("Judges every instance and provider group as check does (health verdicts over the window, "
                    + "default 30m; a BLOCKED group whose blocked mail a reroute has drained counts as OK) and "
                    + "compares with the verdicts of the last run. A change (OK to BLOCKED, BLOCKED to OK, to or "
                    + "from DEGRADED) that lasts hold_down (default 5m; a change back within it sends nothing) "
                    + "is notified once on each channel of /etc/mfshell/watch.conf (MFSHELL_WATCH_CONF or --config "
                    + "overrides; example in /usr/share/doc/mfshell/examples/watch.conf): mail through an "
                    + "instance's sendmail, a syslog/journald line through logger, a JSON POST to a webhook. The "
                    + "notice says what happened, the evidence (signatures, counts, oldest deferred) and the "
                    + "suggested command. State: MFSHELL_STATE_DIR/watch/state.json (0600), under a lock so two "
                    + "runs never both send. Each change is recorded as pending before it is sent and marked sent "
                    + "per channel after; a channel that fails is retried on every run for retry_for (default 1d). "
                    + "Nothing is sent twice, except when the process dies between a channel accepting a notice "
                    + "and the record of it: then it is sent again with the same id (Message-ID "
                    + "<mfshell-watch.ID@HOST>, Idempotency-Key header and JSON id, id= in the syslog line). "
                    + "--once for a timer or cron (exit 1 when a channel failed); without it, runs every "
                    + "--interval (default: the config's interval, 1m) until SIGTERM (the package's "
                    + "mfshell-watch.service, off until enabled). Config errors: FILE:LINE: message, exit 2.")
            .option(OptionSpec.flag("once", "one run, then exit (for a timer or cron)"))
            .option(OptionSpec.value("interval", "DURATION", "time between runs when looping (default: config interval, 1m)"))
            .option(OptionSpec.flag("status", "show the verdicts last seen, changes waiting out the hold-down, and unsent notices"))
            .option(OptionSpec.flag("json", "with --status: print the state as JSON"))
            .option(OptionSpec.value("config", "FILE", "config file instead of /etc/mfshell/watch.conf", Completion.FILE))
            .option(OptionSpec.value("since", "TIME", "window of the mail log to judge (default: config window, 30m)"))
            .option(OptionSpec.value("rules", "FILE", "verdict rules file instead of /etc/mfshell/health-rules",
                    Completion.FILE))
            .example("watch --once")
            .example("watch --interval 1m")
            .example("watch --status")
            .example("watch --once --config /etc/mfshell/watch-test.conf")
            .build();

    private final Map<String, String> env;

    public WatchCommand() {
        this(System.getenv());
    }

    public WatchCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public boolean needsRoot(ParsedArgs args) {
        return true;
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        WatchService service = new WatchService(ctx.stateDir());
        if (args.flag("status")) {
            if (args.flag("once") || args.value("interval").isPresent()) {
                throw new UsageException("--status shows the state; it does not run with --once or --interval");
            }
            return status(service, io, args.flag("json"));
        }
        if (args.flag("json")) {
            throw new UsageException("--json goes with --status");
        }
        if (args.flag("once") && args.value("interval").isPresent()) {
            throw new UsageException("--once runs once; --interval is for the loop (leave one out)");
        }
        WatchConfig cfg = WatchConfig.load(configFile(ctx, args));
        Duration interval = args.value("interval").map(v -> Durations.parse(v, "--interval")).orElse(cfg.interval());
        if (interval.isZero()) {
            throw new UsageException("--interval: give a duration of at least 1s");
        }
        Map<String, Channel> channels = channels(cfg, ctx);
        if (args.flag("once")) {
            return once(args, ctx, io, service, cfg, channels);
        }
        return loop(args, ctx, io, service, cfg, channels, interval);
    }

    private Path configFile(AppContext ctx, ParsedArgs args) {
        if (args.value("config").isPresent()) {
            return Path.of(args.value("config").get());
        }
        String e = env.get(CONF_ENV);
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        return ctx.configRoot().resolve(WatchConfig.DEFAULT_FILE);
    }

    /** The configured channels; the mail instance must exist (the default one when none is named). */
    static Map<String, Channel> channels(WatchConfig cfg, AppContext ctx) {
        Map<String, Channel> out = new LinkedHashMap<>();
        if (cfg.mail() != null) {
            WatchConfig.Mail m = cfg.mail();
            String name = m.instance() == null ? "postfix" : m.instance();
            List<PostfixInstance> all = ctx.instances().all();
            PostfixInstance inst = all.stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
            if (inst == null) {
                List<String> known = all.stream().map(PostfixInstance::name).toList();
                throw m.instance() == null
                        ? new ConfigException(cfg.file(), m.line(), "[mail] needs instance = NAME: there is no default "
                        + "instance (" + ctx.configRoot().resolve("postfix") + ") here (instances: " + String.join(", ", known) + ")")
                        : new ConfigException(cfg.file(), m.instanceLine(), "instance: no instance " + Quote.quote(name)
                        + " (instances: " + String.join(", ", known) + ")");
            }
            out.put("mail", new MailChannel(new Sendmail(ctx.runner()), inst.configDir(), m.from(), m.to()));
        }
        if (cfg.syslog() != null) {
            WatchConfig.Syslog s = cfg.syslog();
            out.put("syslog", new SyslogChannel(new Logger(ctx.runner()), s.tag(), s.priority(), s.socket()));
        }
        if (cfg.webhook() != null) {
            WatchConfig.Webhook w = cfg.webhook();
            out.put("webhook", new WebhookChannel(w.url(), w.timeout(), w.headers(), "mfshell-watch/" + VersionCommand.version()));
        }
        return out;
    }

    private int once(ParsedArgs args, AppContext ctx, Io io, WatchService service, WatchConfig cfg,
                     Map<String, Channel> channels) {
        WatchService.Outcome o = iteration(args, ctx, service, cfg, channels);
        report(o, io, true);
        return o.failed() ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    private WatchService.Outcome iteration(ParsedArgs args, AppContext ctx, WatchService service, WatchConfig cfg,
                                           Map<String, Channel> channels) {
        Optional<String> since = args.value("since").or(() -> Optional.of(cfg.window().toSeconds() + "s"));
        Optional<String> rules = args.value("rules").or(() -> Optional.ofNullable(cfg.rules()).map(Path::toString));
        String window = args.value("since").map(s -> "since " + s).orElse("last " + org.mfshell.check.Check.age(cfg.window().toSeconds()));
        MonitoringData d = MonitoringData.gather(since, rules, ctx, false);
        long now = System.currentTimeMillis();
        Observation.Run run = Observation.of(d.report(), d.queues(), d.reroutes(), now / 1000);
        return service.runOnce(run, channels, cfg.holdDown().toMillis(), cfg.retryFor().toMillis(),
                WatchService.hostName(), window, now);
    }

    /** One line per change, send and give-up; with {@code always} also "no change". */
    private static void report(WatchService.Outcome o, Io io, boolean always) {
        String stamp = TIME.format(Instant.now()) + " ";
        for (Notice n : o.detected()) {
            io.out().println(stamp + "change " + n.key() + ": " + n.subject().replaceFirst("^\\[mfshell\\] [^:]*: ", ""));
        }
        for (WatchService.Send s : o.sends()) {
            io.out().println(stamp + s.channel() + " " + (s.ok() ? "sent" : "failed") + " " + s.notice().key()
                    + (s.retry() ? " (retry)" : "") + (s.ok() ? "" : ": " + s.error() + "; retried on the next run"));
        }
        for (String e : o.expired()) {
            io.err().println("mfshell: watch: " + e);
        }
        if (always && o.detected().isEmpty() && o.sends().isEmpty()) {
            io.out().println(stamp + "no change" + (o.waiting().isEmpty() ? "" : "; " + o.waiting().size()
                    + " waiting out the hold-down"));
        }
        io.out().flush();
    }

    private int loop(ParsedArgs args, AppContext ctx, Io io, WatchService service, WatchConfig cfg,
                     Map<String, Channel> channels, Duration interval) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                // Let the run under way finish and record what it sent (its programs have timeouts).
                ended.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mfshell-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        io.out().println(TIME.format(Instant.now()) + " watch: every " + interval.toSeconds() + "s, hold-down "
                + cfg.holdDown().toSeconds() + "s, channels " + String.join(", ", channels.keySet()) + " (" + cfg.file() + ")");
        io.out().flush();
        try {
            while (stop.getCount() > 0) {
                try {
                    report(iteration(args, ctx, service, cfg, channels), io, false);
                } catch (CancelledException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // One failed run (a failing postqueue, the lock held) does not end the service.
                    io.err().println("mfshell: watch: " + Quote.oneLine(e.getMessage() == null ? e.toString() : e.getMessage())
                            + (stop.getCount() > 0 ? " (next run in " + interval.toSeconds() + "s)" : ""));
                    io.err().flush();
                }
                try {
                    if (stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    throw new CancelledException("interrupted");
                }
            }
            io.out().println(TIME.format(Instant.now()) + " watch: stopped");
            io.out().flush();
            return ExitCodes.OK;
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    private static int status(WatchService service, Io io, boolean json) {
        WatchState st = service.status();
        if (json) {
            Json.print(io.out(), st);
            return ExitCodes.OK;
        }
        io.out().println("state " + service.stateFile() + ", last run "
                + (st.lastRunMs == 0 ? "never" : TIME.format(Instant.ofEpochMilli(st.lastRunMs)) + " UTC"));
        Table t = new Table("INSTANCE/GROUP", "SEEN", "NOTIFIED", "WAITING");
        List<String> keys = new ArrayList<>(st.seen.keySet());
        st.tracked.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        for (String k : keys) {
            WatchState.Seen s = st.seen.get(k);
            var tr = st.tracked.get(k);
            t.row(k, s == null ? "-" : s.verdict() + (s.drained() ? " (drained)" : ""),
                    tr == null ? "OK" : tr.notified(),
                    tr == null || tr.candidate() == null ? "-" : tr.candidate() + " since "
                            + TIME.format(Instant.ofEpochMilli(tr.candidateSinceMs())));
        }
        if (!t.isEmpty()) {
            io.out().println();
            t.print(io.out(), io.width());
        }
        io.out().println();
        if (st.pending.isEmpty()) {
            io.out().println("no notice waiting to be sent");
        } else {
            io.out().println("notices not sent everywhere yet:");
        }
        for (WatchState.Entry e : st.pending) {
            List<String> cs = new ArrayList<>();
            e.channels().forEach((c, s) -> cs.add(c + " " + s.status() + (s.attempts() > 1 ? " after " + s.attempts()
                    + " attempts" : "") + (s.error() == null ? "" : " (" + s.error() + ")")));
            io.out().println("  " + e.notice().key() + " " + e.notice().instance() + " " + e.notice().from() + " -> "
                    + e.notice().to() + " for " + e.notice().group() + ": " + String.join(", ", cs));
        }
        if (!st.history.isEmpty()) {
            io.out().println("last notices:");
            for (WatchState.Entry e : st.history) {
                io.out().println("  " + TIME.format(Instant.ofEpochMilli(e.notice().detectedMs())) + " " + e.notice().key()
                        + " " + e.notice().instance() + " " + e.notice().from() + " -> " + e.notice().to() + " for "
                        + e.notice().group());
            }
        }
        return ExitCodes.OK;
    }
}
