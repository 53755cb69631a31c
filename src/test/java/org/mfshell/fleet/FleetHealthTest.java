package org.mfshell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cross-host reroute suggestions from the hosts' health JSON. */
class FleetHealthTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode instance(String name, boolean running, String group, String verdict, long sent) throws Exception {
        String groups = group == null ? "[]" : "[{\"group\":\"" + group + "\",\"verdict\":\"" + verdict + "\",\"sent\":" + sent + "}]";
        return MAPPER.readTree("{\"instance\":\"" + name + "\",\"running\":" + running + ",\"groups\":" + groups + "}");
    }

    private static JsonNode report(List<JsonNode> instances, String blocked, String suggestions) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode r = MAPPER.createObjectNode();
        r.set("instances", MAPPER.valueToTree(instances));
        r.set("blocked", MAPPER.readTree(blocked));
        r.set("suggestions", MAPPER.readTree(suggestions));
        return r;
    }

    private static final String RUSTIN_BLOCKED = "[{\"instance\":\"msn-a\",\"group\":\"msn\",\"domains\":[\"hotmail.com\",\"live.com\"]}]";

    @Test
    void suggestsTheOkInstanceOnAnotherHostWhenNoSiblingAtHomeIs() throws Exception {
        Map<String, JsonNode> reports = new LinkedHashMap<>();
        reports.put("rustin", report(List.of(instance("msn-a", true, "msn", "BLOCKED", 3), instance("msn-b", false, "msn", "OK", 9),
                instance("aol-a", true, "aol", "OK", 5)), RUSTIN_BLOCKED, "[]"));
        reports.put("cleveland", report(List.of(instance("msn-a", true, "msn", "DEGRADED", 50), instance("msn-b", true, "msn", "OK", 7),
                instance("msn-c", true, "msn", "OK", 20), instance("aol-a", true, "msn", "OK", 99)), "[]", "[]"));
        List<FleetHealth.CrossSuggestion> s = FleetHealth.suggest(reports);
        assertEquals(1, s.size(), s.toString());
        assertEquals("flush rustin:msn-a --to cleveland:msn-c --domain hotmail.com --domain live.com", s.get(0).command());
        assertEquals("msn", s.get(0).group());
    }

    @Test
    void noCrossHostSuggestionWhenTheHostHelpsItselfOrNobodyIsOk() throws Exception {
        String home = "[{\"instance\":\"msn-a\",\"group\":\"msn\",\"sibling\":\"msn-b\",\"domains\":[\"hotmail.com\"]}]";
        Map<String, JsonNode> reports = new LinkedHashMap<>();
        reports.put("rustin", report(List.of(instance("msn-a", true, "msn", "BLOCKED", 3), instance("msn-b", true, "msn", "OK", 9)),
                RUSTIN_BLOCKED, home));
        reports.put("cleveland", report(List.of(instance("msn-b", true, "msn", "OK", 7)), "[]", "[]"));
        assertEquals(List.of(), FleetHealth.suggest(reports));

        Map<String, JsonNode> none = new LinkedHashMap<>();
        none.put("rustin", report(List.of(instance("msn-a", true, "msn", "BLOCKED", 3)), RUSTIN_BLOCKED, "[]"));
        none.put("cleveland", report(List.of(instance("msn-b", true, "msn", "BLOCKED", 7), instance("msn-c", false, "msn", "OK", 7)),
                "[]", "[]"));
        assertEquals(List.of(), FleetHealth.suggest(none));
    }

    @Test
    void anInstanceServingTheGroupByNameCountsWhenItHasNotDeliveredThere() throws Exception {
        Map<String, JsonNode> reports = new LinkedHashMap<>();
        reports.put("rustin", report(List.of(instance("msn-a", true, "msn", "BLOCKED", 3)), RUSTIN_BLOCKED, "[]"));
        reports.put("cleveland", report(List.of(instance("msn-b", true, null, null, 0)), "[]", "[]"));
        assertEquals("flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com --domain live.com",
                FleetHealth.suggest(reports).get(0).command());
        Map<String, JsonNode> old = new LinkedHashMap<>();
        old.put("rustin", MAPPER.readTree("{\"instances\":[],\"suggestions\":[]}"));
        old.put("cleveland", report(List.of(instance("msn-b", true, null, null, 0)), "[]", "[]"));
        assertEquals(List.of(), FleetHealth.suggest(old));
    }
}
