package org.mfshell.flush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.instance.InstanceNames;
import org.mfshell.mail.IpAddresses;

/**
 * What a cross-host reroute needs to know about its target instance on the other relay, as that
 * host's mfshell reports it ({@code mfshell flush NAME --facts}): the instance's name, sending
 * address, listening addresses, myhostname, mynetworks, whether it runs, the reroutes in force on
 * that host (for the cycle check across hosts), its mfshell version, when it was read, and the id
 * of the claim written with them when they were read for a reroute ({@link IncomingClaims}).
 *
 * <p>The JSON comes over the network, so {@link #parse} trusts nothing: at most
 * {@value #MAX_BYTES} bytes, one object, {@code facts_version} {@value #VERSION}, every member of the
 * right JSON type, every value checked by the rule for what it is (instance names by
 * {@link InstanceNames}, addresses by {@link IpAddresses}, myhostname as a DNS name, map keys and
 * mynetworks entries printable without white space), lists bounded. Members it
 * does not know are ignored (never read). Errors: {@link MfshellException} naming the member and
 * what was wrong, its text quoted with control characters escaped.
 */
public record TargetFacts(String mfshellVersion, String instance, String sendingAddress, List<String> listen,
                          boolean listensOnSendingAddress, String myhostname, List<String> mynetworks, boolean running, String configDir,
                          List<Edge> reroutes, String readAt, String claim) {
    /** 2: with the claim (IncomingClaims); a version-1 mfshell refuses these facts, so no reroute runs without the claim check. */
    public static final int VERSION = 2;
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_LIST = 256;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern VERSION_TEXT = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?");
    private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9._/-]{0,255}");
    private static final Pattern LISTEN = Pattern.compile("[!-~]{1,200}:[A-Za-z0-9_-]{1,32}");
    private static final Pattern MAP_KEY = Pattern.compile("[!-~&&[^\\[\\]]]{1,255}");
    private static final Pattern NETWORK_ENTRY = Pattern.compile("[!-~]{1,200}");

    /** One reroute in force on the target's host: {@code from} relays {@code domains} (empty: all) to {@code to} at {@code toAddress}. */
    public record Edge(String from, String to, String toAddress, List<String> domains, String why) {
    }

    /**
     * Whether one of {@code listen} (discovery's HOST:PORT words: an address, {@code *} for every
     * interface, a port number or service name) is {@code ip} port 25.
     */
    public static boolean listensOn(List<String> listen, String ip) {
        for (String l : listen) {
            int colon = l.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            String host = l.substring(0, colon);
            String port = l.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if ((port.equals("25") || port.equals("smtp")) && (host.equals("*") || host.equalsIgnoreCase(ip))) {
                return true;
            }
        }
        return false;
    }

    static String listenWord(String ip, int port) {
        return (IpAddresses.isIpv6(ip) ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** The facts as one line of JSON (the form {@link #parse} reads). */
    public String toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("facts_version", VERSION);
        o.put("mfshell_version", mfshellVersion);
        o.put("instance", instance);
        o.put("sending_address", sendingAddress);
        listen.forEach(o.putArray("listen")::add);
        o.put("listens_on_sending_address", listensOnSendingAddress);
        o.put("myhostname", myhostname);
        mynetworks.forEach(o.putArray("mynetworks")::add);
        o.put("running", running);
        o.put("config_dir", configDir);
        ArrayNode rs = o.putArray("reroutes");
        for (Edge e : reroutes) {
            ObjectNode n = rs.addObject();
            n.put("from", e.from());
            n.put("to", e.to());
            if (e.toAddress() == null) {
                n.putNull("to_address");
            } else {
                n.put("to_address", e.toAddress());
            }
            e.domains().forEach(n.putArray("domains")::add);
            n.put("why", e.why());
        }
        o.put("read_at", readAt);
        if (claim != null) {
            o.put("claim", claim);
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The facts a target host sent, each member checked; {@code from} names the host in messages. */
    public static TargetFacts parse(String json, String from) {
        JsonNode root = object(json, from);
        return parse(root, from);
    }

    /** One JSON object of at most {@value #MAX_BYTES} bytes with this mfshell's facts_version. */
    private static JsonNode object(String json, String from) {
        if (json == null) {
            throw bad(from, "no facts");
        }
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw bad(from, "the facts are larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw bad(from, "the facts are not JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(from, "the facts are not one JSON object");
        }
        JsonNode v = root.get("facts_version");
        if (v == null || !v.isInt() || v.intValue() != VERSION) {
            throw bad(from, "facts_version is " + shown(v) + ", this mfshell reads version " + VERSION
                    + " (install the same mfshell on both hosts)");
        }
        return root;
    }

    private static String versionOf(JsonNode root, String from) {
        String version = text(root, "mfshell_version", from);
        if (!VERSION_TEXT.matcher(version).matches()) {
            throw bad(from, "mfshell_version " + Quote.quote(version) + " is not a version");
        }
        return version;
    }

    private static String instanceOf(JsonNode root, String from) {
        String instance = text(root, "instance", from);
        if (!InstanceNames.isSane(instance)) {
            throw bad(from, "instance " + Quote.quote(instance) + " is not a valid instance name");
        }
        return instance;
    }

    private static TargetFacts parse(JsonNode root, String from) {
        String version = versionOf(root, from);
        String instance = instanceOf(root, from);
        String sending = address(text(root, "sending_address", from), "sending_address", from);
        List<String> listen = new ArrayList<>();
        for (String l : texts(root, "listen", from)) {
            if (!LISTEN.matcher(l).matches()) {
                throw bad(from, "listen entry " + Quote.quote(l) + " is not HOST:PORT");
            }
            listen.add(l);
        }
        JsonNode listens = root.get("listens_on_sending_address");
        if (listens == null || !listens.isBoolean()) {
            throw bad(from, "listens_on_sending_address is " + shown(listens) + ", not true or false");
        }
        String myhostname = text(root, "myhostname", from);
        if (!isHostname(myhostname)) {
            throw bad(from, "myhostname " + Quote.quote(myhostname) + " is not a host name");
        }
        List<String> networks = new ArrayList<>();
        for (String n : texts(root, "mynetworks", from)) {
            if (!NETWORK_ENTRY.matcher(n).matches()) {
                throw bad(from, "mynetworks entry " + Quote.quote(n) + " is empty, too long or holds white space or "
                        + "control characters");
            }
            networks.add(n);
        }
        JsonNode running = root.get("running");
        if (running == null || !running.isBoolean()) {
            throw bad(from, "running is " + shown(running) + ", not true or false");
        }
        String configDir = text(root, "config_dir", from);
        if (!PLAIN_PATH.matcher(configDir).matches() || configDir.contains("..")) {
            throw bad(from, "config_dir " + Quote.quote(configDir) + " is not a plain absolute directory");
        }
        List<Edge> edges = new ArrayList<>();
        for (JsonNode e : array(root, "reroutes", from)) {
            edges.add(edge(e, from));
        }
        String readAt = text(root, "read_at", from);
        try {
            Instant.parse(readAt);
        } catch (DateTimeParseException e) {
            throw bad(from, "read_at " + Quote.quote(readAt) + " is not a time (ISO 8601, UTC)");
        }
        JsonNode c = root.get("claim");
        String claim = null;
        if (c != null && !c.isNull()) {
            claim = textValue(c, "claim", from);
            if (!IncomingClaims.ID.matcher(claim).matches()) {
                throw bad(from, "claim " + Quote.quote(claim) + " is not a claim id (16 hex digits)");
            }
        }
        return new TargetFacts(version, instance, sending, List.copyOf(listen), listens.booleanValue(),
                myhostname.toLowerCase(Locale.ROOT),
                List.copyOf(networks), running.booleanValue(), configDir, List.copyOf(edges), readAt, claim);
    }

    /**
     * What the operator's mfshell needs of a cross-host reroute's source ({@code flush NAME --facts
     * --as-source}): its mfshell version, the instance's own name and its sending address (null
     * when it has none, as a default instance may), for the claim.
     */
    public record Source(String mfshellVersion, String instance, String sendingAddress) {
        public String toJson() {
            ObjectNode o = MAPPER.createObjectNode();
            o.put("facts_version", VERSION);
            o.put("mfshell_version", mfshellVersion);
            o.put("instance", instance);
            if (sendingAddress == null) {
                o.putNull("sending_address");
            } else {
                o.put("sending_address", sendingAddress);
            }
            return o.toString();
        }

        /** The source facts {@code from} sent, each member checked as {@link TargetFacts#parse} checks its own. */
        public static Source parse(String json, String from) {
            JsonNode root = object(json, from);
            String version = versionOf(root, from);
            String instance = instanceOf(root, from);
            JsonNode a = root.get("sending_address");
            String address = a == null || a.isNull() ? null : address(textValue(a, "sending_address", from),
                    "sending_address", from);
            return new Source(version, instance, address);
        }
    }

    /** These facts with the id of the claim written with them ({@link IncomingClaims}). */
    public TargetFacts withClaim(String id) {
        return new TargetFacts(mfshellVersion, instance, sendingAddress, listen, listensOnSendingAddress, myhostname,
                mynetworks, running, configDir, reroutes, readAt, id);
    }

    private static Edge edge(JsonNode e, String from) {
        if (!e.isObject()) {
            throw bad(from, "a reroutes entry is not an object");
        }
        String src = text(e, "from", from);
        if (!InstanceNames.isSane(src)) {
            throw bad(from, "reroutes: from " + Quote.quote(src) + " is not a valid instance name");
        }
        String to = text(e, "to", from);
        int colon = to.lastIndexOf(':');
        String toInstance = colon >= 0 ? to.substring(colon + 1) : to;
        String toHost = colon >= 0 ? to.substring(0, colon) : null;
        if (!InstanceNames.isSane(toInstance) || (toHost != null && !isHostWord(toHost))) {
            throw bad(from, "reroutes: to " + Quote.quote(to) + " is not INSTANCE or HOST:INSTANCE");
        }
        JsonNode a = e.get("to_address");
        String toAddress = a == null || a.isNull() ? null : address(textValue(a, "reroutes: to_address", from),
                "reroutes: to_address", from);
        List<String> domains = new ArrayList<>();
        for (String d : texts(e, "domains", from)) {
            // A map key as the host's transport.relay has it (a domain, .domain, *, or user@domain):
            // compared as text only, never used as a name or a path.
            if (!MAP_KEY.matcher(d).matches()) {
                throw bad(from, "reroutes: domain " + Quote.quote(d) + " is not a map key");
            }
            domains.add(d.toLowerCase(Locale.ROOT));
        }
        String why = text(e, "why", from);
        if (why.length() > 200 || why.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw bad(from, "reroutes: why " + Quote.quote(why) + " is too long or holds control characters");
        }
        return new Edge(src, to, toAddress, List.copyOf(domains), why);
    }

    /** A host as the operator's ssh config or fleet file names it: no option, no white space, no control characters. */
    static boolean isHostWord(String h) {
        return !h.isEmpty() && h.length() <= 255 && !h.startsWith("-") && h.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** A DNS host name: dot-separated labels of letters, digits, '-' (and '_', as Postfix allows), at most 253 characters. */
    static boolean isHostname(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String t = s.toLowerCase(Locale.ROOT);
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        for (String label : t.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static String address(String s, String member, String from) {
        try {
            return IpAddresses.require(s, member);
        } catch (RuntimeException e) {
            throw bad(from, member + " " + Quote.quote(s) + " is not an IPv4 or IPv6 address");
        }
    }

    private static String text(JsonNode o, String member, String from) {
        JsonNode n = o.get(member);
        if (n == null) {
            throw bad(from, member + " is missing");
        }
        return textValue(n, member, from);
    }

    private static String textValue(JsonNode n, String member, String from) {
        if (!n.isTextual()) {
            throw bad(from, member + " is " + shown(n) + ", not a string");
        }
        String s = n.textValue();
        if (s.length() > 1000) {
            throw bad(from, member + " is longer than 1000 characters");
        }
        return s;
    }

    private static JsonNode array(JsonNode o, String member, String from) {
        JsonNode n = o.get(member);
        if (n == null || !n.isArray()) {
            throw bad(from, member + " is " + shown(n) + ", not a list");
        }
        if (n.size() > MAX_LIST) {
            throw bad(from, member + " has " + n.size() + " entries, more than " + MAX_LIST);
        }
        return n;
    }

    private static List<String> texts(JsonNode o, String member, String from) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array(o, member, from)) {
            out.add(textValue(n, member, from));
        }
        return out;
    }

    private static String shown(JsonNode n) {
        if (n == null) {
            return "missing";
        }
        String s = n.toString();
        return Quote.oneLine(s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static MfshellException bad(String from, String what) {
        return new MfshellException(from + " sent facts mfshell does not accept: " + Quote.oneLine(what));
    }
}
