package org.mfshell.flush;

import org.mfshell.mail.Domains;
import org.mfshell.mail.IpAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mfshell.core.MfshellException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postqueue;
import org.mfshell.postfix.QueueMessage;

/**
 * Step 1, preflight: predicts what the source's SMTP client and trivial-rewrite will do on the
 * new route before anything is written. Each check is a {@link Preflight.Check} with a verdict
 * and, for a refusal, a remedy:
 * <ul>
 *   <li>both instances run; the target has a sending address;</li>
 *   <li>the source does not listen on the target's address ({@link LoopRule} rule 1);</li>
 *   <li>an SMTP dialogue from the source's sending address with the HELO name its client will
 *       use: greeting, EHLO (whose name, if it is the source's own myhostname, makes the
 *       reroute transport use a name of its own), MAIL FROM and RCPT TO one real recipient of
 *       each rerouted domain, RSET; a refused sender or recipient refuses the reroute;</li>
 *   <li>the target's mynetworks admits the source's address;</li>
 *   <li>the source is not rerouted already, and no reroute in force would send the mail back
 *       ({@link RerouteGraph});</li>
 *   <li>with the relay map first in transport_maps, every recipient to move resolves to the
 *       reroute ({@link RouteCheck}), not to an entry of the instance's own maps;</li>
 *   <li>for a target on another host ({@link RerouteTarget#remote}, known by its host's
 *       {@link TargetFacts}): its smtpd listens on its sending address port 25, and that host's
 *       reroutes, as its facts listed them, join the graph (a cycle across hosts is refused).</li>
 * </ul>
 * Errors: {@link MfshellException} only when Postfix's tools fail; findings are verdicts.
 *
 * <p>Size: over 400 lines because it is the list above, one method per check, each building its
 * verdict and remedy text; the rules they use are apart ({@link LoopRule}, {@link SmtpProbe},
 * {@link RouteCheck}, {@link RerouteGraph}).
 */
public final class PreflightChecks {
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    /** Recipients tried with RCPT TO at most (one per domain). */
    static final int MAX_PROBE_RECIPIENTS = 10;

    private final InstanceRegistry registry;
    private final Postconf postconf;
    private final Postqueue postqueue;
    private final Postmap postmap;
    private final JournalStore store;

    public PreflightChecks(InstanceRegistry registry, Postconf postconf, Postqueue postqueue, Postmap postmap,
                           JournalStore store) {
        this.registry = registry;
        this.postconf = postconf;
        this.postqueue = postqueue;
        this.postmap = postmap;
        this.store = store;
    }

    /** The source's main.cf facts the checks and the plan need (expanded, as Postfix reads them). */
    record SourceFacts(Map<String, String> values) {
        String get(String k) {
            return values.getOrDefault(k, "");
        }
    }

    public Preflight run(String source, String target, List<String> domains, boolean resuming) {
        return run(source, RerouteTarget.local(registry.get(target)), domains, resuming);
    }

    /** Preflight against a target of this host or, from its host's facts, of another. */
    public Preflight run(String source, RerouteTarget dst, List<String> domains, boolean resuming) {
        PostfixInstance src = registry.get(source);
        String dstIp = dst.address();
        String srcIp = src.bindAddress() == null ? null : IpAddresses.require(src.bindAddress(),
                src.name() + "'s smtp_bind_address");
        List<Preflight.Check> out = new ArrayList<>();
        out.add(ok("target address", dst.name() + " sends from " + dstIp + (dst.isRemote()
                ? " (as " + dst.host() + "'s mfshell " + dst.facts().mfshellVersion() + " reported it at "
                + dst.facts().readAt() + ")" : " (postconf -c " + dst.configDir() + " -P smtp/unix/smtp_bind_address)")));
        if (!dst.running()) {
            out.add(refuse("target running", dst.name() + " is not running", dst.where() + "postfix -c "
                    + dst.configDir() + " start"));
        }
        if (dst.isRemote()) {
            String word = TargetFacts.listenWord(dstIp, 25);
            if (dst.facts().listensOnSendingAddress()) {
                out.add(ok("target listens", dst.name() + "'s smtpd listens on " + word));
            } else {
                out.add(refuse("target listens", dst.name() + "'s smtpd does not listen on its sending address " + word
                        + " (it listens on " + (dst.facts().listen().isEmpty() ? "nothing" : String.join(", ",
                        dst.facts().listen())) + "): the source would connect there", "on " + dst.host()
                        + ": give " + dst.instance() + " an smtpd on " + word + " in its master.cf"));
            }
        }
        if (!src.running()) {
            out.add(refuse("source running", src.name() + " is not running: it cannot reload or flush",
                    "postfix -c " + src.configDir() + " start"));
        }
        SourceFacts facts = new SourceFacts(postconf.values(src.configDir(), List.of("-x", "myhostname", "smtp_helo_name",
                "inet_interfaces", "proxy_interfaces", "mydestination", "transport_maps", "default_transport",
                "parent_domain_matches_subdomains", "recipient_delimiter", "default_database_type")));

        // The deferred mail that will move, and real addresses to try.
        Map<String, Integer> byDomain = new TreeMap<>();
        Map<String, String> sampleByDomain = new LinkedHashMap<>();
        Set<String> recipients = new LinkedHashSet<>();
        String sender = null;
        int messages = 0;
        for (QueueMessage m : postqueue.messages(src.configDir())) {
            if (!m.queueName().equals("deferred")) {
                continue;
            }
            boolean any = false;
            for (String rc : m.addresses()) {
                if (domains.isEmpty() || Domains.matches(rc, domains)) {
                    String d = Domains.domainOf(rc);
                    byDomain.merge(d == null ? "(no domain)" : d, 1, Integer::sum);
                    if (d != null) {
                        sampleByDomain.putIfAbsent(d, rc);
                        recipients.add(rc);
                    }
                    any = true;
                }
            }
            if (any) {
                messages++;
                if (sender == null) {
                    sender = m.sender() == null ? "" : m.sender();
                }
            }
        }
        for (String d : domains) {
            String bare = d.startsWith(".") ? "mfshell-check" + d : d;
            recipients.add("postmaster@" + bare);
            if (sampleByDomain.keySet().stream().noneMatch(x -> Domains.matches("x@" + x, List.of(d)))) {
                sampleByDomain.put(bare, "postmaster@" + bare);
            }
        }
        if (domains.isEmpty()) {
            recipients.add("postmaster@mfshell-check.invalid");
        }

        // Rule 1: the target's address is one of the source's own. A source whose smtpd really
        // listens there would talk to itself: refused. Otherwise Postfix's client still takes the
        // address for its own when inet_interfaces/proxy_interfaces name it ("all": every
        // interface address of the host); the reroute transport then gets the source's sending
        // address as its only interface (RerouteTransport), which needs that address.
        List<String> hostAddresses = hostAddresses();
        List<String> inet = interfaces(facts.get("inet_interfaces"), hostAddresses);
        List<String> proxy = interfaces(facts.get("proxy_interfaces"), hostAddresses);
        boolean listens = src.listen().stream().anyMatch(l -> l.startsWith(dstIp + ":") || l.startsWith("[" + dstIp + "]:"));
        String inetOverride = null;
        boolean clearProxy = false;
        if (listens || dstIp.equals(srcIp)) {
            out.add(refuse("loop by address", src.name() + " itself listens on " + dstIp + ": the mail would come back "
                    + "to it", "give " + src.name() + " and " + dst.name() + " addresses of their own"));
        } else if (LoopRule.addressIsMine(dstIp, inet, 25) || LoopRule.addressIsMine(dstIp, proxy, 25)) {
            clearProxy = LoopRule.addressIsMine(dstIp, proxy, 25);
            boolean inetToo = LoopRule.addressIsMine(dstIp, inet, 25);
            if (inetToo && (srcIp == null || !hostAddresses.contains(srcIp))) {
                out.add(refuse("loop by address", dstIp + " is one of " + src.name() + "'s own addresses (inet_interfaces = "
                        + facts.get("inet_interfaces") + "): Postfix would bounce the mail with 'mail for [" + dstIp
                        + "] loops back to myself'", "give " + src.name() + " inet_interfaces without " + dstIp
                        + (srcIp == null ? " and an smtp_bind_address" : "")));
            } else {
                inetOverride = inetToo ? srcIp : null;
                out.add(ok("loop by address", src.name() + " does not listen on " + dstIp + ", but its "
                        + (inetToo ? "inet_interfaces = " + facts.get("inet_interfaces") : "proxy_interfaces = "
                        + facts.get("proxy_interfaces")) + " make Postfix's client take " + dstIp + " for its own; the "
                        + "reroute transport uses " + (inetToo ? "inet_interfaces = " + srcIp : "") + (inetToo && clearProxy
                        ? " and " : "") + (clearProxy ? "an empty proxy_interfaces" : "") + " for this hop"));
            }
        } else {
            out.add(ok("loop by address", src.name() + " does not listen on " + dstIp));
        }

        // The base service and the names its client uses.
        String base = facts.get("default_transport").split(":", 2)[0].trim();
        if (base.isEmpty()) {
            base = "smtp";
        }
        String baseLine = postconf.serviceLine(src.configDir(), base + "/unix");
        if (baseLine == null && !base.equals("smtp")) {
            base = "smtp";
            baseLine = postconf.serviceLine(src.configDir(), "smtp/unix");
        }
        String myhostname = facts.get("myhostname");
        String helo = facts.get("smtp_helo_name");
        if (baseLine == null) {
            out.add(refuse("reroute transport", src.name() + "'s master.cf has no '" + base + " unix ... smtp' service to "
                    + "copy", "add the SMTP client service with its -o smtp_bind_address"));
        } else {
            String svcName = option(baseLine, "myhostname");
            String svcHelo = option(baseLine, "smtp_helo_name");
            if (svcHelo != null) {
                helo = svcHelo;
            } else if (svcName != null && helo.equals(myhostname)) {
                helo = svcName;
            }
            if (svcName != null) {
                myhostname = svcName;
            }
        }

        // The SMTP dialogue, from the source's address, as its client will talk.
        String banner = null;
        String ownName = null;
        if (dst.running()) {
            List<String> probeRcpts = new ArrayList<>(sampleByDomain.values());
            if (probeRcpts.size() > MAX_PROBE_RECIPIENTS) {
                probeRcpts = probeRcpts.subList(0, MAX_PROBE_RECIPIENTS);
            }
            try {
                SmtpProbe.Transcript t = SmtpProbe.talk(dstIp, 25, srcIp, helo, sender == null ? "" : sender,
                        probeRcpts, PROBE_TIMEOUT);
                banner = t.greeting();
                out.add(ok("smtp greeting", dst.name() + " answers on " + dstIp + ":25: " + t.greeting()));
                if (srcIp != null && !t.boundToSource()) {
                    out.add(warn("smtp source address", "could not connect from " + srcIp + " (not an address of this "
                            + "host?): the dialogue came from the default address"));
                }
                String ehloName = LoopRule.firstWord(t.ehloFirstLine());
                if (LoopRule.ehloLoops(t.ehloFirstLine(), myhostname, 25)) {
                    ownName = RerouteTransport.ownName(src.name(), myhostname);
                    out.add(ok("loop by name", dst.name() + " answers EHLO as " + ehloName + ", which is also "
                            + src.name() + "'s myhostname: Postfix's client would take it for itself and bounce "
                            + "('loops back to myself'), so the reroute transport uses myhostname " + ownName
                            + " for this hop (HELO stays " + helo + "; nothing of " + dst.name() + " changes)"));
                } else {
                    out.add(ok("loop by name", dst.name() + " answers EHLO as " + ehloName + ", not " + src.name()
                            + "'s myhostname " + myhostname));
                }
                if (!t.mailAccepted()) {
                    out.add(refuse("smtp sender", dst.name() + " refuses MAIL FROM:<" + (sender == null ? "" : sender)
                            + ">: " + t.mailReply(), "make " + dst.name() + " accept " + src.name() + "'s senders"));
                } else {
                    Map<String, String> refused = t.refused();
                    if (!refused.isEmpty()) {
                        Map.Entry<String, String> e = refused.entrySet().iterator().next();
                        out.add(refuse("smtp relay", dst.name() + " refuses to relay from " + (srcIp == null ? "this host"
                                : srcIp) + ": RCPT TO:<" + e.getKey() + "> got '" + e.getValue() + "'"
                                + (refused.size() > 1 ? " (and " + (refused.size() - 1) + " more)" : ""),
                                "let " + dst.name() + " relay for " + (srcIp == null ? src.name() : srcIp)
                                        + " (its mynetworks or smtpd_relay_restrictions)"));
                    } else if (!t.rcptReplies().isEmpty()) {
                        out.add(ok("smtp relay", dst.name() + " accepts RCPT TO " + String.join(", ", t.rcptReplies().keySet())
                                + " from " + (srcIp == null ? "this host" : srcIp) + " (no DATA sent, RSET)"));
                    }
                }
            } catch (MfshellException e) {
                out.add(refuse("smtp dialogue", e.getMessage(), dst.where() + "start " + dst.instance() + " or fix its smtpd on " + dstIp));
            }
        }

        String admittedBy = null;
        if (srcIp == null) {
            out.add(warn("mynetworks", src.name() + " has no smtp_bind_address: cannot check that " + dst.name()
                    + "'s mynetworks admits the address it will connect from"));
        } else {
            IpAddresses.NetworkMatch m = IpAddresses.inNetworks(srcIp, dst.mynetworks());
            if (m.admitted()) {
                admittedBy = m.matchedEntry();
                out.add(ok("mynetworks", dst.name() + "'s mynetworks admits " + srcIp + " (" + m.matchedEntry() + ")"));
            } else if (!m.unevaluated().isEmpty()) {
                out.add(warn("mynetworks", dst.name() + "'s mynetworks has entries mfshell cannot evaluate ("
                        + String.join(", ", m.unevaluated()) + "): make sure they admit " + srcIp));
            } else {
                out.add(refuse("mynetworks", dst.name() + "'s mynetworks (" + String.join(" ", dst.mynetworks())
                        + ") does not admit " + src.name() + "'s address " + srcIp + ": it would refuse to relay",
                        dst.where() + "add " + srcIp + " to " + dst.instance() + "'s mynetworks"));
            }
        }

        // Already rerouted?
        Path ourMap = src.configDir().resolve(FlushService.MAP);
        List<String> maps = RouteCheck.maps(facts.get("transport_maps"), facts.get("default_database_type"));
        List<String> existing = new ArrayList<>();
        for (String mp : maps) {
            if (sameFile(mapPath(mp), ourMap)) {
                if (!resuming) {
                    out.add(refuse("not rerouted yet", src.name() + " is already rerouted (transport_maps = "
                            + facts.get("transport_maps") + ")", "run 'flush " + src.name() + " --restore' first"));
                }
            } else {
                existing.add(mp);
            }
        }
        if (!resuming) {
            String master = FlushService.readTextOrNull(src.configDir().resolve("master.cf"));
            if (RerouteTransport.present(master)) {
                out.add(refuse("not rerouted yet", src.name() + "'s master.cf already has a " + RerouteTransport.NAME
                        + " service", "run 'flush " + src.name() + " --restore' first"));
            }
        }

        // A reroute back to the source.
        List<RerouteGraph.Edge> cycle = graph(src.name(), dst).cycle(src.name(), dst.name(), domains);
        if (!cycle.isEmpty()) {
            out.add(refuse("no reroute cycle", cycleText(src, cycle), remedy(cycle)));
        } else if (dst.isRemote()) {
            out.add(ok("no reroute cycle", "no reroute of this host or of " + dst.host() + " (its " + dst.facts()
                    .reroutes().size() + " as read at " + dst.facts().readAt() + ") sends the mail back; a reroute "
                    + "started on " + dst.host() + " since then is not seen here"));
        }

        // Where trivial-rewrite will send each recipient with the relay map first.
        List<String> rcpts = new ArrayList<>(recipients);
        out.add(routeCheck(src, facts, existing, rcpts, domains, null, dstIp));

        if (domains.isEmpty()) {
            String mydest = facts.get("mydestination").trim();
            out.add(warn("wildcard", "'*' catches every recipient of " + src.name() + ", bounce notices it generates "
                    + "included" + (mydest.isEmpty() ? "" : ", and its local domains (mydestination = " + mydest
                    + "): give them their own transport.relay entries")));
        }
        return new Preflight(src, dst, dstIp, srcIp, banner, admittedBy, byDomain, messages, out, base, ownName, helo,
                existing, rcpts, inetOverride, clearProxy);
    }

    /**
     * Route check: every recipient must resolve to the reroute's entry. Before the write
     * ({@code relayMapSpec} null) the relay map is taken as it will be written, first in the list;
     * after the reload it is queried like the others.
     */
    Preflight.Check routeCheck(PostfixInstance src, SourceFacts facts, List<String> existing, List<String> rcpts,
                               List<String> domains, String relayMapSpec, String dstIp) {
        RouteCheck rc = new RouteCheck(facts.get("parent_domain_matches_subdomains").contains("transport_maps"),
                facts.get("recipient_delimiter"));
        List<String> keys = rc.keys(rcpts);
        LinkedHashMap<String, Map<String, String>> hits = new LinkedHashMap<>();
        String value = FlushService.nexthopValue(dstIp);
        String relayName = relayMapSpec != null ? relayMapSpec : "hash:" + src.configDir().resolve(FlushService.MAP);
        if (relayMapSpec == null) {
            Map<String, String> virtual = new LinkedHashMap<>();
            for (String d : domains.isEmpty() ? List.of("*") : domains) {
                virtual.put(d, value);
            }
            hits.put(relayName, virtual);
        } else {
            hits.put(relayName, postmap.queryMap(src.configDir(), relayMapSpec, keys));
        }
        for (String mp : existing) {
            hits.put(mp, postmap.queryMap(src.configDir(), mp, keys));
        }
        List<String> wrong = new ArrayList<>();
        for (RouteCheck.Route r : rc.resolve(rcpts, hits).values()) {
            if (!relayName.equals(r.map()) || !value.equals(r.value())) {
                wrong.add(r.recipient() + " -> " + (r.map() == null ? "no transport_maps entry (default transport)"
                        : r.map() + " '" + r.key() + " " + r.value() + "'"));
            }
        }
        if (!wrong.isEmpty()) {
            return refuse("effective route", "with " + relayName + " first in transport_maps, " + wrong.size() + " of "
                    + rcpts.size() + " recipients would not go to " + dstIp + ": " + String.join("; ",
                    wrong.subList(0, Math.min(3, wrong.size()))) + (wrong.size() > 3 ? "; ..." : ""),
                    "move those recipients with --domain entries the other maps do not override, or change the "
                            + "entries that win");
        }
        return ok("effective route", "all " + rcpts.size() + " recipients checked resolve to " + value + " ("
                + (existing.isEmpty() ? "no other transport map" : "ahead of " + String.join(", ", existing)) + ")");
    }

    /**
     * After the reload: transport_maps as Postfix now reads it (expanded), every map queried in
     * its order, and every checked recipient must resolve to the reroute's entry in the relay map.
     */
    Preflight.Check verifyRoutes(Preflight p, List<String> domains) {
        PostfixInstance src = p.source();
        SourceFacts facts = new SourceFacts(postconf.values(src.configDir(), List.of("-x", "transport_maps",
                "parent_domain_matches_subdomains", "recipient_delimiter", "default_database_type")));
        List<String> maps = RouteCheck.maps(facts.get("transport_maps"), facts.get("default_database_type"));
        Path ourMap = src.configDir().resolve(FlushService.MAP);
        if (maps.isEmpty() || !sameFile(mapPath(maps.get(0)), ourMap)) {
            return refuse("effective route", "transport_maps is now '" + facts.get("transport_maps") + "': "
                    + FlushService.MAP + " is not its first map", "put hash:" + ourMap + " first");
        }
        return routeCheck(src, facts, maps.subList(1, maps.size()), p.checkRecipients(), domains, maps.get(0),
                p.targetAddress());
    }

    /** The reroutes in force or in progress on this host, except the source's own old journal. */
    RerouteGraph graph(String exceptJournalOf) {
        RerouteGraph g = new RerouteGraph();
        for (TargetFacts.Edge e : edges(exceptJournalOf)) {
            g.add(new RerouteGraph.Edge(e.from(), e.to(), e.domains(), e.why()));
        }
        addClaims(g, null);
        return g;
    }

    /**
     * The reroutes other hosts announced to instances here ({@link IncomingClaims}) as edges. A
     * claim's source is named as its claim names it and, since operators spell hosts in more than
     * one way, also as every other-host node of the graph that is the same instance: one whose
     * address is the claim's sending address, the target {@code dst} (null: none) when it has
     * that address, and any {@code HOST:NAME} with the claim's NAME (this can only refuse more).
     */
    private void addClaims(RerouteGraph g, RerouteTarget dst) {
        List<IncomingClaims.Claim> claims = store.claims().live();
        if (claims.isEmpty()) {
            return;
        }
        Map<String, String> addressOf = new LinkedHashMap<>();
        if (dst != null) {
            addressOf.put(dst.name(), dst.address());
        }
        Set<String> remoteNodes = new LinkedHashSet<>();
        for (RerouteGraph.Edge e : g.edges()) {
            for (String n : List.of(e.from(), e.to())) {
                if (RerouteTarget.isRemoteName(n)) {
                    remoteNodes.add(n);
                }
            }
        }
        if (dst != null) {
            remoteNodes.add(dst.name());
        }
        for (TargetFacts.Edge e : edges(null)) {
            if (e.toAddress() != null && RerouteTarget.isRemoteName(e.to())) {
                addressOf.putIfAbsent(e.to(), e.toAddress());
            }
        }
        for (IncomingClaims.Claim c : claims) {
            String instance = c.from().substring(c.from().lastIndexOf(':') + 1);
            Set<String> names = new LinkedHashSet<>();
            names.add(c.from());
            for (String n : remoteNodes) {
                boolean sameAddress = c.fromAddress() != null && c.fromAddress().equals(addressOf.get(n));
                if (sameAddress || n.substring(n.lastIndexOf(':') + 1).equals(instance)) {
                    names.add(n);
                }
            }
            for (String from : names) {
                g.add(new RerouteGraph.Edge(from, c.to(), c.domains(), CLAIM_WHY + c.from() + " being started, claim "
                        + c.id() + " (" + store.claims().file(c.id()) + ") made at " + c.claimedAt() + " by " + c.by()
                        + ", ends by " + c.expiresAt()));
            }
        }
    }

    /**
     * This host's graph and, for a target on another host, that host's reroutes as its facts
     * listed them: their instances named {@code HOST:NAME}, an edge to an address of an instance
     * here named by that instance, and any journalled edge to the target's address named as the
     * target is now, however the host was spelled then.
     */
    RerouteGraph graph(String exceptJournalOf, RerouteTarget dst) {
        if (!dst.isRemote()) {
            return graph(exceptJournalOf);
        }
        List<PostfixInstance> all = registry.all();
        Map<String, String> localByIp = new LinkedHashMap<>();
        for (PostfixInstance i : all) {
            if (i.bindAddress() != null) {
                localByIp.putIfAbsent(i.bindAddress(), i.name());
            }
        }
        RerouteGraph g = new RerouteGraph();
        for (TargetFacts.Edge e : edges(exceptJournalOf, all)) {
            boolean toTarget = RerouteTarget.isRemoteName(e.to()) && dst.address().equals(e.toAddress());
            g.add(new RerouteGraph.Edge(e.from(), toTarget ? dst.name() : e.to(), e.domains(), e.why()));
        }
        for (TargetFacts.Edge e : dst.facts().reroutes()) {
            String to = e.toAddress() != null && localByIp.containsKey(e.toAddress()) ? localByIp.get(e.toAddress())
                    : RerouteTarget.isRemoteName(e.to()) ? e.to() : dst.host() + ":" + e.to();
            g.add(new RerouteGraph.Edge(dst.host() + ":" + e.from(), to, e.domains(), "on " + dst.host() + ": " + e.why()));
        }
        // A reroute announced here from the target's own address is the target, however its host was spelled.
        addClaims(g, dst);
        return g;
    }

    /**
     * The reroutes in force or in progress on this host (journals running or active, and
     * transport.relay maps in force without one, to an address of an instance here), each with
     * the address it relays to when known.
     */
    List<TargetFacts.Edge> edges(String exceptJournalOf) {
        return edges(exceptJournalOf, registry.all());
    }

    private List<TargetFacts.Edge> edges(String exceptJournalOf, List<PostfixInstance> all) {
        List<TargetFacts.Edge> out = new ArrayList<>();
        Map<String, String> byIp = new LinkedHashMap<>();
        Map<String, String> ipOf = new LinkedHashMap<>();
        for (PostfixInstance i : all) {
            if (i.bindAddress() != null) {
                byIp.putIfAbsent(i.bindAddress(), i.name());
                ipOf.put(i.name(), i.bindAddress());
            }
        }
        Set<String> journalled = new LinkedHashSet<>();
        for (FlushJournal j : store.all()) {
            if ((j.state == FlushJournal.State.RUNNING || j.state == FlushJournal.State.ACTIVE) && j.target != null
                    && !j.source.equals(exceptJournalOf)) {
                String why = "journal " + j.state.name().toLowerCase();
                if (j.state == FlushJournal.State.RUNNING) {
                    why += ", started " + j.started + " by " + j.user;
                }
                out.add(new TargetFacts.Edge(j.source, j.target, j.targetAddress != null ? j.targetAddress
                        : ipOf.get(j.target), j.domains, why));
                journalled.add(j.source);
            }
        }
        for (PostfixInstance i : all) {
            if (!i.rerouteActive() || journalled.contains(i.name())) {
                continue;
            }
            String text = FlushService.readTextOrNull(i.configDir().resolve(FlushService.MAP));
            if (text == null) {
                continue;
            }
            Map<String, List<String>> byTarget = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                String l = line.trim();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] kv = l.split("\\s+", 2);
                if (kv.length < 2) {
                    continue;
                }
                int lb = kv[1].indexOf('[');
                int rb = kv[1].indexOf(']');
                if (lb >= 0 && rb > lb) {
                    String ip = kv[1].substring(lb + 1, rb).replaceFirst("^(?i)IPv6:", "");
                    String to = byIp.get(ip);
                    if (to != null) {
                        byTarget.computeIfAbsent(to, k -> new ArrayList<>()).add(kv[0]);
                    }
                }
            }
            byTarget.forEach((to, keys) -> out.add(new TargetFacts.Edge(i.name(), to, ipOf.get(to), keys,
                    "its " + FlushService.MAP)));
        }
        return out;
    }

    /** How to switch off the reroute of {@code from} (an instance here, or HOST:NAME on another host). */
    static String restoreHint(String from) {
        int colon = from.lastIndexOf(':');
        if (colon >= 0) {
            return "on " + from.substring(0, colon) + ": mfshell flush " + from.substring(colon + 1) + " --restore";
        }
        return "restore " + from + "'s reroute first (flush " + from + " --restore)";
    }

    /** What to do about a cycle: wait out a reroute being started elsewhere, or restore the first edge's reroute. */
    static String remedy(List<RerouteGraph.Edge> cycle) {
        for (RerouteGraph.Edge e : cycle) {
            if (e.why().startsWith(CLAIM_WHY)) {
                return "let the reroute being started from " + e.from() + " finish (its journal then decides) or wait "
                        + "until its claim ends, then run this flush again";
            }
        }
        return restoreHint(cycle.get(0).from());
    }

    static final String CLAIM_WHY = "a reroute from ";

    static String cycleText(PostfixInstance src, List<RerouteGraph.Edge> cycle) {
        if (cycle.size() == 1 && cycle.get(0).why().startsWith(CLAIM_WHY)) {
            return cycle.get(0).from() + " is about to be rerouted to " + src.name() + " (" + RerouteGraph.describe(cycle)
                    + "): two reroutes started at once on two hosts race; with both the mail would go round in a loop "
                    + "until Postfix bounces it ('too many hops')";
        }
        if (cycle.size() == 1) {
            return cycle.get(0).from() + " is itself rerouted to " + src.name() + "'s address " + src.bindAddress()
                    + " (" + RerouteGraph.describe(cycle) + "): the mail would go round in a loop until Postfix "
                    + "bounces it ('too many hops')";
        }
        String race = cycle.stream().anyMatch(e -> e.why().contains("journal running") || e.why().startsWith(CLAIM_WHY))
                ? " (one of them is still in progress: two reroutes started at once on two hosts race; let it finish "
                + "or roll it back first)" : "";
        return "the reroute would close a loop: " + RerouteGraph.describe(cycle) + "; the mail would go round until "
                + "Postfix bounces it ('too many hops')" + race;
    }

    /** The words of an inet_interfaces/proxy_interfaces value, "all" as this host's addresses. */
    static List<String> interfaces(String value, List<String> hostAddresses) {
        List<String> out = new ArrayList<>();
        for (String a : value.split("[\\s,]+")) {
            if (!a.isBlank()) {
                out.addAll(a.equals("all") ? hostAddresses : List.of(a));
            }
        }
        return out;
    }

    /** This host's interface addresses, as Postfix's inet_addr_local lists them for "all". */
    static List<String> hostAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (java.net.NetworkInterface n : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                for (java.net.InetAddress a : java.util.Collections.list(n.getInetAddresses())) {
                    String h = a.getHostAddress();
                    int pct = h.indexOf('%');
                    out.add(pct >= 0 ? h.substring(0, pct) : h);
                }
            }
        } catch (java.net.SocketException e) {
            out.add("all");
        }
        return out;
    }

    private static String option(String serviceLine, String name) {
        String[] f = serviceLine.trim().split("\\s+");
        for (int i = 8; i + 1 < f.length; i++) {
            if (f[i].equals("-o") && f[i + 1].startsWith(name + "=")) {
                return f[i + 1].substring(name.length() + 1);
            }
        }
        return null;
    }

    static Path mapPath(String mapSpec) {
        int colon = mapSpec.indexOf(':');
        return Path.of(colon >= 0 ? mapSpec.substring(colon + 1) : mapSpec);
    }

    static boolean sameFile(Path a, Path b) {
        if (a.normalize().equals(b.normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static Preflight.Check ok(String name, String detail) {
        return new Preflight.Check(name, Preflight.Check.Verdict.OK, detail, null);
    }

    static Preflight.Check warn(String name, String detail) {
        return new Preflight.Check(name, Preflight.Check.Verdict.WARN, detail, null);
    }

    static Preflight.Check refuse(String name, String detail, String remedy) {
        return new Preflight.Check(name, Preflight.Check.Verdict.REFUSE, detail, remedy);
    }
}
