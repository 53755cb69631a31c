package org.mfshell.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import org.mfshell.health.HealthService;

/**
 * Cross-host reroute suggestions over the hosts' {@code health --json} reports: for an instance
 * BLOCKED for a provider group (the report's {@code blocked} list, with the domains a BLOCKED
 * signature deferred) that its own host cannot help with (no suggestion there, so no OK sibling),
 * the running instance of the same family on another host whose verdict for that group is OK
 * (or that serves the group by its name and has not delivered to it), the one that sent the most
 * to it winning, earlier hosts first on a tie. Reports from remotes without a {@code blocked}
 * list give no suggestion. Reports no errors.
 */
public final class FleetHealth {
    /** {@code flush HOST:INSTANCE --to TARGET_HOST:TARGET --domain ...}. */
    public record CrossSuggestion(String host, String instance, String group, String targetHost, String target,
                                  List<String> domains, String command) {
    }

    private FleetHealth() {
    }

    /** {@code reports}: host to its health report, in the fleet's order. */
    public static List<CrossSuggestion> suggest(Map<String, JsonNode> reports) {
        List<CrossSuggestion> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : reports.entrySet()) {
            String host = e.getKey();
            for (JsonNode b : e.getValue().path("blocked")) {
                String instance = b.path("instance").asText();
                String group = b.path("group").asText();
                if (instance.isEmpty() || group.isEmpty() || helpedAtHome(e.getValue(), instance, group)) {
                    continue;
                }
                List<String> domains = new ArrayList<>();
                b.path("domains").forEach(d -> domains.add(d.asText()));
                if (domains.isEmpty()) {
                    continue;
                }
                String bestHost = null;
                String best = null;
                long bestSent = -1;
                for (Map.Entry<String, JsonNode> other : reports.entrySet()) {
                    if (other.getKey().equals(host)) {
                        continue;
                    }
                    for (JsonNode s : other.getValue().path("instances")) {
                        long sent = okSent(s, instance, group);
                        if (sent > bestSent) {
                            bestSent = sent;
                            bestHost = other.getKey();
                            best = s.path("instance").asText();
                        }
                    }
                }
                if (best == null) {
                    continue;
                }
                StringBuilder cmd = new StringBuilder("flush " + host + ":" + instance + " --to " + bestHost + ":" + best);
                domains.forEach(d -> cmd.append(" --domain ").append(d));
                out.add(new CrossSuggestion(host, instance, group, bestHost, best, List.copyOf(domains), cmd.toString()));
            }
        }
        return out;
    }

    private static boolean helpedAtHome(JsonNode report, String instance, String group) {
        for (JsonNode s : report.path("suggestions")) {
            if (s.path("instance").asText().equals(instance) && s.path("group").asText().equals(group)) {
                return true;
            }
        }
        return false;
    }

    /** What {@code s} sent to {@code group} when it could take {@code instance}'s mail for it, else -1. */
    private static long okSent(JsonNode s, String instance, String group) {
        String name = s.path("instance").asText();
        if (!s.path("running").asBoolean(false) || !HealthService.family(name).equals(HealthService.family(instance))) {
            return -1;
        }
        for (JsonNode g : s.path("groups")) {
            if (g.path("group").asText().equals(group)) {
                return "OK".equals(g.path("verdict").asText()) ? g.path("sent").asLong(0) : -1;
            }
        }
        return HealthService.family(name).equals(group) ? 0 : -1;
    }
}
