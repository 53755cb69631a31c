package org.mfshell.dns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.mfshell.dns.DnsReport.IpCheck;
import org.mfshell.dns.DnsReport.Listing;
import org.mfshell.dns.DnsReport.RelayAddress;
import org.mfshell.dns.DnsReport.RelayName;
import org.mfshell.dns.DnsReport.RelayRecord;
import org.mfshell.health.Verdict;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.relay.RelayNames;
import org.mfshell.mail.IpAddresses;

/**
 * Runs every DNS check of {@code ips} and {@code relays} in two parallel rounds: first the PTR of
 * each sending IP, the DNSBL queries, the HELO names' and the relay names' A/AAAA records; then
 * the addresses of the PTR names (forward-confirmed reverse DNS). Each query has the client's
 * time bound (the timeout per server), so the whole run takes about two such bounds at worst.
 * Reads each DNSBL answer through the list's code table: an answer the table calls unknown
 * (Spamhaus's 127.255.255.x "query refused") or does not know, a timeout or a SERVFAIL is
 * "unknown", never "listed".
 * Nothing is thrown for DNS trouble; it shows as unknown.
 */
public final class DnsChecks {
    /** Host records shorter than this are flagged (providers cache reverse lookups; the wiki asks for a long TTL). */
    public static final long MIN_HOST_TTL = 3600;

    private final DnsClient dns;

    public DnsChecks(DnsClient dns) {
        this.dns = dns;
    }

    /** One sending IP and what sends from it: instance name to HELO name. */
    public record Sender(String ip, Map<String, String> heloByInstance) {
    }

    /**
     * Checks {@code senders} against {@code lists} and looks up {@code relays}; {@code instances}
     * tell which instance owns a relay name's address (and whether it runs).
     */
    public DnsReport run(List<Sender> senders, List<RelayNames.Relay> relays, DnsblLists lists,
                         List<PostfixInstance> instances) {
        Map<String, CompletableFuture<DnsAnswer>> ptr = new LinkedHashMap<>();
        Map<String, CompletableFuture<DnsAnswer>> bl = new LinkedHashMap<>();
        Map<String, CompletableFuture<DnsAnswer>> helo = new LinkedHashMap<>();
        Map<String, CompletableFuture<DnsAnswer>> relayA = new LinkedHashMap<>();
        Map<String, CompletableFuture<DnsAnswer>> relayAaaa = new LinkedHashMap<>();
        for (Sender s : senders) {
            ptr.put(s.ip(), dns.query(IpAddresses.reverseName(s.ip()), RecordType.PTR));
            for (DnsblLists.Dnsbl l : lists.lists()) {
                bl.put(s.ip() + " " + l.name(), dns.query(l.queryName(s.ip()), RecordType.A));
            }
            for (String h : s.heloByInstance().values()) {
                helo.computeIfAbsent(h + " " + type(s.ip()), k -> dns.query(h, type(s.ip())));
            }
        }
        for (RelayNames.Relay r : relays) {
            relayA.put(r.name(), dns.query(r.name(), RecordType.A));
            relayAaaa.put(r.name(), dns.query(r.name(), RecordType.AAAA));
        }
        // Round two: the addresses of every PTR name, as soon as its PTR answer is in.
        Map<String, CompletableFuture<Map<String, DnsAnswer>>> forward = new LinkedHashMap<>();
        for (Sender s : senders) {
            forward.put(s.ip(), ptr.get(s.ip()).thenCompose(a -> {
                Map<String, CompletableFuture<DnsAnswer>> fs = new LinkedHashMap<>();
                if (a.status() == DnsAnswer.Status.OK) {
                    for (String name : a.data()) {
                        fs.put(name, dns.query(name, type(s.ip())));
                    }
                }
                return CompletableFuture.allOf(fs.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
                    Map<String, DnsAnswer> m = new LinkedHashMap<>();
                    fs.forEach((k, f) -> m.put(k, f.join()));
                    return m;
                });
            }));
        }
        List<RelayRecord> allRelayRecords = new ArrayList<>();
        List<RelayName> relayRows = new ArrayList<>();
        for (RelayNames.Relay r : relays) {
            DnsAnswer a = relayA.get(r.name()).join();
            DnsAnswer aaaa = relayAaaa.get(r.name()).join();
            List<RelayRecord> recs = new ArrayList<>();
            for (DnsAnswer x : List.of(a, aaaa)) {
                if (x.status() == DnsAnswer.Status.OK) {
                    for (String addr : x.data()) {
                        recs.add(new RelayRecord(r.name(), r.group(), addr, x.ttl()));
                    }
                }
            }
            allRelayRecords.addAll(recs);
            String status;
            String error = null;
            if (!recs.isEmpty()) {
                status = "ok";
            } else if (!a.known() || !aaaa.known()) {
                status = "unknown";
                error = !a.known() ? a.error() : aaaa.error();
            } else {
                status = a.status() == DnsAnswer.Status.NXDOMAIN ? "nxdomain" : "nodata";
            }
            List<RelayAddress> addrs = new ArrayList<>();
            for (RelayRecord rec : recs) {
                List<String> owners = new ArrayList<>();
                boolean running = false;
                for (PostfixInstance i : instances) {
                    if (sameAddress(rec.address(), i.bindAddress())) {
                        owners.add(i.name());
                        running |= i.running();
                    }
                }
                addrs.add(new RelayAddress(rec.address(), rec.ttl(), 1.0 / recs.size(), owners, running));
            }
            relayRows.add(new RelayName(r.name(), r.group(), status, error, addrs));
        }
        List<IpCheck> rows = new ArrayList<>();
        for (Sender s : senders) {
            rows.add(ipCheck(s, ptr.get(s.ip()).join(), forward.get(s.ip()).join(), helo, bl, lists, allRelayRecords));
        }
        return new DnsReport(dns.serversText(), dns.timeout().toMillis(), lists.source(), rows, relayRows);
    }

    private IpCheck ipCheck(Sender s, DnsAnswer ptr, Map<String, DnsAnswer> forward,
                            Map<String, CompletableFuture<DnsAnswer>> helo,
                            Map<String, CompletableFuture<DnsAnswer>> bl, DnsblLists lists,
                            List<RelayRecord> relayRecords) {
        List<String> flags = new ArrayList<>();
        String ptrStatus;
        Boolean fcrdns = null;
        String confirmed = null;
        Long hostTtl = null;
        switch (ptr.status()) {
            case OK -> ptrStatus = "ok";
            case NXDOMAIN, NODATA -> ptrStatus = "none";
            default -> ptrStatus = "unknown";
        }
        if (ptrStatus.equals("none")) {
            flags.add("no PTR");
        } else if (ptrStatus.equals("unknown")) {
            flags.add("PTR unknown (" + ptr.error() + ")");
        } else {
            boolean anyUnknown = false;
            for (Map.Entry<String, DnsAnswer> e : forward.entrySet()) {
                DnsAnswer f = e.getValue();
                if (!f.known()) {
                    anyUnknown = true;
                } else if (f.status() == DnsAnswer.Status.OK && f.data().stream().anyMatch(d -> sameAddress(d, s.ip()))) {
                    confirmed = e.getKey();
                    hostTtl = f.ttl();
                    break;
                }
            }
            if (confirmed != null) {
                fcrdns = true;
                if (hostTtl < MIN_HOST_TTL) {
                    flags.add("short host-record TTL " + hostTtl + "s for " + confirmed + " (< " + MIN_HOST_TTL + "s)");
                }
            } else if (anyUnknown) {
                flags.add("PTR " + String.join(",", ptr.data()) + " not checked (forward lookup failed)");
            } else {
                fcrdns = false;
                flags.add("PTR " + String.join(",", ptr.data()) + " does not resolve back to " + s.ip());
            }
        }
        Map<String, Boolean> heloOk = new LinkedHashMap<>();
        for (String h : new LinkedHashSet<>(s.heloByInstance().values())) {
            DnsAnswer a = helo.get(h + " " + type(s.ip())).join();
            if (!a.known()) {
                heloOk.put(h, null);
                flags.add("HELO " + h + " unknown (" + a.error() + ")");
            } else {
                boolean ok = a.status() == DnsAnswer.Status.OK && a.data().stream().anyMatch(d -> sameAddress(d, s.ip()));
                heloOk.put(h, ok);
                if (!ok) {
                    flags.add("HELO " + h + " does not resolve to " + s.ip());
                }
            }
        }
        List<Listing> listings = new ArrayList<>();
        Map<String, Verdict> verdicts = new TreeMap<>();
        for (DnsblLists.Dnsbl l : lists.lists()) {
            Listing li = listing(l, bl.get(s.ip() + " " + l.name()).join());
            listings.add(li);
            if (li.listed()) {
                flags.add("listed on " + l.name() + " (" + String.join(", ", li.meanings()) + ")");
                l.usedBy().forEach((g, v) -> verdicts.merge(g, v, Verdict::worst));
            }
        }
        List<RelayRecord> mine = relayRecords.stream().filter(r -> sameAddress(r.address(), s.ip())).toList();
        return new IpCheck(s.ip(), List.copyOf(s.heloByInstance().keySet()), s.heloByInstance(),
                ptr.status() == DnsAnswer.Status.OK ? ptr.data() : List.of(), ptrStatus, fcrdns, confirmed, hostTtl,
                heloOk, mine, listings, verdicts, flags);
    }

    /** Only the DNSBL queries of {@code ips}, in parallel: ip -> one answer per list. */
    public Map<String, List<Listing>> listings(List<String> ips, DnsblLists lists) {
        Map<String, CompletableFuture<DnsAnswer>> bl = new LinkedHashMap<>();
        for (String ip : ips) {
            for (DnsblLists.Dnsbl l : lists.lists()) {
                bl.put(ip + " " + l.name(), dns.query(l.queryName(ip), RecordType.A));
            }
        }
        Map<String, List<Listing>> out = new LinkedHashMap<>();
        for (String ip : ips) {
            List<Listing> row = new ArrayList<>();
            for (DnsblLists.Dnsbl l : lists.lists()) {
                row.add(listing(l, bl.get(ip + " " + l.name()).join()));
            }
            out.put(ip, row);
        }
        return out;
    }

    static Listing listing(DnsblLists.Dnsbl l, DnsAnswer a) {
        switch (a.status()) {
            case NXDOMAIN, NODATA:
                return new Listing(l.name(), l.zone(), "not-listed", List.of(), List.of(), null);
            case FAILED:
                return new Listing(l.name(), l.zone(), "unknown", List.of(), List.of(), a.error());
            default:
                break;
        }
        List<String> listedMeanings = new ArrayList<>();
        List<String> unknownMeanings = new ArrayList<>();
        for (String code : a.data()) {
            DnsblLists.Code c = IpAddresses.isIpv4(code) ? l.read(code) : null;
            if (c == null) {
                unknownMeanings.add(code + " is not in the " + l.table() + " table");
            } else if (c.listed()) {
                listedMeanings.add(c.meaning());
            } else {
                unknownMeanings.add(c.meaning());
            }
        }
        Set<String> uniqueListed = new LinkedHashSet<>(listedMeanings);
        if (!uniqueListed.isEmpty()) {
            return new Listing(l.name(), l.zone(), "listed", a.data(), List.copyOf(uniqueListed), null);
        }
        return new Listing(l.name(), l.zone(), "unknown", a.data(), List.copyOf(new LinkedHashSet<>(unknownMeanings)),
                String.join("; ", new LinkedHashSet<>(unknownMeanings)));
    }

    private static RecordType type(String ip) {
        return IpAddresses.isIpv4(ip) ? RecordType.A : RecordType.AAAA;
    }

    /** Equal as addresses (IPv6 text forms differ: 2001:db8::1 and 2001:db8:0:0:0:0:0:1). */
    static boolean sameAddress(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.equals(b)) {
            return true;
        }
        if (!a.contains(":") || !b.contains(":")) {
            return false;
        }
        try {
            return IpAddresses.requireForZone(a, "address").equals(IpAddresses.requireForZone(b, "address"));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
