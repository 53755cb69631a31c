package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mfshell.core.MfshellException;

/** The facts a target host sends, read strictly: a good one round-trips, every hostile member is refused by name. */
class TargetFactsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TargetFacts good() {
        return new TargetFacts("0.9.0", "msn-b", "127.0.169.5", List.of("127.0.169.5:25", "*:submission"), true,
                "msn-b.lab.invalid", List.of("127.0.0.0/8", "[::1]/128", "hash:/etc/postfix/networks"), true,
                "/etc/postfix-msn-b", List.of(new TargetFacts.Edge("msn-a", "msn-b", "127.0.169.5", List.of("hotmail.com"),
                "journal active"), new TargetFacts.Edge("aol-a", "rustin:msn-a", "127.0.168.4", List.of(), "journal running")),
                "2026-12-02T13:00:00Z", null);
    }

    private static String with(Consumer<ObjectNode> change) throws Exception {
        ObjectNode o = (ObjectNode) MAPPER.readTree(good().toJson());
        change.accept(o);
        return MAPPER.writeValueAsString(o);
    }

    private static String refused(String json) {
        MfshellException e = assertThrows(MfshellException.class, () -> TargetFacts.parse(json, "cleveland"));
        assertTrue(e.getMessage().startsWith("cleveland sent facts mfshell does not accept: "), e.getMessage());
        assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), "one line, control characters escaped: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void goodFactsRoundTrip() {
        TargetFacts f = TargetFacts.parse(good().toJson(), "cleveland");
        assertEquals(good(), f);
    }

    @Test
    void listensOnReadsDiscoveryWords() {
        assertTrue(TargetFacts.listensOn(List.of("127.0.169.5:smtp"), "127.0.169.5"));
        assertTrue(TargetFacts.listensOn(List.of("*:25"), "127.0.169.5"));
        assertTrue(TargetFacts.listensOn(List.of("[::1]:25"), "::1"));
        assertFalse(TargetFacts.listensOn(List.of("127.0.169.5:2525", "127.0.169.6:25"), "127.0.169.5"));
        assertFalse(TargetFacts.listensOn(List.of("garbage"), "127.0.169.5"));
    }

    @Test
    void notJsonOrNotAnObjectOrTooLarge() {
        assertTrue(refused("not json").contains("not JSON"));
        assertTrue(refused("[1,2]").contains("not one JSON object"));
        assertTrue(refused("").contains("not one JSON object"));
        assertTrue(refused(" ".repeat(TargetFacts.MAX_BYTES + 1)).contains("larger than"));
        assertTrue(refused("[".repeat(5000)).contains("not JSON"));
        assertThrows(MfshellException.class, () -> TargetFacts.parse(null, "cleveland"));
    }

    @Test
    void wrongVersionIsNamed() throws Exception {
        assertTrue(refused(with(o -> o.put("facts_version", 1))).contains("facts_version is 1, this mfshell reads version 2 (install the same mfshell on both hosts)"));
        assertTrue(refused(with(o -> o.put("facts_version", "2"))).contains("facts_version"));
        assertTrue(refused(with(o -> o.remove("facts_version"))).contains("facts_version is missing"));
    }

    @Test
    void everyMemberIsCheckedForWhatItIs() throws Exception {
        assertTrue(refused(with(o -> o.put("instance", "../../etc"))).contains("instance '../../etc' is not a valid instance name"));
        assertTrue(refused(with(o -> o.put("instance", "-oProxyCommand=x"))).contains("instance"));
        assertTrue(refused(with(o -> o.put("sending_address", "127.0.0.1; rm -rf /"))).contains("sending_address"));
        assertTrue(refused(with(o -> o.put("sending_address", "mail.example.com"))).contains("not an IPv4 or IPv6 address"));
        assertTrue(refused(with(o -> o.put("sending_address", 17))).contains("sending_address is 17, not a string"));
        assertTrue(refused(with(o -> o.put("myhostname", "evil\nhost"))).contains("myhostname 'evil\\nhost' is not a host name"));
        assertTrue(refused(with(o -> o.put("myhostname", "a..b"))).contains("myhostname"));
        assertTrue(refused(with(o -> o.putArray("mynetworks").add("127.0.0.0/8 0.0.0.0/0"))).contains("mynetworks entry"));
        assertTrue(refused(with(o -> o.put("mynetworks", "127.0.0.0/8"))).contains("mynetworks is \"127.0.0.0/8\", not a list"));
        assertTrue(refused(with(o -> o.putArray("listen").add("127.0.0.1:25\u001b[2J"))).contains("listen entry"));
        assertTrue(refused(with(o -> o.put("running", "yes"))).contains("running is \"yes\", not true or false"));
        assertTrue(refused(with(o -> o.put("listens_on_sending_address", 1))).contains("listens_on_sending_address"));
        assertTrue(refused(with(o -> o.put("config_dir", "/etc/../root"))).contains("config_dir"));
        assertTrue(refused(with(o -> o.put("config_dir", "etc/postfix"))).contains("config_dir"));
        assertTrue(refused(with(o -> o.put("read_at", "yesterday"))).contains("read_at 'yesterday' is not a time"));
        assertTrue(refused(with(o -> o.put("mfshell_version", "1.0; reboot"))).contains("mfshell_version"));
        assertTrue(refused(with(o -> o.put("instance", "x".repeat(2000)))).contains("longer than 1000 characters"));
    }

    @Test
    void rerouteEdgesAreCheckedToo() throws Exception {
        assertTrue(refused(with(o -> ((ObjectNode) o.withArray("reroutes").get(0)).put("from", "../x"))).contains("reroutes: from"));
        assertTrue(refused(with(o -> ((ObjectNode) o.withArray("reroutes").get(0)).put("to", "-oX:msn-a"))).contains("reroutes: to"));
        assertTrue(refused(with(o -> ((ObjectNode) o.withArray("reroutes").get(0)).put("to", "host:../a"))).contains("reroutes: to"));
        assertTrue(refused(with(o -> ((ObjectNode) o.withArray("reroutes").get(0)).put("to_address", "nowhere")))
                .contains("reroutes: to_address"));
        assertTrue(refused(with(o -> ((ObjectNode) o.withArray("reroutes").get(0)).putArray("domains").add("hot mail.com")))
                .contains("reroutes: domain"));
        assertTrue(refused(with(o -> ((ObjectNode) o.withArray("reroutes").get(0)).put("why", "a\u0007b"))).contains("reroutes: why"));
        assertTrue(refused(with(o -> o.withArray("reroutes").add("msn-a -> msn-b"))).contains("not an object"));
        assertTrue(refused(with(o -> {
            for (int i = 0; i <= TargetFacts.MAX_LIST; i++) {
                o.withArray("reroutes").addObject();
            }
        })).contains("more than " + TargetFacts.MAX_LIST));
    }

    @Test
    void unknownMembersAreIgnored() throws Exception {
        TargetFacts f = TargetFacts.parse(with(o -> o.put("future_member", "anything")), "cleveland");
        assertEquals(good(), f);
    }
}
