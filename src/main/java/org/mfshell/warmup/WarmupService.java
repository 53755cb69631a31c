package org.mfshell.warmup;

import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * Measured share of sent mail per sending address since {@code sinceMs}, against {@code stage}
     * of a plan (null: equal shares, one A record per address).
     */
    public Status status(RelayNames.Relay relay, long sinceMs, WarmupPlan.Stage stage) {
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
        List<IpShare> shares = new ArrayList<>();
        for (Map.Entry<String, Long> e : sentByIp.entrySet()) {
            double planned = stage == null ? 1.0 / sentByIp.size() : stage.plannedShare().getOrDefault(e.getKey(), 0.0);
            double effective = stage == null ? planned : stage.effectiveShare().getOrDefault(e.getKey(), 0.0);
            shares.add(new IpShare(e.getKey(), instanceByIp.get(e.getKey()), planned, effective, e.getValue(),
                    total == 0 ? 0 : (double) e.getValue() / total));
        }
        List<String> notes = new ArrayList<>();
        notes.add("The measured share is skewed by connection caching (a bulk server reuses an open connection to one "
                + "address for many messages) and by resolver caching (each resolver keeps one answer order for up "
                + "to the TTL); expect it to follow the planned share only over days and many senders.");
        if (total == 0) {
            notes.add("No mail was sent by these instances in the window.");
        }
        return new Status(relay.name(), java.time.Instant.ofEpochMilli(sinceMs).toString(),
                stage == null ? "equal shares (one A record per address)" : "plan stage " + stage.number(), shares,
                total, notes);
    }
}
