package org.mfshell.dns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.dns.DnsReport.IpCheck;
import org.mfshell.dns.DnsReport.RelayAddress;
import org.mfshell.dns.DnsReport.RelayName;
import org.mfshell.health.HealthService;
import org.mfshell.health.Verdict;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.NamedCompilezone;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;
import org.mfshell.relay.RelayNames;
import org.mfshell.mail.IpAddresses;

/**
 * {@code ips} and {@code relays}: gathers every instance's sending IP and HELO name, runs the
 * {@link DnsChecks}, and plans {@code ips off|on IP} the way the wiki turns a blocked IP off
 * (remove its A records from the relay names, keep a healthy address in each, move queued mail
 * to a sibling). mfshell prints the zone change; it does not edit DNS. Errors:
 * {@link UsageException} for a malformed IP or one no instance sends from (checked before any
 * DNS query); {@link MfshellException} from postconf and named-compilezone.
 */
public final class IpsService {
    /** TTL of a relay name's A records when the name has none yet (the wiki's 600). */
    public static final long RELAY_TTL = 600;

    private final InstanceRegistry registry;
    private final ProcessRunner runner;
    private final ProviderGroups groups;
    private final String suffix;

    public IpsService(InstanceRegistry registry, ProcessRunner runner, ProviderGroups groups, String suffix) {
        this.registry = registry;
        this.runner = runner;
        this.groups = groups;
        this.suffix = RelayNames.requireSuffix(suffix);
    }

    public List<PostfixInstance> instances() {
        return registry.all();
    }

    /** The relay names: one per provider group under the suffix. */
    public List<RelayNames.Relay> relayNames() {
        List<RelayNames.Relay> out = new ArrayList<>();
        for (String g : groups.names()) {
            out.add(new RelayNames.Relay(g, g + "." + suffix));
        }
        return out;
    }

    /** Checks {@code text} as one of our sending IPs; the usage error lists ours. */
    public String requireOurs(String text, String what, List<PostfixInstance> instances) {
        String ip;
        try {
            ip = IpAddresses.requireForZone(text == null ? "" : text.trim(), what);
        } catch (UsageException e) {
            throw new UsageException(what + ": bad IP address '" + Printable.of(text) + "' (e.g. 216.66.15.4 or "
                    + "2001:db8::25)");
        }
        Set<String> ours = new LinkedHashSet<>();
        for (PostfixInstance i : instances) {
            if (i.bindAddress() != null) {
                ours.add(i.bindAddress());
                if (DnsChecks.sameAddress(i.bindAddress(), ip)) {
                    return i.bindAddress();
                }
            }
        }
        throw new UsageException(what + ": " + ip + " is not the sending address of any instance under "
                + registry.configRoot() + " (ours: " + (ours.isEmpty() ? "none" : String.join(", ", ours)) + ")");
    }

    /** Every sending IP with the HELO name of each instance sending from it (postconf runs in parallel). */
    public List<DnsChecks.Sender> senders(List<PostfixInstance> instances) {
        HeloName heloName = new HeloName(new Postconf(runner));
        Map<String, CompletableFuture<String>> helo = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(1, Math.min(4, instances.size())));
        try {
            for (PostfixInstance i : instances) {
                if (i.bindAddress() != null) {
                    helo.put(i.name(), CompletableFuture.supplyAsync(() -> heloName.of(i), pool));
                }
            }
            return senders(instances, helo);
        } finally {
            pool.shutdown();
        }
    }

    private static List<DnsChecks.Sender> senders(List<PostfixInstance> instances,
                                                  Map<String, CompletableFuture<String>> helo) {
        Map<String, Map<String, String>> byIp = new LinkedHashMap<>();
        for (PostfixInstance i : instances) {
            if (i.bindAddress() == null) {
                continue;
            }
            String h;
            try {
                h = helo.get(i.name()).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof MfshellException m ? m : new MfshellException(e.getMessage(), e);
            }
            byIp.computeIfAbsent(i.bindAddress(), k -> new LinkedHashMap<>()).put(i.name(), h);
        }
        List<DnsChecks.Sender> out = new ArrayList<>();
        byIp.forEach((ip, m) -> out.add(new DnsChecks.Sender(ip, m)));
        return out;
    }

    public DnsReport report(DnsClient dns, DnsblLists lists, List<PostfixInstance> instances) {
        return new DnsChecks(dns).run(senders(instances), relayNames(), lists, instances);
    }

    /**
     * The verdict of {@code ip} for {@code group}: the worst of what its listings say and what the
     * log says ({@code logVerdicts}: instance -> group -> verdict, may be empty).
     */
    public static Verdict verdict(IpCheck ip, String group, Map<String, Map<String, Verdict>> logVerdicts) {
        Verdict v = ip == null ? Verdict.OK : ip.listingVerdicts().getOrDefault(group, Verdict.OK);
        if (ip != null) {
            for (String inst : ip.instances()) {
                v = v.worst(logVerdicts.getOrDefault(inst, Map.of()).getOrDefault(group, Verdict.OK));
            }
        }
        return v;
    }

    /** Plans {@code ips off IP} ({@code on} false: {@code ips on IP}) on a fresh report. */
    public IpSwitch plan(boolean on, String ip, DnsReport report, List<PostfixInstance> instances,
                         Map<String, Map<String, Verdict>> logVerdicts) {
        Map<String, IpCheck> checks = new LinkedHashMap<>();
        report.ips().forEach(c -> checks.put(c.ip(), c));
        IpCheck me = checks.get(ip);
        List<String> owners = instances.stream().filter(i -> ip.equals(i.bindAddress())).map(PostfixInstance::name)
                .toList();
        Set<String> myGroups = new LinkedHashSet<>();
        for (String o : owners) {
            String f = HealthService.family(o);
            if (groups.names().contains(f)) {
                myGroups.add(f);
            }
        }
        List<String> remove = new ArrayList<>();
        List<String> add = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<IpSwitch.RelayChange> changes = new ArrayList<>();
        List<String> zoneAfter = new ArrayList<>();
        String type = IpAddresses.recordType(ip);
        for (RelayName r : report.relays()) {
            if (r.status().equals("unknown")) {
                problems.add("cannot tell the records of " + r.name() + " (" + r.error() + ")");
                continue;
            }
            List<String> before = r.addresses().stream().map(RelayAddress::address).toList();
            boolean has = before.stream().anyMatch(a -> DnsChecks.sameAddress(a, ip));
            long ttl = r.addresses().stream().mapToLong(RelayAddress::ttl).min().orElse(RELAY_TTL);
            List<String> after = new ArrayList<>(before);
            if (!on && has) {
                after.removeIf(a -> DnsChecks.sameAddress(a, ip));
                remove.add(line(r.name(), ttl, type, ip));
            } else if (on && !has && myGroups.contains(r.group())) {
                after.add(ip);
                add.add(line(r.name(), ttl, type, ip));
                Verdict v = verdict(me, r.group(), logVerdicts);
                if (v == Verdict.BLOCKED) {
                    problems.add(ip + " is BLOCKED for " + r.group() + (me != null && me.listingVerdicts()
                            .get(r.group()) == Verdict.BLOCKED ? " (listed)" : "") + ": it would serve " + r.name());
                }
            } else if (on && has) {
                notes.add(r.name() + " already points at " + ip);
            }
            for (String a : after) {
                zoneAfter.add(line(r.name(), r.addresses().stream().filter(x -> x.address().equals(a))
                        .mapToLong(RelayAddress::ttl).findFirst().orElse(ttl), IpAddresses.recordType(a), a));
            }
            if (before.isEmpty() && after.isEmpty()) {
                continue;
            }
            List<String> healthy = new ArrayList<>();
            for (String a : after) {
                boolean running = instances.stream().anyMatch(i -> DnsChecks.sameAddress(a, i.bindAddress()) && i.running());
                if (running && verdict(checks.get(a), r.group(), logVerdicts) != Verdict.BLOCKED) {
                    healthy.add(a);
                }
            }
            changes.add(new IpSwitch.RelayChange(r.name(), r.group(), before, after, healthy));
            if (!before.equals(after) && healthy.isEmpty()) {
                problems.add(r.name() + " would keep no healthy address (" + (after.isEmpty() ? "no address left"
                        : String.join(", ", after) + ": none is a running instance that is not BLOCKED for "
                        + r.group()) + ")");
            }
        }
        if (on && add.isEmpty() && myGroups.isEmpty()) {
            notes.add("no instance of " + ip + " (" + String.join(", ", owners) + ") serves a provider group, so no relay "
                    + "name gets it");
        }
        if (!on && remove.isEmpty() && problems.isEmpty()) {
            notes.add("no relay name under " + suffix + " points at " + ip + ": nothing to remove");
        }
        if (on && me != null) {
            for (String f : me.flags()) {
                if (!f.startsWith("listed on ")) {
                    notes.add(ip + ": " + f);
                }
            }
        }
        NamedCompilezone.Result compiled = compile(zoneAfter);
        if (!compiled.ok()) {
            problems.add("BIND refuses the resulting relay records: " + compiled.messages());
        } else {
            for (IpSwitch.RelayChange c : changes) {
                boolean served = compiled.canonical().lines().anyMatch(l -> l.startsWith(c.relay() + ".")
                        && l.matches(".*\\sIN\\s+(A|AAAA)\\s.*"));
                if (!c.after().isEmpty() && !served) {
                    problems.add("BIND does not serve " + c.relay() + " from the resulting records");
                }
            }
        }
        List<String> reroutes = on ? List.of() : reroutes(ip, owners, changes, instances);
        if (!on && reroutes.size() < owners.size()) {
            notes.add("no running sibling with a healthy address for some of " + String.join(", ", owners)
                    + ": mail queued there stays until the IP is back or you flush it elsewhere");
        }
        return new IpSwitch(on ? "on" : "off", ip, owners, remove, add, changes, zoneAfter, compiled.ok(),
                compiled.messages(), reroutes, problems, notes);
    }

    /** For each instance of the IP: flush its deferred mail to a running sibling whose address stays healthy. */
    private List<String> reroutes(String ip, List<String> owners, List<IpSwitch.RelayChange> changes,
                                  List<PostfixInstance> instances) {
        Set<String> healthy = new LinkedHashSet<>();
        changes.forEach(c -> healthy.addAll(c.healthyAfter()));
        List<String> out = new ArrayList<>();
        for (String o : owners) {
            PostfixInstance src = instances.stream().filter(i -> i.name().equals(o)).findFirst().orElseThrow();
            for (PostfixInstance s : instances) {
                if (!s.name().equals(o) && s.running() && s.bindAddress() != null && !s.bindAddress().equals(ip)
                        && HealthService.family(s.name()).equals(HealthService.family(o))
                        && healthy.contains(s.bindAddress())) {
                    out.add("flush " + o + " --to " + s.name() + "   # " + src.queues().deferred()
                            + " deferred message(s) queued at " + o);
                    break;
                }
            }
        }
        return out;
    }

    /** Checks the relay records with BIND inside a throw-away zone of the suffix. */
    NamedCompilezone.Result compile(List<String> relayLines) {
        List<String> zone = new ArrayList<>();
        zone.add("$TTL 3600");
        zone.add(suffix + ".\tIN\tSOA\tns." + suffix + ". hostmaster." + suffix + ". 1 3600 600 604800 600");
        zone.add(suffix + ".\tIN\tNS\tns." + suffix + ".");
        zone.add("ns." + suffix + ".\tIN\tA\t192.0.2.53");
        zone.addAll(relayLines);
        return new NamedCompilezone(runner).compile(suffix, zone);
    }

    static String line(String name, long ttl, String type, String ip) {
        return name + ".\t" + ttl + "\tIN\t" + type + "\t" + ip;
    }
}
