package org.mfshell.warmup;

import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mfshell.core.UsageException;
import org.mfshell.health.HealthService;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.log.DeliverySink;
import org.mfshell.log.ReplyAccumulator;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.relay.RelayNames;

/**
 * {@code warmup}: finds the existing sending addresses of a relay name (the bind addresses of the
 * instances of its family: msn -> msn-a, msn-b), makes the staged plan, and measures each
 * address's share of sent mail from the log. Errors: {@link UsageException} for a relay without
 * instances or addresses (and those of {@link WarmupPlanner}); discovery and log errors as they come.
 */
public final class WarmupService {
    private final InstanceRegistry registry;
    private final ProcessRunner runner;
    private final HealthService health;

    public WarmupService(InstanceRegistry registry, ProcessRunner runner, HealthService health) {
        this.registry = registry;
        this.runner = runner;
        this.health = health;
    }

    /** The running or stopped instances serving a relay's group, with a bind address. */
    public List<PostfixInstance> serving(RelayNames.Relay relay) {
        List<PostfixInstance> out = new ArrayList<>();
        for (PostfixInstance i : registry.all()) {
            if (HealthService.family(i.name()).equals(relay.group()) && i.bindAddress() != null) {
                out.add(i);
            }
        }
        return out;
    }

    public WarmupPlan plan(RelayNames.Relay relay, List<String> existing, String newIp, String host, int steps,
                           Period every, LocalDate start) {
        List<String> ips = existing;
        String hostName = host;
        if (ips.isEmpty() || hostName == null) {
            List<PostfixInstance> serving = serving(relay);
            if (ips.isEmpty()) {
                ips = serving.stream().map(PostfixInstance::bindAddress).toList();
                if (ips.isEmpty()) {
                    throw new WarmupException(WarmupException.Problem.NO_EXISTING, "no instance " + relay.group()
                            + "-* with an smtp_bind_address under " + registry.configRoot());
                }
            }
            if (hostName == null) {
                if (serving.isEmpty()) {
                    throw new WarmupException(WarmupException.Problem.NO_HOST, "no instance " + relay.group()
                            + "-* to read myhostname from");
                }
                hostName = new Postconf(runner).values(serving.get(0).configDir(), List.of("myhostname"))
                        .getOrDefault("myhostname", "");
                if (hostName.isBlank()) {
                    throw new WarmupException(WarmupException.Problem.NO_HOST, "cannot read myhostname of "
                            + serving.get(0).name());
                }
            }
        }
        return new WarmupPlanner().plan(relay.name(), ips, newIp, hostName, steps, every, start);
    }

    /** One sending address of a relay: planned share, and sent mail measured in the log. */
    public record IpShare(String ip, String instance, double planned, double effective, long sent, double measured) {
    }

    public record Status(String relayName, String since, String plannedFrom, List<IpShare> shares, long totalSent,
                         List<String> notes) {
    }

    /**
     * The relay name's A/AAAA records as DNS serves them now: {@code addresses} (empty when the
     * name has none), their smallest TTL, or {@code error} when the resolver could not tell.
     */
    public record DnsRecords(List<String> addresses, long ttl, String error) {
    }

    /**
     * Measured share of sent mail per sending address since {@code sinceMs}, against {@code stage}
     * of a plan (null: equal shares, one A record per address).
     */
    public Status status(RelayNames.Relay relay, long sinceMs, WarmupPlan.Stage stage) {
        return status(relay, sinceMs, stage, null);
    }

    /**
     * As {@link #status(RelayNames.Relay, long, WarmupPlan.Stage)}, with the relay name's real
     * records ({@code dns}, may be null): without a stage, each address DNS serves gets an equal
     * share and addresses it does not serve get none; with a stage, a note says whether DNS serves
     * the stage's addresses.
     */
    public Status status(RelayNames.Relay relay, long sinceMs, WarmupPlan.Stage stage, DnsRecords dns) {
        List<PostfixInstance> serving = serving(relay);
        if (serving.isEmpty()) {
            throw new UsageException("no instance " + relay.group() + "-* with an smtp_bind_address under "
                    + registry.configRoot());
        }
        ReplyAccumulator.Replies replies = health.scan(serving, sinceMs);
        Map<String, Long> sentByIp = new LinkedHashMap<>();
        Map<String, String> instanceByIp = new LinkedHashMap<>();
        long total = 0;
        for (PostfixInstance i : serving) {
            long sent = 0;
            for (long[] c : replies.counts().getOrDefault(i.syslogName(), Map.of()).values()) {
                sent += c[DeliverySink.SENT];
            }
            sentByIp.merge(i.bindAddress(), sent, Long::sum);
            instanceByIp.merge(i.bindAddress(), i.name(), (a, b) -> a + "," + b);
            total += sent;
        }
        if (stage != null) {
            for (String ip : stage.records().keySet()) {
                sentByIp.putIfAbsent(ip, 0L);
                instanceByIp.putIfAbsent(ip, null);
            }
        }
        List<String> notes = new ArrayList<>();
        boolean real = stage == null && dns != null && dns.error() == null && !dns.addresses().isEmpty();
        if (real) {
            for (String ip : dns.addresses()) {
                sentByIp.putIfAbsent(ip, 0L);
                instanceByIp.putIfAbsent(ip, null);
            }
            for (String ip : sentByIp.keySet()) {
                if (!dns.addresses().contains(ip)) {
                    notes.add(ip + " (" + instanceByIp.get(ip) + ") is not in the DNS records of " + relay.name());
                }
                if (instanceByIp.get(ip) == null) {
                    notes.add(ip + " is in the DNS records of " + relay.name() + " but no instance here sends from it");
                }
            }
        } else if (dns != null && stage == null) {
            notes.add(dns.error() != null ? "the DNS records of " + relay.name() + " are unknown (" + dns.error()
                    + "): equal shares of the instances assumed"
                    : relay.name() + " has no A/AAAA records in DNS: equal shares of the instances assumed");
        } else if (dns != null && dns.error() == null) {
            Set<String> want = new TreeSet<>(stage.effectiveShare().keySet());
            Set<String> have = new TreeSet<>(dns.addresses());
            notes.add(want.equals(have) ? "DNS serves the addresses of stage " + stage.number()
                    : "DNS serves " + have + ", stage " + stage.number() + " has " + want);
        }
        List<IpShare> shares = new ArrayList<>();
        for (Map.Entry<String, Long> e : sentByIp.entrySet()) {
            double planned = real ? (dns.addresses().contains(e.getKey()) ? 1.0 / dns.addresses().size() : 0.0)
                    : stage == null ? 1.0 / sentByIp.size() : stage.plannedShare().getOrDefault(e.getKey(), 0.0);
            double effective = stage == null ? planned : stage.effectiveShare().getOrDefault(e.getKey(), 0.0);
            shares.add(new IpShare(e.getKey(), instanceByIp.get(e.getKey()), planned, effective, e.getValue(),
                    total == 0 ? 0 : (double) e.getValue() / total));
        }
        notes.add(0, "The measured share is skewed by connection caching (a bulk server reuses an open connection to one "
                + "address for many messages) and by resolver caching (each resolver keeps one answer order for up "
                + "to the TTL); expect it to follow the planned share only over days and many senders.");
        if (total == 0) {
            notes.add("No mail was sent by these instances in the window.");
        }
        return new Status(relay.name(), java.time.Instant.ofEpochMilli(sinceMs).toString(),
                stage != null ? "plan stage " + stage.number() : real ? "DNS records (" + dns.addresses().size()
                        + " addresses, TTL " + dns.ttl() + "s)" : "equal shares (one A record per address)", shares,
                total, notes);
    }
}
