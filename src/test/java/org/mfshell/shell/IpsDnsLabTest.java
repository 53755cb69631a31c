package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mfshell.dns.DnsServer;
import org.mfshell.dns.LabZones;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.shell.render.Json;
import org.mfshell.testutil.MfshellProcess;

/**
 * ips and relays on the real lab against a real DNS server (NSD on 127.0.72.1) serving the relay
 * names, the lab's reverse zone and four test DNSBL zones read with the real code tables (see
 * {@link LabZones}): what is flagged, a refused DNSBL answer, the address-to-instance map, ips
 * off/on plans and their zone check, a resolver that never answers, and bad input.
 */
class IpsDnsLabTest {
    static Lab lab;
    static DnsServer dns;
    static Path dir;
    static Path lists;

    @BeforeAll
    static void up() throws Exception {
        DnsServer.requireAvailable();
        lab = LabFixture.shared();
        if (lab.blockedInstances().contains("msn-b")) {
            lab.unblock("msn-b");
        }
        dir = Files.createTempDirectory("mfshell-dns-test");
        lists = dir.resolve("lists.txt");
        Files.writeString(lists, LabZones.listsFile());
        String host = DnsServer.prefix() + ".1";
        Path zones = Files.createDirectories(dir.resolve("nsd"));
        dns = DnsServer.start(zones, host, LabZones.zones(lab.prefix(), host));
    }

    @AfterAll
    static void down() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    private static InProcessCli.Result run(String... words) {
        List<String> argv = new ArrayList<>(List.of(words));
        argv.addAll(List.of("--resolver", dns.resolverArg(), "--suffix", LabZones.SUFFIX, "--lists", lists.toString(),
                "--no-cache"));
        return InProcessCli.run(lab.configRoot(), argv.toArray(String[]::new));
    }

    private static JsonNode ip(JsonNode report, String instance) {
        for (JsonNode n : report.get("ips")) {
            if (n.get("ip").asText().equals(lab.address(instance))) {
                return n;
            }
        }
        throw new AssertionError("no row for " + instance + " in " + report);
    }

    private static JsonNode listing(JsonNode ip, String list) {
        for (JsonNode l : ip.get("listings")) {
            if (l.get("list").asText().equals(list)) {
                return l;
            }
        }
        throw new AssertionError("no " + list + " in " + ip);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isNull() ? null : n.asText()));
        return out;
    }

    @Test
    void ipsFlagsMissingPtrNonConfirmingPtrHeloMismatchShortTtlAndListings() throws Exception {
        InProcessCli.Result r = run("ips", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = Json.MAPPER.readTree(r.out());
        assertEquals(5, report.get("ips").size(), r.out());

        JsonNode aol = ip(report, "aol-a");
        assertEquals("ok", aol.get("ptrStatus").asText());
        assertTrue(aol.get("fcrdns").asBoolean());
        assertEquals(86400, aol.get("hostTtl").asLong());
        assertEquals("aol-a.lab.invalid", aol.get("helo").get("aol-a").asText());
        assertTrue(aol.get("heloResolves").get("aol-a.lab.invalid").asBoolean());
        assertEquals(List.of(), texts(aol.get("flags")), aol.toString());
        assertEquals("OK", aol.get("verdicts").get("aol").asText());

        JsonNode earthlink = ip(report, "earthlink-a");
        assertEquals(300, earthlink.get("hostTtl").asLong());
        assertEquals(List.of("short host-record TTL 300s for earthlink-a.lab.invalid (< 3600s)"),
                texts(earthlink.get("flags")));

        JsonNode msnA = ip(report, "msn-a");
        assertEquals("none", msnA.get("ptrStatus").asText());
        assertTrue(msnA.get("fcrdns").isNull());
        JsonNode zen = listing(msnA, "zen");
        assertEquals("listed", zen.get("status").asText());
        assertEquals(List.of("127.0.0.2", "127.0.0.4"), texts(zen.get("codes")).stream().sorted().toList());
        assertEquals("listed", listing(msnA, "spamcop").get("status").asText());
        assertEquals("not-listed", listing(msnA, "barracuda").get("status").asText());
        assertEquals("not-listed", listing(msnA, "uceprotect1").get("status").asText());
        List<String> msnAFlags = texts(msnA.get("flags"));
        assertTrue(msnAFlags.contains("no PTR"), msnAFlags.toString());
        assertTrue(msnAFlags.stream().anyMatch(f -> f.startsWith("listed on zen (") && f.contains("SBL (spam source)")
                && f.contains("XBL (exploited host, CBL)")), msnAFlags.toString());
        assertTrue(msnAFlags.contains("listed on spamcop (listed)"), msnAFlags.toString());
        // zen is used by msn/aol/therest (BLOCKED) and earthlink (DEGRADED); spamcop by therest (DEGRADED).
        assertEquals("BLOCKED", msnA.get("listingVerdicts").get("msn").asText());
        assertEquals("DEGRADED", msnA.get("listingVerdicts").get("earthlink").asText());
        assertEquals("BLOCKED", msnA.get("verdicts").get("msn").asText());
        assertEquals(1, msnA.get("relays").size(), msnA.toString());
        assertEquals("msn", msnA.get("relays").get(0).get("group").asText());
        assertEquals(600, msnA.get("relays").get(0).get("ttl").asLong());

        JsonNode msnB = ip(report, "msn-b");
        assertEquals(List.of("mail5.lab.invalid"), texts(msnB.get("ptr")));
        assertFalse(msnB.get("fcrdns").asBoolean());
        assertEquals(List.of("PTR mail5.lab.invalid does not resolve back to " + lab.address("msn-b")),
                texts(msnB.get("flags")));

        JsonNode rest = ip(report, "therest-a");
        assertTrue(rest.get("fcrdns").asBoolean());
        assertEquals("relay6.lab.invalid", rest.get("confirmedName").asText());
        assertFalse(rest.get("heloResolves").get("therest-a.lab.invalid").asBoolean());
        assertEquals(List.of("HELO therest-a.lab.invalid does not resolve to " + lab.address("therest-a")),
                texts(rest.get("flags")));

        InProcessCli.Result t = run("ips");
        assertEquals(0, t.exitCode(), t.err());
        String row = t.out().lines().filter(l -> l.startsWith(lab.address("msn-a") + " ")).findFirst().orElseThrow();
        assertTrue(row.contains(" none ") && row.contains("LISTED zen,spamcop") && row.contains("BLOCKED (msn,aol,therest)"),
                row);
        assertTrue(t.out().contains("  " + lab.address("therest-a") + "  HELO therest-a.lab.invalid does not resolve to "),
                t.out());
    }

    @Test
    void aRefusedDnsblAnswerIsUnknownNeverListed() throws Exception {
        InProcessCli.Result r = run("ips", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode rest = ip(Json.MAPPER.readTree(r.out()), "therest-a");
        JsonNode zen = listing(rest, "zen");
        assertEquals("unknown", zen.get("status").asText(), zen.toString());
        assertEquals(List.of("127.255.255.254"), texts(zen.get("codes")));
        assertEquals("query refused (public or open resolver)", zen.get("error").asText());
        assertEquals(0, rest.get("listingVerdicts").size(), rest.toString());
        assertTrue(texts(rest.get("flags")).stream().noneMatch(f -> f.startsWith("listed")), rest.toString());
        assertEquals("OK", rest.get("verdicts").get("therest").asText());
        InProcessCli.Result t = run("ips");
        assertTrue(t.out().contains("  " + lab.address("therest-a") + "  zen: unknown (query refused (public or open resolver))"),
                t.out());
    }

    @Test
    void relaysMapsEachAddressToItsInstance() throws Exception {
        InProcessCli.Result r = run("relays", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode relays = Json.MAPPER.readTree(r.out()).get("relays");
        Map<String, List<String>> expected = Map.of(
                "msn", List.of(lab.address("msn-a") + "=msn-a", lab.address("msn-b") + "=msn-b"),
                "aol", List.of(lab.address("aol-a") + "=aol-a"),
                "earthlink", List.of(lab.address("earthlink-a") + "=earthlink-a"),
                "therest", List.of(lab.address("therest-a") + "=therest-a", lab.prefix() + ".9="));
        assertEquals(4, relays.size());
        for (JsonNode rel : relays) {
            String group = rel.get("group").asText();
            assertEquals(group + "." + LabZones.SUFFIX, rel.get("name").asText());
            List<String> got = new ArrayList<>();
            for (JsonNode a : rel.get("addresses")) {
                got.add(a.get("address").asText() + "=" + String.join(",", texts(a.get("instances"))));
                assertEquals(600, a.get("ttl").asLong());
                assertEquals(1.0 / rel.get("addresses").size(), a.get("share").asDouble(), 1e-9);
            }
            assertEquals(expected.get(group).stream().sorted().toList(), got.stream().sorted().toList(), group);
        }
        JsonNode therest = relays.get(3);
        assertEquals(List.of(lab.prefix() + ".9 belongs to no running instance here"), texts(therest.get("flags")));
        assertEquals("not ours", therest.get("addresses").get(1).get("state").asText());
        assertEquals("BLOCKED", relays.get(0).get("addresses").get(0).get("verdict").asText(), "msn-a is listed on zen");
    }

    @Test
    void ipsOffKeepsEveryRelayNameServedAndItsZoneLinesCompile() throws Exception {
        String msnA = lab.address("msn-a");
        InProcessCli.Result r = run("ips", "off", msnA, "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        JsonNode plan = Json.MAPPER.readTree(r.out());
        assertEquals(List.of("msn.smtp.lab.invalid.\t600\tIN\tA\t" + msnA), texts(plan.get("remove")));
        assertTrue(plan.get("zoneCompiles").asBoolean());
        for (JsonNode rel : plan.get("relays")) {
            assertTrue(rel.get("healthyAfter").size() > 0, rel.toString());
        }
        assertEquals(List.of(lab.address("msn-b")), texts(plan.get("relays").get(0).get("after")));
        assertTrue(texts(plan.get("reroutes")).get(0).startsWith("flush msn-a --to msn-b "), plan.toString());

        // The resulting relay records, loaded by BIND on their own: every relay name is still served.
        List<String> zone = new ArrayList<>(List.of("$TTL 3600",
                "smtp.lab.invalid.\tIN\tSOA\tns.lab.invalid. hostmaster.lab.invalid. 2 3600 600 604800 600",
                "smtp.lab.invalid.\tIN\tNS\tns.lab.invalid."));
        zone.addAll(texts(plan.get("zoneAfter")));
        Path f = dir.resolve("after.zone");
        Files.write(f, zone);
        ExecResult c = new ProcessRunner().run(List.of("named-compilezone", "-q", "-o", "-", "smtp.lab.invalid",
                f.toString()), java.time.Duration.ofSeconds(30));
        assertEquals(0, c.exitCode(), c.stderr());
        for (String g : List.of("msn", "aol", "earthlink", "therest")) {
            assertTrue(c.stdout().lines().anyMatch(l -> l.startsWith(g + ".smtp.lab.invalid.") && l.matches(".*\\sIN\\s+A\\s.*")),
                    g + " not served:\n" + c.stdout());
        }
        assertTrue(c.stdout().lines().noneMatch(l -> l.startsWith("msn.") && l.endsWith(msnA)), c.stdout());

        InProcessCli.Result text = run("ips", "off", msnA);
        assertTrue(text.out().contains("Remove these records from the zone:\n  msn.smtp.lab.invalid.\t600\tIN\tA\t" + msnA
                + "\n"), text.out());
        assertTrue(text.out().contains("named-compilezone: the resulting relay records load"), text.out());

        // aol's only address: turning it off would leave aol.smtp.lab.invalid without a healthy address.
        InProcessCli.Result refused = run("ips", "off", lab.address("aol-a"));
        assertEquals(1, refused.exitCode(), refused.out());
        assertTrue(refused.err().contains("refused: aol.smtp.lab.invalid would keep no healthy address"), refused.err());

        InProcessCli.Result on = run("ips", "on", msnA, "--json");
        assertEquals(0, on.exitCode(), on.err());
        JsonNode onPlan = Json.MAPPER.readTree(on.out());
        assertEquals(0, onPlan.get("add").size());
        assertTrue(texts(onPlan.get("notes")).contains("msn.smtp.lab.invalid already points at " + msnA), on.out());
    }

    @Test
    void ipsOnPrintsTheRecordsToAddAndRefusesAListedIp() throws Exception {
        // A second server whose msn relay name has lost both its addresses.
        String host = DnsServer.prefix() + ".5";
        Map<String, String> zones = new java.util.LinkedHashMap<>(LabZones.zones(lab.prefix(), host));
        zones.put("lab.invalid", zones.get("lab.invalid").lines().filter(l -> !l.startsWith("msn.smtp\t"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
        try (DnsServer second = DnsServer.start(Files.createDirectories(dir.resolve("nsd-on")), host, zones)) {
            String msnB = lab.address("msn-b");
            InProcessCli.Result on = InProcessCli.run(lab.configRoot(), "ips", "on", msnB, "--json", "--resolver", host,
                    "--suffix", LabZones.SUFFIX, "--lists", lists.toString(), "--no-cache");
            assertEquals(0, on.exitCode(), on.err() + on.out());
            JsonNode plan = Json.MAPPER.readTree(on.out());
            assertEquals(List.of("msn.smtp.lab.invalid.\t600\tIN\tA\t" + msnB), texts(plan.get("add")));
            assertTrue(plan.get("zoneCompiles").asBoolean());
            assertEquals(List.of(msnB), texts(plan.get("relays").get(0).get("healthyAfter")));
            assertTrue(texts(plan.get("notes")).contains(msnB + ": PTR mail5.lab.invalid does not resolve back to " + msnB),
                    plan.toString());

            InProcessCli.Result listed = InProcessCli.run(lab.configRoot(), "ips", "on", lab.address("msn-a"),
                    "--resolver", host, "--suffix", LabZones.SUFFIX, "--lists", lists.toString(), "--no-cache");
            assertEquals(1, listed.exitCode(), listed.out());
            assertTrue(listed.err().contains("refused: " + lab.address("msn-a") + " is BLOCKED for msn (listed): it "
                    + "would serve msn.smtp.lab.invalid"), listed.err());
            assertTrue(listed.out().contains("Add these records to the zone:\n  msn.smtp.lab.invalid.\t600\tIN\tA\t"
                    + lab.address("msn-a") + "\n"), listed.out());
        }
    }

    @Test
    void healthDnsblMakesAListedIpBlockedForTheProvidersThatUseTheList() throws Exception {
        InProcessCli.Result r = InProcessCli.run(lab.configRoot(), "health", "--since", "3h", "--json", "--dnsbl",
                "--resolver", dns.resolverArg(), "--lists", lists.toString(), "--no-cache");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = Json.MAPPER.readTree(r.out());
        for (JsonNode i : report.get("instances")) {
            String name = i.get("instance").asText();
            for (JsonNode g : i.get("groups")) {
                if (name.equals("msn-a")) {
                    // zen: msn, aol, therest BLOCKED, earthlink DEGRADED; spamcop: therest DEGRADED.
                    String want = g.get("group").asText().equals("earthlink") ? "DEGRADED" : "BLOCKED";
                    assertTrue(g.get("verdict").asText().equals(want) || g.get("verdict").asText().equals("BLOCKED"),
                            g.toString());
                    assertTrue(g.get("why").asText().contains("listed on zen (SBL (spam source), XBL (exploited host, CBL))"),
                            g.toString());
                } else {
                    assertFalse(g.get("why").asText().contains("listed on"), name + " " + g);
                }
            }
            if (name.equals("msn-a")) {
                assertEquals("BLOCKED", i.get("verdict").asText());
            }
        }
    }

    @Test
    void warmupStatusTakesTheSharesFromTheRealRecords() throws Exception {
        InProcessCli.Result r = InProcessCli.run(lab.configRoot(), "warmup", "status", "therest", "--since", "3h",
                "--json", "--resolver", dns.resolverArg(), "--suffix", LabZones.SUFFIX, "--no-cache");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode st = Json.MAPPER.readTree(r.out());
        assertEquals("DNS records (2 addresses, TTL 600s)", st.get("plannedFrom").asText());
        Map<String, Double> planned = new java.util.TreeMap<>();
        Map<String, String> owner = new java.util.TreeMap<>();
        for (JsonNode s : st.get("shares")) {
            planned.put(s.get("ip").asText(), s.get("planned").asDouble());
            owner.put(s.get("ip").asText(), s.get("instance").isNull() ? "-" : s.get("instance").asText());
        }
        String nobody = lab.prefix() + ".9";
        assertEquals(Map.of(lab.address("therest-a"), 0.5, nobody, 0.5), planned);
        assertEquals(Map.of(lab.address("therest-a"), "therest-a", nobody, "-"), owner);
        assertTrue(texts(st.get("notes")).contains(nobody + " is in the DNS records of therest.smtp.lab.invalid but no "
                + "instance here sends from it"), st.toString());
    }

    @Test
    void aResolverThatNeverAnswersEndsInUnknownWithinTheBound() throws Exception {
        String silent = DnsServer.prefix() + ".9";
        try (DatagramSocket s = DnsServer.silentResolver(silent)) {
            long t0 = System.nanoTime();
            InProcessCli.Result r = InProcessCli.run(lab.configRoot(), "ips", "--json", "--resolver", silent,
                    "--timeout", "1s", "--suffix", LabZones.SUFFIX, "--lists", lists.toString(), "--no-cache");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, r.exitCode(), r.err());
            JsonNode report = Json.MAPPER.readTree(r.out());
            for (JsonNode ip : report.get("ips")) {
                assertEquals("unknown", ip.get("ptrStatus").asText());
                for (JsonNode l : ip.get("listings")) {
                    assertEquals("unknown", l.get("status").asText(), l.toString());
                    assertEquals("timeout", l.get("error").asText(), l.toString());
                }
                assertEquals(0, ip.get("listingVerdicts").size());
                assertTrue(texts(ip.get("flags")).contains("PTR unknown (timeout)"), ip.toString());
            }
            for (JsonNode rel : report.get("relays")) {
                assertEquals("unknown", rel.get("status").asText());
            }
            // One round of queries (PTRs time out, so no forward round): 1 s + 0.25 s hard bound,
            // plus postconf for five instances and the log scan.
            assertTrue(seconds < 6, "took " + seconds + " s");
        }
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path state = lab.configRoot().resolve("state").resolve("dns-cache.json");
        Files.deleteIfExists(state);
        String[][] cases = {
                {"ips", "off", "10.9.9.9"},
                {"ips", "off", lab.prefix() + ".256"},
                {"ips", "on", "msn-a"},
                {"ips", "off"},
                {"ips", "off", "1.2.3.4\u001b[31m"},
                {"ips", "--resolver", "dns.example.org"},
                {"ips", "--resolver", "127.0.0.1:99999"},
                {"relays", "--timeout", "0s"},
                {"relays", "--suffix", "no_such suffix"},
        };
        for (String[] c : cases) {
            InProcessCli.Result r = InProcessCli.run(lab.configRoot(), c);
            assertEquals(2, r.exitCode(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals("", r.out());
            assertFalse(r.err().contains("\u001b"), r.err());
        }
        assertTrue(InProcessCli.run(lab.configRoot(), "ips", "off", "10.9.9.9").err()
                .contains("10.9.9.9 is not the sending address of any instance under " + lab.configRoot()));
        assertTrue(InProcessCli.run(lab.configRoot(), "ips", "off", "1.2.3.4\u001b[31m").err()
                .contains("'1.2.3.4\\x1b[31m'"));
        assertFalse(Files.exists(state), "no DNS work for bad input");

        ExecResult p = MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString()),
                "ips", "off", "10.9.9.9");
        assertEquals(2, p.exitCode(), p.stderr());
        assertEquals("", p.stdout());
    }

    @Test
    void answersAreCachedPerTtlInAPrivateFileAndALinkIsNotFollowed() throws Exception {
        String host = DnsServer.prefix() + ".2";
        Path state = Files.createDirectories(dir.resolve("cache-state"));
        Path cache = state.resolve("dns-cache.json");
        Path elsewhere = dir.resolve("not-the-cache");
        Files.writeString(elsewhere, "keep me");
        Files.createSymbolicLink(cache, elsewhere);
        Map<String, String> env = Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(),
                "MFSHELL_STATE_DIR", state.toString());
        String[] argv = {"ips", "--json", "--resolver", host, "--timeout", "1s", "--suffix", LabZones.SUFFIX,
                "--lists", lists.toString()};
        String first;
        try (DnsServer second = DnsServer.start(Files.createDirectories(dir.resolve("nsd2")), host,
                LabZones.zones(lab.prefix(), host))) {
            ExecResult r = MfshellProcess.run(env, argv);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("DNS cache " + cache + " ignored: not a regular file"), r.stderr());
            first = r.stdout();
        }
        assertEquals("keep me", Files.readString(elsewhere));
        assertFalse(Files.isSymbolicLink(cache));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        // The server is gone: the same answers now come from the cache alone.
        ExecResult again = MfshellProcess.run(env, argv);
        assertEquals(0, again.exitCode(), again.stderr());
        assertEquals("", again.stderr());
        JsonNode a = Json.MAPPER.readTree(first);
        JsonNode b = Json.MAPPER.readTree(again.stdout());
        assertEquals(a.get("ips"), b.get("ips"));
        assertEquals(a.get("relays"), b.get("relays"));
    }
}
