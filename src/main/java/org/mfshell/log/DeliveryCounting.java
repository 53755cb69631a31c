package org.mfshell.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * What the logs added since the saved marks, for metrics' monotonic counters: delivery lines
 * by the counting rule of {@link DeliveryScanner} (mf-stats.awk's), per syslog name, provider
 * group of the recipient domain and status; and the deferred lines per syslog name and reason
 * label (the reply text through {@code reasonLabel}). Read by the one follower, {@link LogTail},
 * resumed from the marks (rotation and copytruncate handled there); unmarked sources start at
 * their end. Lines of syslog names not in {@code names} are not counted. Errors:
 * {@link MfshellException} when a source cannot be read or journalctl fails.
 */
public final class DeliveryCounting {
    public static final String[] STATUS = {"sent", "deferred", "bounced"};

    /**
     * {@code deliveries[name][group] = {sent, deferred, bounced}}; {@code deferrals[name][reason]};
     * {@code marks}: where each source stands now.
     */
    public record Counted(Map<String, Map<String, long[]>> deliveries, Map<String, Map<String, Long>> deferrals,
                          List<LogMark> marks) {
    }

    private DeliveryCounting() {
    }

    public static Counted advance(List<LogSource> sources, Map<String, LogMark> marks, long startMs,
                                  Set<String> names, ProviderGroups groups, Function<String, String> reasonLabel,
                                  ProcessRunner runner) {
        Sink sink = new Sink(names, groups, reasonLabel);
        DeliveryScanner scanner = new DeliveryScanner(1 << 20);
        try (LogTail tail = new LogTail(sources, marks, startMs, runner)) {
            tail.poll((i, lines) -> scanner.scan(lines, sink, null));
            return new Counted(sink.deliveries, sink.deferrals, tail.marks());
        }
    }

    private static final class Sink implements DeliverySink {
        final Set<String> names;
        final ProviderGroups groups;
        final Function<String, String> reasonLabel;
        final Map<String, Map<String, long[]>> deliveries = new TreeMap<>();
        final Map<String, Map<String, Long>> deferrals = new TreeMap<>();

        Sink(Set<String> names, ProviderGroups groups, Function<String, String> reasonLabel) {
            this.names = names;
            this.groups = groups;
            this.reasonLabel = reasonLabel;
        }

        @Override
        public void delivery(ByteBuffer b, int[] f, int nf, int tag, int groupEnd, int status) {
            String name = text(b, f[2 * tag], groupEnd);
            if (!names.contains(name)) {
                return;
            }
            int msgEnd = f[2 * (tag + 2) + 1];
            String group = groups.groupOf(StatsAccumulator.domain(b, f[2 * (tag + 2)], msgEnd));
            deliveries.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(group, k -> new long[3])[status]++;
            if (status == DEFERRED) {
                String reply = ReplyAccumulator.reply(b, msgEnd);
                deferrals.computeIfAbsent(name, k -> new TreeMap<>())
                        .merge(reasonLabel.apply(reply == null ? "" : reply), 1L, Long::sum);
            }
        }

        @Override
        public void suspect(ByteBuffer b, int lineStart, int lineEnd, String reason) {
            // not a countable delivery
        }

        private static String text(ByteBuffer b, int s, int e) {
            byte[] a = new byte[Math.max(0, e - s)];
            for (int k = 0; k < a.length; k++) {
                a[k] = b.get(s + k);
            }
            return new String(a, StandardCharsets.UTF_8);
        }
    }

}
