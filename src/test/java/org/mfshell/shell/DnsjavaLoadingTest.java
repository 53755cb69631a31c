package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * One-shot commands that do no DNS do not pay for dnsjava: a real child JVM running
 * {@code instances} on the lab loads no org.xbill (dnsjava) or SLF4J class, {@code health} without
 * --dnsbl none of the DNS code, while {@code ips} does (the check would otherwise prove nothing);
 * likewise only {@code metrics} loads Prometheus's client (io.prometheus).
 */
class DnsjavaLoadingTest {
    private static String classesLoaded(Lab lab, String... args) {
        return classesLoaded(lab, 0, args);
    }

    private static String classesLoaded(Lab lab, int exit, String... args) {
        List<String> argv = new ArrayList<>(MfshellProcess.javaCommand());
        argv.add(1, "-Xlog:class+load=info:stderr");
        argv.addAll(List.of(args));
        ExecResult r = new ProcessRunner().run(argv, Duration.ofMinutes(2), null,
                Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                        // metrics keeps its counters' state: never in the host's /var/lib/mfshell
                        "MFSHELL_STATE_DIR", lab.root().resolve("dnsjava-loading-state").toString()));
        assertEquals(exit, r.exitCode(), r.stderr());
        return r.stderr();
    }

    @Test
    void instancesLoadsNoDnsjavaClassAndIpsDoes() {
        Lab lab = LabFixture.shared();
        String instances = classesLoaded(lab, "instances");
        assertTrue(instances.contains("org.mfshell.shell.InstancesCommand"), "the log lists classes");
        assertTrue(instances.lines().noneMatch(l -> l.contains("org.xbill.") || l.contains("org.slf4j.")),
                "instances loaded dnsjava or SLF4J");
        String health = classesLoaded(lab, "health");
        assertTrue(health.lines().noneMatch(l -> l.contains("org.xbill.") || l.contains("org.mfshell.dns.")),
                "health without --dnsbl loaded the DNS code");
        String ips = classesLoaded(lab, "ips", "--resolver", "127.0.0.1:9", "--timeout", "1s", "--no-cache");
        assertTrue(ips.contains("org.xbill.DNS.SimpleResolver"), "ips must load dnsjava");
    }

    /** Prometheus's client is paid for by metrics alone: not by instances, nor by check. */
    @Test
    void onlyMetricsLoadsThePrometheusClient() {
        Lab lab = LabFixture.shared();
        String instances = classesLoaded(lab, "instances");
        assertTrue(instances.lines().noneMatch(l -> l.contains("io.prometheus.")), "instances loaded io.prometheus");
        // A bad range: check stops with UNKNOWN (3) before it reads anything.
        String check = classesLoaded(lab, 3, "check", "-w", "10:5");
        assertTrue(check.contains("org.mfshell.shell.CheckCommand"), "the log lists classes");
        assertTrue(check.lines().noneMatch(l -> l.contains("io.prometheus.")), "check loaded io.prometheus");
        String metrics = classesLoaded(lab, "metrics", "--since", "1m");
        assertTrue(metrics.contains("io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter"),
                "metrics must load the client");
    }
}
