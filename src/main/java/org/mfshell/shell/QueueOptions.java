package org.mfshell.shell;

import java.util.List;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.Completion;
import org.mfshell.cli.Io;
import org.mfshell.cli.OptionSpec;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.core.UsageException;
import org.mfshell.postfix.MalformedLine;
import org.mfshell.queue.QueueFilter;
import org.mfshell.queue.QueueService;

/** The queue filter options shared by mailq and the message actions, and how they are read and reported. */
final class QueueOptions {
    static final List<String> FILTERS = List.of("queue", "domain", "sender", "reason", "older-than");

    private QueueOptions() {
    }

    static CommandSpec.Builder addFilters(CommandSpec.Builder b) {
        return b.option(OptionSpec.value("queue", "QUEUE", "only this queue (maildrop, incoming, active, deferred, hold); "
                        + "repeat for several", Completion.QUEUE_NAME).asRepeatable())
                .option(OptionSpec.value("domain", "DOMAIN", "only messages with a recipient in this domain",
                        Completion.QUEUE_DOMAIN))
                .option(OptionSpec.value("sender", "ADDRESS", "only this sender (user@example.org, @example.org, "
                        + "or <> for bounces)"))
                .option(OptionSpec.value("reason", "REGEX", "only messages with a delay reason matching this "
                        + "regular expression (case-insensitive)"))
                .option(OptionSpec.value("older-than", "DURATION", "only messages that arrived at least this long ago "
                        + "(e.g. 30m, 2h, 7d)"))
                .option(OptionSpec.value("limit", "N", "at most N messages (N at least 1)"));
    }

    /** Reads and validates the filter options (and queue ids, if any); bad values are usage errors. */
    static QueueFilter filter(ParsedArgs args, List<String> ids) {
        QueueFilter.Builder b = QueueFilter.builder();
        for (String q : args.values("queue")) {
            b.queue(q);
        }
        args.value("domain").ifPresent(b::domain);
        args.value("sender").ifPresent(b::sender);
        args.value("reason").ifPresent(b::reason);
        args.durationValue("older-than").ifPresent(b::olderThan);
        b.ids(ids);
        return b.build();
    }

    static boolean anyFilter(ParsedArgs args) {
        return FILTERS.stream().anyMatch(f -> !args.values(f).isEmpty());
    }

    /**
     * {@code --limit N}, N at least 1; 0 when the option is absent (no limit). {@code --limit 0} is
     * refused rather than read as "no limit": {@code hold --all --limit 0} must not hold everything.
     */
    static long limit(ParsedArgs args) {
        int n = args.intValue("limit").orElse(-1);
        if (n == 0) {
            throw new UsageException("--limit takes a whole number of at least 1, not '0' "
                    + "(leave --limit out for no limit)");
        }
        return Math.max(n, 0);
    }

    /** Reports one malformed postqueue line at once, so the operator sees it next to the output. */
    static void reportMalformed(Io io, String instance, MalformedLine line) {
        io.err().println("mfshell: warning: " + instance + ": postqueue output " + line);
    }

    /** After a pass: the stopped note and the count of malformed lines not shown individually. */
    static void reportScan(Io io, String instance, QueueService.ScanResult r) {
        if (r.malformedCount() > QueueService.MALFORMED_KEPT) {
            io.err().println("mfshell: warning: " + instance + ": " + r.malformedCount()
                    + " malformed lines in postqueue output in all");
        }
        if (r.stopped()) {
            io.err().println("mfshell: note: instance " + instance + " is stopped (postqueue read the queue directly)");
        }
    }

    /** Compact age: 45s, 12m, 3h05m, 2d04h. */
    static String age(long seconds) {
        if (seconds < 0) {
            seconds = 0;
        }
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format("%dd%02dh", seconds / 86400, seconds % 86400 / 3600);
    }
}
