package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to health, warmup and relay-map: one clear line on stderr, exit 2, nothing on stdout. */
class HealthCommandsBadInputTest {
    @TempDir
    Path root;

    private void usage(String expectedStart, String... argv) {
        InProcessCli.Result r = InProcessCli.run(root, argv);
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mfshell: " + expectedStart), r.err());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        usage("unknown provider group 'yahoo' (known: msn, aol, earthlink, therest)",
                "warmup", "plan", "yahoo", "--new-ip", "216.66.15.9", "--existing", "209.51.172.9", "--host", "h.example");
        usage("--new-ip: bad IP address '216.66.15.999'",
                "warmup", "plan", "msn", "--new-ip", "216.66.15.999", "--existing", "209.51.172.9");
        usage("--existing: bad IP address 'rustin'",
                "warmup", "plan", "msn", "--new-ip", "216.66.15.9", "--existing", "rustin");
        usage("--every: bad duration '1fortnight'",
                "warmup", "plan", "msn", "--new-ip", "216.66.15.9", "--existing", "209.51.172.9", "--every", "1fortnight");
        usage("warmup plan: --new-ip IP is required", "warmup", "plan", "msn", "--existing", "209.51.172.9");
        usage("--since: cannot read 'yesterdayish'", "health", "--since", "yesterdayish");
        usage("--since: bad duration '1month'", "warmup", "status", "msn", "--since", "1month");
        usage("--since: give a time in the past", "health", "--since", "2099-01-01");
        usage("--rules '" + root.resolve("nope") + "': no such file", "health", "--rules", root.resolve("nope").toString());
        usage("unknown provider group 'gmail'", "relay-map", "--group", "gmail");
        usage("--suffix: bad domain 'smtp..example'", "relay-map", "--suffix", "smtp..example");
        usage("--check '" + root.resolve("none") + "': no such file", "relay-map", "--check", root.resolve("none").toString());
        // The planner's domain errors, turned into this command's flags.
        usage("--steps: give 1 to 12, not 0", "warmup", "plan", "msn", "--new-ip", "216.66.15.9", "--existing",
                "209.51.172.9", "--host", "h.example", "--steps", "0");
        usage("--new-ip 216.66.15.9 already serves msn.smtp.mayfirst.org", "warmup", "plan", "msn", "--new-ip",
                "216.66.15.9", "--existing", "216.66.15.9", "--host", "h.example");
    }

    @Test
    void warmupPlanPrintsStagesWithGivenAddresses() {
        InProcessCli.Result r = InProcessCli.run(root, "warmup", "plan", "msn", "--new-ip", "216.66.15.9",
                "--existing", "209.51.172.9", "--host", "rustin.mayfirst.org", "--start", "2026-12-01");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Stage 1 (from 2026-12-01): 5 existing : 1 new"), r.out());
        assertTrue(r.out().contains("Stage 2 (from 2027-01-01): 4 existing : 2 new"), r.out());
        assertTrue(r.out().contains("  rustin.mayfirst.org.\t86400\tIN\tA\t216.66.15.9"), r.out());
        assertTrue(r.out().contains("  msn.smtp.mayfirst.org.\t600\tIN\tA\t216.66.15.9"), r.out());
    }

    @Test
    void relayMapCheckExitsOneOnAWrongMap() throws Exception {
        InProcessCli.Result printed = InProcessCli.run(root, "relay-map", "--group", "earthlink");
        assertEquals(0, printed.exitCode(), printed.err());
        Path f = root.resolve("transport.relay");
        Files.writeString(f, printed.out().replace("smtp:earthlink.smtp.mayfirst.org", "smtp:msn.smtp.mayfirst.org"));
        InProcessCli.Result r = InProcessCli.run(root, "relay-map", "--group", "earthlink", "--check", f.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.out().contains("wrong    earthlink.net -> smtp:msn.smtp.mayfirst.org  (want smtp:earthlink.smtp.mayfirst.org)"),
                r.out());
        Files.writeString(f, printed.out());
        r = InProcessCli.run(root, "relay-map", "--group", "earthlink", "--check", f.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
    }

    @Test
    void completionOffersTheNewCommandsActionsAndOptions() {
        org.mfshell.AppContext ctx = new org.mfshell.AppContext(root, root, root.resolve("a"), root,
                new org.mfshell.postfix.ProcessRunner());
        CompletionEngine c = new CompletionEngine(Commands.all(), ctx);
        assertTrue(c.complete(java.util.List.of(), "he").contains("health"), c.complete(java.util.List.of(), "he").toString());
        assertTrue(c.complete(java.util.List.of(), "rel").contains("relay-map"));
        assertEquals(java.util.List.of("plan"), c.complete(java.util.List.of("warmup"), "p"));
        assertTrue(c.complete(java.util.List.of("health"), "--").containsAll(java.util.List.of("--since", "--json", "--rules")));
        assertTrue(c.complete(java.util.List.of("relay-map"), "--c").contains("--check"));
    }
}
