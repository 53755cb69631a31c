package org.mfshell.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the deliveries one scanning task finds, per syslog name and, when asked, per
 * recipient domain or provider group, inside the query's time window. Lines whose timestamp
 * cannot be read while a window is set are counted as suspects, as are those the scanner reports.
 * Not thread-safe: one per task, merged with {@link #merge}.
 */
public final class StatsAccumulator implements DeliverySink {
    private static final int MAX_SAMPLES = 3;

    private final StatsQuery q;
    private final LogTime time;
    private final String source;
    private byte[][] names = new byte[8][];
    private long[][] counts = new long[8][];
    private boolean[] wanted = new boolean[8];
    private int ngroups;
    private final Map<String, long[]> keyed = new TreeMap<>();
    private final Map<String, Long> suspects = new LinkedHashMap<>();
    private final List<String> samples = new ArrayList<>();
    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;

    public StatsAccumulator(StatsQuery q, LogSource source) {
        this.q = q;
        this.source = source.label();
        this.time = new LogTime(source.reference(), q.zone());
    }

    @Override
    public void delivery(ByteBuffer b, int[] f, int nf, int tag, int groupEnd, int status) {
        int gs = f[2 * tag];
        int g = group(b, gs, groupEnd);
        if (!wanted[g]) {
            return;
        }
        if (q.timeFiltered()) {
            long t = time.millis(b, f, nf, tag);
            if (t == Long.MIN_VALUE) {
                suspect(b, f[0], f[2 * tag + 5], "unreadable timestamp");
                return;
            }
            if ((q.sinceMs() != null && t < q.sinceMs()) || (q.untilMs() != null && t >= q.untilMs())) {
                return;
            }
            first = Math.min(first, t);
            last = Math.max(last, t);
        }
        counts[g][status]++;
        if (q.by() != StatsQuery.By.INSTANCE) {
            String d = domain(b, f[2 * tag + 4], f[2 * tag + 5]);
            String key = q.by() == StatsQuery.By.DOMAIN ? d : q.providers().groupOf(d);
            keyed.computeIfAbsent(key, k -> new long[3])[status]++;
        }
    }

    private int group(ByteBuffer b, int s, int e) {
        int len = e - s;
        search:
        for (int i = 0; i < ngroups; i++) {
            byte[] n = names[i];
            if (n.length != len) {
                continue;
            }
            for (int k = 0; k < len; k++) {
                if (n[k] != b.get(s + k)) {
                    continue search;
                }
            }
            return i;
        }
        if (ngroups == names.length) {
            names = Arrays.copyOf(names, ngroups * 2);
            counts = Arrays.copyOf(counts, ngroups * 2);
            wanted = Arrays.copyOf(wanted, ngroups * 2);
        }
        byte[] n = new byte[len];
        for (int k = 0; k < len; k++) {
            n[k] = b.get(s + k);
        }
        names[ngroups] = n;
        counts[ngroups] = new long[3];
        wanted[ngroups] = q.names().isEmpty() || q.names().contains(new String(n, StandardCharsets.UTF_8));
        return ngroups++;
    }

    /** Recipient domain of a {@code to=<user@domain>,} field, lower case; "(none)" without one. */
    static String domain(ByteBuffer b, int s, int e) {
        int i = s + 3;
        if (i < e && b.get(i) == '<') {
            i++;
        }
        int end = i;
        int at = -1;
        while (end < e) {
            byte x = b.get(end);
            if (x == '>' || x == ',') {
                break;
            }
            if (x == '@') {
                at = end;
            }
            end++;
        }
        if (at < 0 || at + 1 >= end) {
            return "(none)";
        }
        byte[] d = new byte[end - at - 1];
        for (int k = 0; k < d.length; k++) {
            byte x = b.get(at + 1 + k);
            d[k] = x >= 'A' && x <= 'Z' ? (byte) (x + 32) : x;
        }
        return new String(d, StandardCharsets.UTF_8);
    }

    @Override
    public void suspect(ByteBuffer b, int lineStart, int lineEnd, String reason) {
        suspects.merge(reason, 1L, Long::sum);
        if (samples.size() < MAX_SAMPLES) {
            int len = Math.min(lineEnd - lineStart, 300);
            byte[] l = new byte[len];
            for (int k = 0; k < len; k++) {
                l[k] = b.get(lineStart + k);
            }
            samples.add(source + ": " + new String(l, StandardCharsets.UTF_8).strip());
        }
    }

    /** Adds all counts of several accumulators into one report. */
    public static StatsReport merge(List<StatsAccumulator> parts, StatsQuery q) {
        Map<String, long[]> byName = new TreeMap<>();
        Map<String, long[]> keyed = new TreeMap<>();
        Map<String, Long> suspects = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (StatsAccumulator a : parts) {
            for (int i = 0; i < a.ngroups; i++) {
                if (a.wanted[i]) {
                    add(byName.computeIfAbsent(new String(a.names[i], StandardCharsets.UTF_8), k -> new long[3]), a.counts[i]);
                }
            }
            a.keyed.forEach((k, v) -> add(keyed.computeIfAbsent(k, x -> new long[3]), v));
            a.suspects.forEach((k, v) -> suspects.merge(k, v, Long::sum));
            for (String s : a.samples) {
                if (samples.size() < MAX_SAMPLES) {
                    samples.add(s);
                }
            }
            first = Math.min(first, a.first);
            last = Math.max(last, a.last);
        }
        List<StatsReport.Row> instances = rows(byName);
        List<StatsReport.Row> rows = q.by() == StatsQuery.By.INSTANCE ? instances : rows(keyed);
        return new StatsReport(q.by(), rows, instances, suspects, samples,
                first == Long.MAX_VALUE ? null : first, last == Long.MIN_VALUE ? null : last);
    }

    private static void add(long[] into, long[] c) {
        for (int k = 0; k < 3; k++) {
            into[k] += c[k];
        }
    }

    private static List<StatsReport.Row> rows(Map<String, long[]> m) {
        List<StatsReport.Row> out = new ArrayList<>();
        m.forEach((k, c) -> {
            // Like mf-mail-stats-print, a name appears only once it has a counted line.
            if (c[SENT] + c[BOUNCED] + c[DEFERRED] > 0) {
                out.add(new StatsReport.Row(k, c[SENT], c[BOUNCED], c[DEFERRED]));
            }
        });
        return out;
    }
}
