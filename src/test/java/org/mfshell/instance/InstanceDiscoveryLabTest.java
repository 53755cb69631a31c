package org.mfshell.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/** Discovery against the lab's real Postfix instances. */
class InstanceDiscoveryLabTest {
    private static Lab lab;

    @BeforeAll
    static void lab() {
        lab = LabFixture.shared();
    }

    @Test
    void findsEveryLabInstanceWithItsAddressesAndState() {
        InstanceRegistry registry = new InstanceRegistry(lab.configRoot(), new ProcessRunner());
        assertEquals(Lab.INSTANCES, registry.names());
        List<PostfixInstance> all = registry.all();
        for (PostfixInstance i : all) {
            String addr = lab.address(i.name());
            assertEquals(addr, i.bindAddress(), i.name());
            assertTrue(i.listen().contains(addr + ":25"), i.name() + " listens on " + i.listen());
            assertTrue(i.running(), i.name() + " running");
            assertEquals("postfix-" + i.name(), i.syslogName());
            assertEquals(lab.configDir(i.name()), i.configDir());
            assertEquals(lab.queueDir(i.name()), i.queueDir());
            assertEquals(TransportMapsState.COMMENTED, i.transportMapsState(), i.name());
            assertEquals(false, i.rerouteActive());
            assertTrue(i.maillogFile() != null && i.maillogFile().endsWith("postfix-" + i.name() + ".log"),
                    String.valueOf(i.maillogFile()));
        }
    }

    /** Queue counts read from the queue directories equal what postqueue -j reports. */
    @Test
    void queueCountsEqualPostqueue() throws Exception {
        LabFixture.seededOnce();
        lab.waitForQueuesToSettle(Duration.ofSeconds(60));
        InstanceRegistry registry = new InstanceRegistry(lab.configRoot(), new ProcessRunner());
        long total = 0;
        for (String name : Lab.INSTANCES) {
            // The queue moves while we look (retries, deliveries): compare a few times until stable.
            QueueCounts ours = null;
            QueueCounts theirs = null;
            for (int attempt = 0; attempt < 10; attempt++) {
                ours = registry.get(name).queues();
                theirs = postqueueCounts(lab.configDir(name).toString());
                if (ours.equals(theirs)) {
                    break;
                }
                Thread.sleep(500);
            }
            assertEquals(theirs, ours, name);
            total += ours.total();
        }
        assertTrue(total > 0, "the seeded lab has queued mail");
        assertTrue(registry.get("msn-a").queues().deferred() > 0, "msn-a defers hotmail mail");
    }

    /**
     * Without read access to the queue directories (CAP_DAC_* dropped, as for a non-root
     * operator) discovery counts postqueue -j objects instead; the counts stay the same.
     */
    @Test
    void queueCountsWithoutQueueAccessComeFromPostqueue() throws Exception {
        LabFixture.seededOnce();
        lab.waitForQueuesToSettle(Duration.ofSeconds(60));
        InstanceRegistry registry = new InstanceRegistry(lab.configRoot(), new ProcessRunner());
        Map<String, QueueCounts> direct = new HashMap<>();
        Map<String, QueueCounts> viaPostqueue = new HashMap<>();
        for (int attempt = 0; attempt < 10; attempt++) {
            direct.clear();
            viaPostqueue.clear();
            for (PostfixInstance i : registry.all()) {
                direct.put(i.name(), i.queues());
            }
            ExecResult r = org.mfshell.testutil.MfshellProcess.run(
                    List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"),
                    Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()), null, "instances", "--json");
            assertEquals(0, r.exitCode(), r.stderr());
            for (JsonNode n : new ObjectMapper().readTree(r.stdout())) {
                JsonNode q = n.get("queues");
                viaPostqueue.put(n.get("name").asText(), new QueueCounts(q.get("maildrop").asLong(),
                        q.get("incoming").asLong(), q.get("active").asLong(), q.get("deferred").asLong(),
                        q.get("hold").asLong()));
            }
            if (direct.equals(viaPostqueue)) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(direct, viaPostqueue);
    }

    private static QueueCounts postqueueCounts(String dir) throws IOException {
        ExecResult r = new ProcessRunner().run(List.of("postqueue", "-c", dir, "-j"), Duration.ofSeconds(60));
        Map<String, Long> n = new HashMap<>();
        ObjectMapper m = new ObjectMapper();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                JsonNode o = m.readTree(line);
                n.merge(o.get("queue_name").asText(), 1L, Long::sum);
            }
        }
        return new QueueCounts(n.getOrDefault("maildrop", 0L), n.getOrDefault("incoming", 0L),
                n.getOrDefault("active", 0L), n.getOrDefault("deferred", 0L), n.getOrDefault("hold", 0L));
    }
}
