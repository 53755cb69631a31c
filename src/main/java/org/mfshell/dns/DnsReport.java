package org.mfshell.dns;

import java.util.List;
import java.util.Map;
import org.mfshell.health.Verdict;

/**
 * What the DNS checks found, serialised as it is for {@code --json}: one {@link IpCheck} per
 * sending IP, one {@link RelayName} per relay name, the resolver used and the lists' source.
 */
public record DnsReport(String resolver, long timeoutMs, String lists, List<IpCheck> ips, List<RelayName> relays) {

    /** One A/AAAA record of a relay name. */
    public record RelayRecord(String relay, String group, String address, long ttl) {
    }

    /**
     * A relay name's records ({@code status}: ok, nxdomain, nodata or unknown when the resolver
     * could not tell), each address with the instances that send from it on this host.
     */
    public record RelayName(String name, String group, String status, String error, List<RelayAddress> addresses) {
    }

    /** One address of a relay name: its TTL, the share of the name it gets, and who owns it here. */
    public record RelayAddress(String address, long ttl, double share, List<String> instances, boolean running) {
    }

    /** One DNSBL answer for one IP: listed, not-listed or unknown (refused, timeout, unknown code). */
    public record Listing(String list, String zone, String status, List<String> codes, List<String> meanings,
                          String error) {
        public boolean listed() {
            return status.equals("listed");
        }
    }

    /**
     * One sending IP: its instances and their HELO names, its PTR names ({@code ptrStatus}: ok,
     * none, unknown), whether a PTR name resolves back to it (fcrdns: true, false, or null when
     * unknown) with that host record's TTL, whether each HELO name resolves to it, the relay
     * names pointing at it, the DNSBL answers, the verdict the listings give per provider group,
     * and the flags a provider would punish.
     */
    public record IpCheck(String ip, List<String> instances, Map<String, String> helo, List<String> ptr,
                          String ptrStatus, Boolean fcrdns, String confirmedName, Long hostTtl,
                          Map<String, Boolean> heloResolves, List<RelayRecord> relays, List<Listing> listings,
                          Map<String, Verdict> listingVerdicts, List<String> flags) {
    }
}
