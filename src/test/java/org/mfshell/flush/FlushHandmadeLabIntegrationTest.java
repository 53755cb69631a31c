package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.lab.LabFixture;

/**
 * Every flush proof of {@link FlushLabIntegrationTest}, again on a relay built the way Debian
 * admins build one (LabFixture.handmade(): postmulti, one myhostname for all instances, syslog
 * only through rsyslogd, the default instance never started, aol-a with its own transport map),
 * plus the proofs that only this shape can give.
 */
class FlushHandmadeLabIntegrationTest extends FlushLabIntegrationTest {
    @BeforeAll
    static void upHandmadeLab() throws IOException {
        lab = LabFixture.handmade();
        handmade = true;
        stateDir = lab.root().resolve("flush-test-state");
        auditLog = lab.root().resolve("flush-test-audit.log");
        deleteTree(stateDir);
        Files.deleteIfExists(auditLog);
    }

    @AfterAll
    static void backToTheDefaultShape() {
        handmade = false;
    }

    @Test
    @Order(30)
    void sharedHostnameGetsTheRerouteItsOwnNameAndNothingBounces() throws IOException {
        String name = runner.run(java.util.List.of("postconf", "-c", lab.configDir("msn-a").toString(), "-xh", "myhostname"))
                .stdout().trim();
        assertEquals(name, runner.run(java.util.List.of("postconf", "-c", lab.configDir("msn-b").toString(), "-xh",
                "myhostname")).stdout().trim(), "one hostname for the box");
        long logStart = Files.size(lab.mailLog());
        Run r = cli("flush", "msn-a", "--to", "msn-b", "--domain", "hotmail.com", "--yes", "--wait", "90s");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("which is also msn-a's myhostname") && r.out().contains("mfshell-reroute-msn-a." + name), r.out());
        assertTrue(Files.readString(lab.configDir("msn-a").resolve("master.cf")).contains("-o myhostname=mfshell-reroute-msn-a."
                + name));
        lab.waitForQueuesToSettle(Duration.ofSeconds(60));
        String log = Files.readString(lab.mailLog()).substring((int) logStart);
        assertTrue(log.lines().noneMatch(l -> l.contains("loops back to myself") || l.contains("status=bounced")), log);
        assertEquals(0, cli("flush", "msn-a", "--restore", "--yes").code());
    }

    @Test
    @Order(31)
    void aDomainOfTheInstancesOwnMapIsReroutedAndRestoreIsByteIdentical() throws IOException {
        Path dir = lab.configDir("aol-a");
        Path mainCf = dir.resolve("main.cf");
        String mainSha = AtomicFiles.sha256(mainCf);
        String masterSha = AtomicFiles.sha256(dir.resolve("master.cf"));
        assertTrue(Files.readString(mainCf).contains("transport_maps = hash:" + dir.resolve("transport")), "its own map");
        Run r = cli("flush", "aol-a", "--to", "earthlink-a", "--domain", "example.net", "--yes", "--wait", "10s");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.readString(mainCf).contains("transport_maps = hash:" + dir.resolve("transport.relay") + ", hash:"
                + dir.resolve("transport")), Files.readString(mainCf));
        long providerLogStart = Files.size(lab.providerLogFile());
        String id = sendThrough("aol-a", "someone@example.net");
        lab.waitForQueuesToSettle(Duration.ofSeconds(60));
        Map<String, Map<String, Integer>> accepted = acceptedByClient(providerLogStart);
        assertEquals(1, accepted.getOrDefault(lab.address("earthlink-a"), Map.of()).getOrDefault(id, 0),
                "example.net mail of aol-a went through earthlink-a once: " + accepted);
        assertEquals(0, cli("flush", "aol-a", "--restore", "--yes").code());
        assertEquals(mainSha, AtomicFiles.sha256(mainCf), "main.cf with its own map back byte for byte");
        assertEquals(masterSha, AtomicFiles.sha256(dir.resolve("master.cf")), "master.cf back byte for byte");
    }
}
