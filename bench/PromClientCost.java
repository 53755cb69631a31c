// Benchmark helper (not part of mfshell): the cost of Prometheus's Java client when mfshell first
// uses it in a process, i.e. its share of `metrics` start-up. Times MetricsService.render (the
// registry, gauges, counters and the text writer) cold (first call: class loading, static
// initialisers) and warm (second call), and counts the classes the cold call loaded, in total and
// of io.prometheus. The report is one that metrics renders for five instances with counters.
// Usage: java -cp target/app/mfshell.jar:target/app/lib/* bench/PromClientCost.java
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.health.HealthReport;
import org.mfshell.instance.QueueCounts;
import org.mfshell.metrics.DeliveryCounters;
import org.mfshell.metrics.MetricsService;

public class PromClientCost {
    public static void main(String[] a) throws Exception {
        List<HealthReport.InstanceHealth> rows = new ArrayList<>();
        List<DeliveryCounters.Series> d = new ArrayList<>();
        List<DeliveryCounters.ReasonSeries> r = new ArrayList<>();
        String[] names = {"aol-a", "earthlink-a", "msn-a", "msn-b", "therest-a"};
        for (int i = 0; i < names.length; i++) {
            String ip = "10.0.0." + (i + 1);
            rows.add(new HealthReport.InstanceHealth(names[i], "postfix-" + names[i], ip, true,
                    new QueueCounts(0, 0, 3, 50, 1), 10, 1, 2, 3, 0.1, 0.2, List.of(), null, List.of(), "running", null));
            for (String p : new String[] {"aol", "msn", "therest"}) {
                for (String s : new String[] {"sent", "deferred", "bounced"}) {
                    d.add(new DeliveryCounters.Series(names[i], ip, p, s, 1000 + i));
                }
            }
            for (int k = 0; k < 11; k++) {
                r.add(new DeliveryCounters.ReasonSeries(names[i], ip, k == 10 ? "other" : "reason " + k, 7 + k));
            }
        }
        HealthReport report = new HealthReport("", "", "", List.of(), rows, List.of(), List.of());
        DeliveryCounters.Snapshot snap = new DeliveryCounters.Snapshot(1764680000L, d, r);
        var cl = ManagementFactory.getClassLoadingMXBean();
        long classes0 = cl.getTotalLoadedClassCount();
        long t0 = System.nanoTime();
        byte[] out = MetricsService.render(report, Map.of(), Map.of(), snap, 0, 0.1, 1764680000L);
        long cold = System.nanoTime() - t0;
        long classes1 = cl.getTotalLoadedClassCount();
        long t1 = System.nanoTime();
        MetricsService.render(report, Map.of(), Map.of(), snap, 0, 0.1, 1764680000L);
        long warm = System.nanoTime() - t1;
        System.out.printf("cold_render_ms=%.1f warm_render_ms=%.2f classes_loaded_by_cold_render=%d bytes=%d%n",
                cold / 1e6, warm / 1e6, classes1 - classes0, out.length);
    }
}
