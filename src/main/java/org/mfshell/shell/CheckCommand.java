package org.mfshell.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.check.Check;
import org.mfshell.check.CheckState;
import org.mfshell.check.CheckThresholds;
import org.mfshell.check.DeferredQueue;
import org.mfshell.check.Range;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.Io;
import org.mfshell.cli.MfCommand;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.CancelledException;
import org.mfshell.core.Durations;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.flush.FlushService;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.health.HealthRules;
import org.mfshell.health.HealthService;
import org.mfshell.health.Verdict;
import org.mfshell.instance.InstanceState;
import org.mfshell.log.TimeArg;
import org.mfshell.postfix.Postqueue;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.queue.ReasonNormalizer;

/**
 * {@code check}: a Monitoring Plugins check (Nagios, Icinga) over the health verdicts, the deferred
 * queues and the reroutes in force; one status line with perfdata per instance, then one line per
 * instance. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; every error (bad option or range,
 * unreadable configuration, a failing postqueue, not root) is UNKNOWN, printed on stdout as
 * {@code MFSHELL UNKNOWN - reason}, as the plugin API wants.
 */
public final class CheckCommand implements MfCommand {
    private static final CommandSpec SPEC = CommandSpec.builder("check")
            .summary("Nagios/Icinga check: one status line with perfdata, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
            .help("A monitoring plugin following the Monitoring Plugins guidelines. It reads the health verdicts "
                    + "(block signatures and ratios, as health does) over a short window of the mail log (--since, "
                    + "default 30m; no full log scan), every instance's queue sizes and the age of its oldest "
                    + "deferred message (postqueue -j), and the reroutes in force. CRITICAL when an instance is "
                    + "BLOCKED for a provider group, WARNING when DEGRADED, and WARNING or CRITICAL when a "
                    + "threshold is crossed; a BLOCKED group counts as handled (OK) once a reroute of that instance "
                    + "is in force and its deferred queue holds none of that group's mail deferred by a block signature. Thresholds use the "
                    + "standard range syntax: 10 (alert outside 0..10), 10: (below 10), ~:10 (above 10), 10:20 "
                    + "(outside 10..20), @10:20 (inside 10..20). -w/-c apply to the deferred queue of each instance; "
                    + "ages take durations (90s, 4h, 1d) or seconds; ratios are percent of delivery attempts in the "
                    + "window (counted only from the health rules' min-attempts on). Defaults suit a bulk relay: "
                    + "deferred 2000/10000, oldest deferred 4h/1d, held 100/1000, deferral ratio 50/80. "
                    + "Exit codes differ from mfshell's usual: bad input (a bad option or range) and internal errors "
                    + "exit 3 (UNKNOWN), not 2 or 1, and the reason is the status line on stdout. The package's doc "
                    + "dir (/usr/share/doc/mfshell/monitoring) has an Icinga2 CheckCommand and a Nagios command "
                    + "definition.")
            .option(OptionSpec.value("since", "TIME", "window of the mail log to judge (default 30m)"))
            .option(OptionSpec.value("warning", "RANGE", "deferred queue per instance: warning range (default "
                    + CheckThresholds.DEFERRED_WARNING + ")").withShortName('w'))
            .option(OptionSpec.value("critical", "RANGE", "deferred queue per instance: critical range (default "
                    + CheckThresholds.DEFERRED_CRITICAL + ")").withShortName('c'))
            .option(OptionSpec.value("age-warning", "RANGE", "oldest deferred message: warning range of ages (default "
                    + CheckThresholds.AGE_WARNING + ")"))
            .option(OptionSpec.value("age-critical", "RANGE", "oldest deferred message: critical range (default "
                    + CheckThresholds.AGE_CRITICAL + ")"))
            .option(OptionSpec.value("held-warning", "RANGE", "messages on hold: warning range (default "
                    + CheckThresholds.HELD_WARNING + ")"))
            .option(OptionSpec.value("held-critical", "RANGE", "messages on hold: critical range (default "
                    + CheckThresholds.HELD_CRITICAL + ")"))
            .option(OptionSpec.value("ratio-warning", "RANGE", "deferral ratio in percent: warning range (default "
                    + CheckThresholds.RATIO_WARNING + ")"))
            .option(OptionSpec.value("ratio-critical", "RANGE", "deferral ratio in percent: critical range (default "
                    + CheckThresholds.RATIO_CRITICAL + ")"))
            .option(OptionSpec.value("rules", "FILE", "verdict rules file instead of /etc/mfshell/health-rules",
                    Completion.FILE))
            .example("check")
            .example("check -w 5000 -c 20000 --age-warning 2h --age-critical 12h")
            .example("check --since 15m --ratio-critical 90")
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
    public int reportError(String message, int code, Io io) {
        io.out().println(Check.NAME + " " + CheckState.UNKNOWN + " - " + Quote.oneLine(message == null ? "error" : message));
        return CheckState.UNKNOWN.exitCode();
    }

    @Override
    public int run(ParsedArgs args, AppContext ctx, Io io) {
        try {
            return check(args, ctx, io);
        } catch (CancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            return reportError(e.getMessage() == null ? e.toString() : e.getMessage(), 1, io);
        }
    }

    private int check(ParsedArgs args, AppContext ctx, Io io) {
        CheckThresholds t = thresholds(args);
        MonitoringData d = MonitoringData.gather(args, ctx, false);
        Map<String, String> reroutes = new LinkedHashMap<>();
        d.reroutes().forEach((k, v) -> reroutes.put(k, v.equals("by hand") ? "a map made by hand" : v));
        Check.Result result = Check.evaluate(d.report(), d.queues(), reroutes, t, d.rules().threshold("min-attempts"),
                Instant.now().getEpochSecond());
        result.lines().forEach(io.out()::println);
        return result.state().exitCode();
    }

    static CheckThresholds thresholds(ParsedArgs args) {
        return new CheckThresholds(
                count(args, "warning", CheckThresholds.DEFERRED_WARNING),
                count(args, "critical", CheckThresholds.DEFERRED_CRITICAL),
                age(args, "age-warning", CheckThresholds.AGE_WARNING),
                age(args, "age-critical", CheckThresholds.AGE_CRITICAL),
                count(args, "held-warning", CheckThresholds.HELD_WARNING),
                count(args, "held-critical", CheckThresholds.HELD_CRITICAL),
                count(args, "ratio-warning", CheckThresholds.RATIO_WARNING),
                count(args, "ratio-critical", CheckThresholds.RATIO_CRITICAL));
    }

    private static Range count(ParsedArgs args, String option, String dflt) {
        return Range.parse(args.value(option).orElse(dflt), "--" + option);
    }

    private static Range age(ParsedArgs args, String option, String dflt) {
        String o = "--" + option;
        return Range.parse(args.value(option).orElse(dflt), o, s -> s.matches("\\d+")
                ? Double.parseDouble(s) : Durations.parse(s, o).getSeconds());
    }
}
