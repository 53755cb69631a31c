package org.mfshell.dns;

import java.util.List;

/**
 * {@code ips off|on IP} as a plan: the exact zone lines to remove or add, each relay name's
 * addresses before and after with the healthy ones left, BIND's check of the resulting relay
 * records, the reroute for mail already queued at the IP's instances, and the problems that
 * make the change unsafe ({@code ok} false: a relay name left without a healthy address, a
 * relay name whose records are unknown, zone text BIND refuses, an IP listed where it would serve).
 */
public record IpSwitch(String action, String ip, List<String> instances, List<String> remove, List<String> add,
                       List<RelayChange> relays, List<String> zoneAfter, boolean zoneCompiles, String zoneMessages,
                       List<String> reroutes, List<String> problems, List<String> notes) {
    public boolean ok() {
        return problems.isEmpty();
    }

    /** One relay name: its addresses before and after, and which of those after are healthy. */
    public record RelayChange(String relay, String group, List<String> before, List<String> after,
                              List<String> healthyAfter) {
    }
}
