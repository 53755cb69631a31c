package org.mfshell.shell;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mfshell.AppContext;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.StateDir;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.HealthRules;
import org.mfshell.instance.InstanceState;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.LogLocator;
import org.mfshell.log.LogSource;
import org.mfshell.metrics.DeliveryCounters;
import org.mfshell.metrics.MetricsService;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.queue.ReasonNormalizer;

/**
 * {@code metrics}: Prometheus text exposition of every instance's queues, oldest deferred age,
 * verdict per provider group and reroutes in force, on stdout or, with {@code --textfile DIR},
 * into DIR/mfshell.prom (written atomically, mode 0644) for node_exporter's textfile collector.
 * The delivery counters are brought up to the logs' end first (STATE/metrics/counters.state); when
 * they cannot be (a damaged state file, a lock held too long) one line says why on stderr, the
 * scrape error is counted and the counters are left out.
 * Errors: usage (exit 2) for bad options or a missing DIR; a part that fails (an unreadable
 * instance, postqueue) is counted in mfshell_scrape_errors rather than failing the scrape.
 */
public final class MetricsCommand implements MfCommand {
    public static final String TEXTFILE = "mfshell.prom";
    /** Longest reason label kept from a normalised reply that matches no signature. */
    static final int REASON_LABEL_MAX = 120;

    private static final CommandSpec SPEC = CommandSpec.builder("metrics")
            .summary("Prometheus metrics: queues, oldest deferred, verdicts, reroutes, per instance, IP and provider")
            .help("Prints the Prometheus text exposition format (through Prometheus's own Java client): "
                    + "mfshell_queue_messages{instance,ip,queue} for maildrop, incoming, active, deferred and hold; "
                    + "mfshell_oldest_deferred_seconds{instance,ip}; mfshell_verdict{instance,ip,provider} "
                    + "(0 OK, 1 DEGRADED, 2 BLOCKED, judged as health does over --since, default 30m); "
                    + "mfshell_reroute_in_force{instance,ip,target}; mfshell_instance_running; and the scrape's "
                    + "own mfshell_scrape_duration_seconds and mfshell_scrape_errors (a part that failed is counted "
                    + "there and left out, so one broken instance does not hide the others). Counters that only go up: "
                    + "mfshell_deliveries_total{instance,ip,provider,status} (sent, deferred, bounced, counted as "
                    + "stats does) and mfshell_deferrals_total{instance,ip,reason} (the block signature's name, or the "
                    + "normalised reply; the first 10 reasons per instance, then \"other\"), counted from the mail log "
                    + "since the previous run; the offsets are kept in STATE/metrics/counters.state and survive "
                    + "rotation (rename and new file, .1, .gz, copytruncate). The first run starts at the log's end, "
                    + "at 0: mfshell_counters_started_seconds says when. With --textfile DIR "
                    + "the output goes to DIR/mfshell.prom, replaced atomically (mode 0644), for node_exporter's "
                    + "textfile collector (Debian: /var/lib/prometheus/node-exporter). The label instance is the Postfix "
                    + "instance: scrape with honor_labels: true so that Prometheus keeps it. Example alerting rules: "
                    + "/usr/share/doc/mfshell/monitoring/mfshell-alerts.yml.")
            .option(OptionSpec.value("since", "TIME", "window of the mail log for the verdicts (default 30m)"))
            .option(OptionSpec.value("textfile", "DIR", "write DIR/mfshell.prom atomically instead of printing",
                    Completion.FILE))
            .option(OptionSpec.flag("no-counters", "leave the delivery counters out (their state untouched)"))
            .option(OptionSpec.value("rules", "FILE", "verdict rules file instead of /etc/mfshell/health-rules",
                    Completion.FILE))
            .example("metrics")
            .example("metrics --textfile /var/lib/prometheus/node-exporter")
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
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        long start = System.nanoTime();
        Path dir = args.value("textfile").map(Path::of).orElse(null);
        if (dir != null && !Files.isDirectory(dir)) {
            throw new UsageException("--textfile " + Quote.quote(dir.toString()) + ": no such directory");
        }
        MonitoringData d = MonitoringData.gather(args, ctx, true);
        int errors = d.errors();
        DeliveryCounters.Snapshot counters = null;
        try {
            counters = args.flag("no-counters") ? null : counters(d, ctx);
        } catch (MfshellException e) {
            errors++;
            io.err().println("mfshell: metrics: " + Quote.oneLine(e.getMessage()));
        }
        byte[] text = MetricsService.render(d.report(), d.queues(), d.reroutes(), counters, errors,
                (System.nanoTime() - start) / 1e9, Instant.now().getEpochSecond());
        if (dir == null) {
            io.out().print(new String(text, StandardCharsets.UTF_8));
            return ExitCodes.OK;
        }
        Path target = dir.resolve(TEXTFILE);
        AtomicFiles.write(target, text);
        return ExitCodes.OK;
    }

    /** Brings the delivery counters up to the logs' end (STATE/metrics/counters.state). */
    static DeliveryCounters.Snapshot counters(MonitoringData d, AppContext ctx) {
        Map<String, DeliveryCounters.Target> targets = new LinkedHashMap<>();
        for (InstanceHealth h : d.report().instances()) {
            if (h.error() == null && h.syslogName() != null) {
                targets.put(h.syslogName(), new DeliveryCounters.Target(h.instance(),
                        h.sendingIp() == null ? "" : h.sendingIp()));
            }
        }
        ReasonNormalizer normalizer = new ReasonNormalizer();
        HealthRules rules = d.rules();
        Function<String, String> label = reply -> {
            if (reply.isBlank()) {
                return "(no reply text)";
            }
            String key = normalizer.normalize(reply);
            HealthRules.Signature s = rules.match(key);
            return s != null ? s.name() : key.length() > REASON_LABEL_MAX ? key.substring(0, REASON_LABEL_MAX) : key;
        };
        List<String> maillogFiles = d.instances().stream().filter(i -> i.state() != InstanceState.ERROR)
                .map(PostfixInstance::maillogFile).toList();
        List<LogSource> sources = new LogLocator(ctx.configRoot(), ctx.runner(), ctx.mailLog())
                .defaults(maillogFiles, null);
        return new DeliveryCounters(new StateDir(ctx.stateDir(), "MFSHELL_STATE_DIR")).update(sources, targets,
                ProviderGroups.load(), label, ctx.runner(), System.currentTimeMillis());
    }
}
