package org.mfshell.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.mfshell.check.DeferredQueue;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.instance.QueueCounts;

/**
 * Renders what mfshell knows about the instances as Prometheus's text exposition format, through
 * Prometheus's own Java client: messages per queue, the age of the oldest deferred message, the
 * verdict per provider group (0 OK, 1 DEGRADED, 2 BLOCKED), the reroutes in force, the delivery
 * and deferral counters with the time they started from ({@link DeliveryCounters}), and the
 * scrape's own duration and errors; every series labelled with instance and ip, provider where
 * it applies.
 * Pure (no I/O beyond an in-memory buffer); never throws for the data it is given.
 */
public final class MetricsService {
    public static final List<String> QUEUES = List.of("maildrop", "incoming", "active", "deferred", "hold");

    private MetricsService() {
    }

    /**
     * @param queues   deferred queue per instance (absent: none, or it could not be read)
     * @param reroutes instance to the target of its reroute in force
     * @param errors   what failed during the scrape (instances unreadable, postqueue failures)
     */
    public static byte[] render(HealthReport report, Map<String, DeferredQueue> queues, Map<String, String> reroutes,
                                int errors, double scrapeSeconds, long nowSeconds) {
        return render(report, queues, reroutes, null, errors, scrapeSeconds, nowSeconds);
    }

    /** As above, with the delivery counters ({@code counters} null: they could not be updated, left out). */
    public static byte[] render(HealthReport report, Map<String, DeferredQueue> queues, Map<String, String> reroutes,
                                DeliveryCounters.Snapshot counters, int errors, double scrapeSeconds, long nowSeconds) {
        PrometheusRegistry registry = new PrometheusRegistry();
        if (counters != null) {
            Counter deliveries = Counter.builder().name("mfshell_deliveries")
                    .help("Delivery attempts logged by smtp, by status (mf-stats counting rule), since "
                            + "mfshell_counters_started_seconds").labelNames("instance", "ip", "provider", "status")
                    .register(registry);
            Counter deferrals = Counter.builder().name("mfshell_deferrals")
                    .help("Deferred delivery attempts by normalised reason (block signature name when one matches; "
                            + "the first " + DeliveryCounters.TOP_REASONS + " reasons per instance, then \"other\")")
                    .labelNames("instance", "ip", "reason").register(registry);
            Gauge started = Gauge.builder().name("mfshell_counters_started_seconds")
                    .help("When the delivery counters started from 0 (Unix time)").register(registry);
            counters.deliveries().forEach(c -> deliveries.labelValues(c.instance(), c.ip(), c.provider(), c.status())
                    .inc(c.value()));
            counters.deferrals().forEach(c -> deferrals.labelValues(c.instance(), c.ip(), c.reason()).inc(c.value()));
            started.set(counters.startedSeconds());
        }
        Gauge queue = Gauge.builder().name("mfshell_queue_messages")
                .help("Messages in one Postfix queue of the instance").labelNames("instance", "ip", "queue")
                .register(registry);
        Gauge oldest = Gauge.builder().name("mfshell_oldest_deferred_seconds")
                .help("Age of the oldest message in the deferred queue (0 when it is empty)")
                .labelNames("instance", "ip").register(registry);
        Gauge verdict = Gauge.builder().name("mfshell_verdict")
                .help("Health verdict per provider group over the window: 0 OK, 1 DEGRADED, 2 BLOCKED")
                .labelNames("instance", "ip", "provider").register(registry);
        Gauge reroute = Gauge.builder().name("mfshell_reroute_in_force")
                .help("1 while a reroute of the instance's mail to a sibling is in force")
                .labelNames("instance", "ip", "target").register(registry);
        Gauge running = Gauge.builder().name("mfshell_instance_running")
                .help("1 when the instance's master runs").labelNames("instance", "ip").register(registry);
        Gauge duration = Gauge.builder().name("mfshell_scrape_duration_seconds")
                .help("How long mfshell took to gather these metrics").register(registry);
        Gauge errorCount = Gauge.builder().name("mfshell_scrape_errors")
                .help("Parts of this scrape that failed (an unreadable instance, a failing postqueue)")
                .register(registry);
        Gauge time = Gauge.builder().name("mfshell_scrape_timestamp_seconds")
                .help("When these metrics were gathered (Unix time)").register(registry);
        for (InstanceHealth h : report.instances()) {
            if (h.error() != null) {
                continue;
            }
            String ip = h.sendingIp() == null ? "" : h.sendingIp();
            QueueCounts q = h.queue();
            long[] n = {q.maildrop(), q.incoming(), q.active(), q.deferred(), q.hold()};
            for (int i = 0; i < n.length; i++) {
                queue.labelValues(h.instance(), ip, QUEUES.get(i)).set(n[i]);
            }
            DeferredQueue dq = queues.get(h.instance());
            if (dq != null || q.deferred() == 0) {
                oldest.labelValues(h.instance(), ip).set(dq == null ? 0 : dq.oldestAgeSeconds(nowSeconds));
            }
            for (GroupHealth g : h.groups()) {
                if (g.verdict() != null) {
                    verdict.labelValues(h.instance(), ip, g.group()).set(g.verdict().ordinal());
                }
            }
            String target = reroutes.get(h.instance());
            if (target != null) {
                reroute.labelValues(h.instance(), ip, target).set(1);
            }
            running.labelValues(h.instance(), ip).set(h.running() ? 1 : 0);
        }
        duration.set(scrapeSeconds);
        errorCount.set(errors);
        time.set(nowSeconds);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
