package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.shell.render.Json;

/**
 * health, warmup and relay-map on the real lab: the provider defers msn-a's hotmail.com and
 * outlook.com mail with a Microsoft-style 4.7.651 reply and takes msn-b's. Commands run
 * in-process through Cli against the lab's config root.
 */
class HealthLabTest {
    static Lab lab;

    @BeforeAll
    static void seed() {
        lab = LabFixture.shared();
        if (!lab.blockedInstances().contains("msn-a")) {
            lab.block("msn-a");
        }
        if (lab.blockedInstances().contains("msn-b")) {
            lab.unblock("msn-b");
        }
        LabFixture.seededOnce();
    }

    private static String row(String out, String instance) {
        return out.lines().filter(l -> l.startsWith(instance + " ")).findFirst().orElseThrow(() -> new AssertionError(
                "no row for " + instance + " in\n" + out));
    }

    @Test
    void healthSaysMsnABlockedMsnBOkAndSuggestsTheFlush() throws Exception {
        InProcessCli.Result r = InProcessCli.run(lab.configRoot(), "health", "--since", "3h");
        assertEquals(0, r.exitCode(), r.err());
        String msnA = row(r.out(), "msn-a");
        assertTrue(msnA.contains(lab.address("msn-a")), msnA);
        assertTrue(msnA.endsWith("BLOCKED (msn)"), msnA);
        assertTrue(row(r.out(), "msn-b").endsWith("OK"), r.out());
        assertTrue(row(r.out(), "aol-a").endsWith("OK"), r.out());
        assertTrue(r.out().contains("msn-a msn: BLOCKED, block signature microsoft-4.7.651"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  msn-a  ") && l.contains("[msn, microsoft-4.7.651]  451 4.7.651 ")
                && l.contains("The mail server [<ip>] has been temporarily rate limited due to IP reputation")), r.out());
        assertTrue(r.out().contains("    flush msn-a --to msn-b --domain hotmail.com --domain outlook.com\n"), r.out());

        InProcessCli.Result j = InProcessCli.run(lab.configRoot(), "health", "--since", "3h", "--json");
        assertEquals(0, j.exitCode(), j.err());
        JsonNode report = Json.MAPPER.readTree(j.out());
        for (JsonNode i : report.get("instances")) {
            String name = i.get("instance").asText();
            assertEquals(name.equals("msn-a") ? "BLOCKED" : "OK", i.get("verdict").asText(), name);
            assertEquals(lab.address(name), i.get("sendingIp").asText());
        }
        JsonNode s = report.get("suggestions").get(0);
        assertEquals("msn-b", s.get("sibling").asText());
        assertEquals("flush msn-a --to msn-b --domain hotmail.com --domain outlook.com", s.get("command").asText());
        assertEquals(1, report.get("suggestions").size());
    }

    @Test
    void aBrokenRulesFileIsNamedWithItsLineAndTheBuiltInRulesStillDecide() throws Exception {
        Path rules = Files.createTempFile("health-rules", ".txt");
        try {
            Files.writeString(rules, "# operator rules\nsignature ms BLOKKED 4\\.7\\.651\n");
            InProcessCli.Result r = InProcessCli.run(lab.configRoot(), "health", "--since", "3h", "--rules", rules.toString());
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("mfshell: warning: health rules " + rules + ":2: bad verdict 'BLOKKED' (BLOCKED or DEGRADED); "
                    + "using the built-in rules\n", r.err());
            assertTrue(row(r.out(), "msn-a").endsWith("BLOCKED (msn)"), r.out());
        } finally {
            Files.deleteIfExists(rules);
        }
    }

    @Test
    void warmupUsesTheFamilyAddressesAndMeasuresSentShares() throws Exception {
        String fresh = lab.prefix() + ".7";
        InProcessCli.Result p = InProcessCli.run(lab.configRoot(), "warmup", "plan", "msn", "--new-ip", fresh, "--json");
        assertEquals(0, p.exitCode(), p.err());
        JsonNode plan = Json.MAPPER.readTree(p.out());
        assertEquals("[\"" + lab.address("msn-a") + "\",\"" + lab.address("msn-b") + "\"]", plan.get("existing").toString());
        assertTrue(plan.get("hostRecords").get(0).asText().endsWith("\t86400\tIN\tA\t" + fresh), plan.toString());
        assertEquals(3, plan.get("stages").size());

        InProcessCli.Result st = InProcessCli.run(lab.configRoot(), "warmup", "status", "msn", "--since", "3h", "--json");
        assertEquals(0, st.exitCode(), st.err());
        JsonNode status = Json.MAPPER.readTree(st.out());
        double sum = 0;
        long sent = 0;
        for (JsonNode s : status.get("shares")) {
            assertEquals(0.5, s.get("planned").asDouble(), 1e-9);
            sum += s.get("measured").asDouble();
            sent += s.get("sent").asLong();
        }
        assertTrue(sent > 0, st.out());
        assertEquals(1.0, sum, 1e-9);
        assertEquals(sent, status.get("totalSent").asLong());
        assertTrue(status.get("notes").get(0).asText().contains("connection caching"), st.out());
    }
}
