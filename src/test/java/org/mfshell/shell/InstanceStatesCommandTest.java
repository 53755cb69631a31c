package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.testutil.PostfixDirs;

/**
 * mailq, instances, health and reroutes on boxes shaped like real relays, read by the installed
 * postconf and postqueue: a postmulti default instance that was never started (and
 * master_service_disable = inet), and one instance whose main.cf postconf cannot parse among
 * good ones.
 */
class InstanceStatesCommandTest {
    @TempDir
    Path root;

    private static List<String> lines(String s) {
        return s.lines().toList();
    }

    @Test
    void neverStartedDefaultInstanceIsNormal() throws Exception {
        PostfixDirs.instance(root, "postfix", "master_service_disable = inet\ninet_interfaces = loopback-only\n",
                null, false);
        InProcessCli.Result mailq = InProcessCli.run(root, "mailq");
        assertEquals(0, mailq.exitCode(), mailq.err());
        assertEquals("", mailq.err());
        assertTrue(lines(mailq.out()).get(1).matches("postfix +never started +0 +0 +0 +0 +0 +0 +- +-"), mailq.out());

        InProcessCli.Result one = InProcessCli.run(root, "mailq", "postfix");
        assertEquals(0, one.exitCode(), one.err());
        assertEquals("Mail queue is empty\n", one.out());

        InProcessCli.Result instances = InProcessCli.run(root, "instances");
        assertEquals(0, instances.exitCode(), instances.err());
        assertTrue(lines(instances.out()).get(1).matches("postfix +- +- +never started +0 +0 +0 +0 +-"),
                instances.out());
        assertFalse(instances.out().contains("127.0.0.1:smtp"), "master_service_disable = inet: listens nowhere");

        InProcessCli.Result json = InProcessCli.run(root, "instances", "--json");
        JsonNode i = new ObjectMapper().readTree(json.out()).get(0);
        assertEquals("never started", i.get("state").asText());
        assertEquals(0, i.get("listen").size());

        InProcessCli.Result health = InProcessCli.run(root, "health");
        assertEquals(0, health.exitCode(), health.err());
        assertTrue(health.out().contains("postfix (never started)"), health.out());
    }

    @Test
    void oneBrokenMainCfDoesNotHideTheOthers() throws Exception {
        PostfixDirs.instance(root, "postfix-msn-a", "smtp_bind_address = 127.0.0.4\n", null, true);
        PostfixDirs.instance(root, "postfix-msn-b", "smtp_bind_address 127.0.0.5\n", null, true);
        PostfixDirs.instance(root, "postfix-msn-c", "smtp_bind_address = 127.0.0.6\n", null, true);
        String fatal = "postconf: fatal: " + root.resolve("postfix-msn-b/main.cf")
                + ", line 4: missing '=' after attribute name: \"smtp_bind_address 127.0.0.5\"";

        InProcessCli.Result instances = InProcessCli.run(root, "instances");
        assertEquals(0, instances.exitCode(), instances.err());
        assertEquals(1, lines(instances.err()).size(), instances.err());
        String why = lines(instances.err()).get(0).substring("mfshell: msn-b: ".length());
        assertTrue(why.startsWith("postconf failed: ") && why.endsWith(fatal), instances.err());
        List<String> rows = lines(instances.out());
        assertEquals(4, rows.size(), instances.out());
        assertTrue(rows.get(1).startsWith("msn-a  127.0.0.4"), instances.out());
        assertTrue(rows.get(2).matches("msn-b +- +- +error: postconf failed: .*"), instances.out());
        assertTrue(rows.get(3).startsWith("msn-c  127.0.0.6"), instances.out());

        InProcessCli.Result json = InProcessCli.run(root, "instances", "--json");
        assertEquals(0, json.exitCode(), json.err());
        JsonNode b = new ObjectMapper().readTree(json.out()).get(1);
        assertEquals("error", b.get("state").asText());
        assertEquals(why, b.get("error").asText());

        InProcessCli.Result mailq = InProcessCli.run(root, "mailq");
        assertEquals(0, mailq.exitCode(), mailq.err());
        assertEquals(List.of("mfshell: msn-b: " + why), lines(mailq.err()));
        assertEquals(4, lines(mailq.out()).size(), mailq.out());
        assertTrue(lines(mailq.out()).get(2).matches("msn-b +error: postconf failed: .*"), mailq.out());

        InProcessCli.Result health = InProcessCli.run(root, "health");
        assertEquals(0, health.exitCode(), health.err());
        assertEquals(1, lines(health.err()).stream().filter(l -> l.contains("msn-b")).count(), health.err());
        assertTrue(health.out().contains("msn-a (stopped)  127.0.0.4"), health.out());
        assertTrue(health.out().contains("msn-c (stopped)  127.0.0.6"), health.out());

        InProcessCli.Result reroutes = InProcessCli.run(root, "reroutes");
        assertEquals(0, reroutes.exitCode(), reroutes.err());

        InProcessCli.Result named = InProcessCli.run(root, "mailq", "msn-b");
        assertEquals(1, named.exitCode(), "asked about the broken one: " + named.err());
        assertEquals(1, lines(named.err()).size(), named.err());
    }
}
