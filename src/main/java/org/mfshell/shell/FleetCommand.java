package org.mfshell.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mfshell.AppContext;
import org.mfshell.cli.Io;
import org.mfshell.cli.Text;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.cli.Cli;
import org.mfshell.fleet.FleetFile;
import org.mfshell.fleet.FleetHealth;
import org.mfshell.fleet.FleetRoute;
import org.mfshell.fleet.FleetRun;
import org.mfshell.postfix.Ssh;
import org.mfshell.shell.render.Table;

/**
 * {@code mfshell --on HOST[,HOST...]|all|GROUP CMD ARGS}, and each line of the fleet shell: routed
 * by {@link FleetRoute}. Merged commands run on every host at once (see {@link FleetRun}) and what
 * they answer becomes one table with a HOST column first, hosts in the order given, or with
 * {@code --json} the single-host JSON shapes, each object with a {@code "host"} member;
 * {@code stats --format mf} lines are prefixed {@code HOST:}; the health table ends with the
 * reroutes to make, across hosts too ({@link FleetHealth}). Merged: instances, mailq (the
 * overview), health, reroutes, stats (--format mf or json). A host that fails gets one stderr line
 * ({@code mfshell: HOST: ...}) and a row (or object) saying so; the exit code is then 1.
 * {@code mailq INSTANCE}, show, hold, release, requeue, delete and flush, and any line naming
 * {@code HOST:INSTANCE} on one host, run on that host with their output passed through
 * ({@code ssh -t} when interactive); a line naming two hosts goes to {@link #crossHost}. The
 * remotes' audit lines name the operator ({@code --operator}, see {@link #operatorClaim}).
 * Errors: {@link UsageException} for a bad host, an unknown fleet group, or a command that is not merged.
 */
public final class FleetCommand {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final List<String> MERGED = FleetRoute.MERGED;
    /** Commands run on one host with their output and questions passed straight through. */
    public static final List<String> ONE_HOST = FleetRoute.ONE_HOST;

    private FleetCommand() {
    }

    public static int run(AppContext ctx, Map<String, String> env, String on, List<String> words, Io io) {
        return run(ctx, env, on, null, words, io);
    }

    /** {@code operator}: the global --operator given to this mfshell (checked), else null to claim USER@THIS-HOST. */
    public static int run(AppContext ctx, Map<String, String> env, String on, String operator, List<String> words, Io io) {
        List<String> hosts;
        try {
            hosts = FleetFile.read(FleetFile.path(env)).resolve(on);
        } catch (MfshellException e) {
            error(io, e.getMessage());
            return e.exitCode();
        }
        FleetRun fleet = new FleetRun(new Ssh(ctx.runner(), env), VersionCommand.version(), VersionCommand.JSON_SHAPES,
                operator != null ? operator : operatorClaim());
        return run(ctx, env, hosts, fleet, words, io);
    }

    /**
     * The operator's claim sent to the remotes for their audit lines: this side's user (SUDO_USER,
     * else USER) at this host's short name; null when that is no valid USER@HOST.
     */
    public static String operatorClaim() {
        String claim = org.mfshell.fs.AuditLog.user() + "@" + ShellApplication.hostName();
        try {
            return org.mfshell.fs.AuditLog.checkOperator(claim);
        } catch (UsageException e) {
            return null;
        }
    }

    /** One line over {@code hosts}, routed by {@link FleetRoute}; {@code fleet} keeps each host's check (a shell keeps it for the session). */
    public static int run(AppContext ctx, Map<String, String> env, List<String> hosts, FleetRun fleet, List<String> words, Io io) {
        try {
            FleetRoute.Route route = FleetRoute.of(hosts, words);
            if (route.kind() == FleetRoute.Kind.CROSS_HOST) {
                return crossHost(ctx, env, route.words(), io);
            }
            if (route.kind() == FleetRoute.Kind.ONE_HOST) {
                return oneHost(fleet, route.host(), route.words(), io);
            }
            String cmd = words.get(0);
            List<String> rest = new ArrayList<>(words.subList(1, words.size()));
            boolean json = rest.remove("--json");
            boolean wide = rest.remove("--wide");
            rest.remove("--no-pager");
            String format = "json";
            if (cmd.equals("stats")) {
                format = statsFormat(rest, json);
            } else if ((cmd.equals("mailq") || cmd.equals("instances") || cmd.equals("reroutes")) && !rest.isEmpty()) {
                throw new UsageException("--on: " + cmd + " across hosts takes only --json (got " + Quote.quote(rest.get(0)) + ")");
            }
            List<String> remote = new ArrayList<>();
            remote.add(cmd);
            remote.addAll(rest);
            if (!cmd.equals("stats")) {
                remote.add("--json");
            }
            List<FleetRun.HostResult> results = fleet.run(hosts, remote);
            Io out = wide ? io.wide() : io;
            int code = ExitCodes.OK;
            List<Parsed> parsed = new ArrayList<>();
            for (FleetRun.HostResult r : results) {
                for (String w : r.warnings()) {
                    if (r.ok()) {
                        error(io, r.host() + ": " + w);
                    }
                }
                Parsed p = new Parsed(r.host(), r.ok() ? null : r.error(), new ArrayList<>(), r.stdout());
                if (r.ok() && !format.equals("mf")) {
                    try {
                        p.objects.addAll(objects(r.stdout()));
                    } catch (Exception e) {
                        p = new Parsed(r.host(), cmd + " gave no JSON: " + e.getMessage(), new ArrayList<>(), "");
                    }
                }
                if (p.error != null) {
                    error(io, r.host() + ": " + p.error);
                    code = ExitCodes.FAILURE;
                }
                parsed.add(p);
            }
            if (format.equals("mf")) {
                for (Parsed p : parsed) {
                    if (p.error == null) {
                        for (String l : p.raw.split("\n")) {
                            if (!l.isEmpty()) {
                                out.out().println(p.host + ":" + l);
                            }
                        }
                    } else {
                        out.out().println(p.host + ":error " + Quote.oneLine(p.error));
                    }
                }
                return code;
            }
            if (json || cmd.equals("stats")) {
                printJson(out, cmd, parsed);
            } else {
                table(cmd, parsed).print(out.out(), out.width());
                if (cmd.equals("health")) {
                    printSuggestions(out, parsed);
                }
            }
            return code;
        } catch (UsageException e) {
            error(io, e.getMessage());
            return ExitCodes.USAGE;
        } catch (MfshellException e) {
            if (e instanceof org.mfshell.core.CancelledException) {
                io.err().println("mfshell: interrupted");
                return ExitCodes.INTERRUPTED;
            }
            error(io, e.getMessage());
            return e.exitCode();
        } catch (InterruptedException e) {
            io.err().println("mfshell: interrupted");
            return ExitCodes.INTERRUPTED;
        } catch (RuntimeException e) {
            error(io, e.getMessage() == null ? e.toString() : e.getMessage());
            return ExitCodes.FAILURE;
        } finally {
            io.out().flush();
            io.err().flush();
        }
    }

    /**
     * A line naming instances on two hosts ({@code flush rustin:msn-a --to cleveland:msn-b ...}):
     * this side's one-shot path with the same words, as {@code mfshell flush rustin:msn-a --to
     * cleveland:msn-b ...} would run here: {@link CrossHostFlush}. Only flush may name two hosts.
     */
    static int crossHost(AppContext ctx, Map<String, String> env, List<String> words, Io io) {
        if (words.isEmpty() || !words.get(0).equals("flush")) {
            throw new UsageException("only flush names instances on two hosts (HOST:SRC --to HOST2:NAME); "
                    + Quote.quote(words.isEmpty() ? "" : words.get(0)) + " takes instances of one host");
        }
        return CrossHostFlush.run(ctx, env, words, io);
    }

    /**
     * CMD on one host, attached: its stdout and stderr straight through, {@code ssh -t} when this
     * side is a terminal (so its confirmations are asked there); its exit code, 1 when ssh failed.
     * The host is checked first (once per {@code fleet}).
     */
    private static int oneHost(FleetRun fleet, String host, List<String> words, Io io) {
        String bad = fleet.checkOnce(host);
        if (bad != null) {
            error(io, host + ": " + bad);
            return ExitCodes.FAILURE;
        }
        io.out().flush();
        io.err().flush();
        int code = fleet.ssh().attached(host, fleet.remote(host, words), io.terminal());
        if (code == 255) {
            error(io, host + ": ssh failed (exit 255; its message is above)");
            return ExitCodes.FAILURE;
        }
        return code;
    }

    /**
     * After the merged health table: each host's own suggestions (HOST:INSTANCE named), then the
     * reroutes to another host where no sibling on the same host is OK ({@link FleetHealth}).
     */
    private static void printSuggestions(Io io, List<Parsed> parsed) {
        List<String> lines = new ArrayList<>();
        Map<String, JsonNode> reports = new java.util.LinkedHashMap<>();
        for (Parsed p : parsed) {
            if (p.error != null || p.objects.isEmpty()) {
                continue;
            }
            JsonNode report = p.objects.get(0);
            reports.put(p.host, report);
            for (JsonNode sg : report.path("suggestions")) {
                lines.add("  " + p.host + ":" + sg.path("instance").asText() + " is BLOCKED for " + sg.path("group").asText()
                        + " and " + p.host + ":" + sg.path("sibling").asText() + " is OK; move its deferred mail with:");
                StringBuilder cmd = new StringBuilder("flush " + p.host + ":" + sg.path("instance").asText() + " --to " + p.host + ":"
                        + sg.path("sibling").asText());
                sg.path("domains").forEach(d -> cmd.append(" --domain ").append(d.asText()));
                lines.add("    " + Quote.oneLine(cmd.toString()));
            }
        }
        for (FleetHealth.CrossSuggestion x : FleetHealth.suggest(reports)) {
            lines.add("  " + x.host() + ":" + x.instance() + " is BLOCKED for " + x.group() + ", no sibling on " + x.host()
                    + " is OK, and " + x.targetHost() + ":" + x.target() + " is; move its deferred mail across hosts with:");
            lines.add("    " + Quote.oneLine(x.command()));
        }
        if (lines.isEmpty()) {
            return;
        }
        io.out().println();
        io.out().println("Suggested:");
        for (String l : lines) {
            io.out().println(l);
        }
    }

    /**
     * {@code health --json} across hosts: each host's report gains {@code cross_host_suggestions},
     * the reroutes to another host that the table's "Suggested:" lists for it (empty when none).
     */
    private static void addCrossSuggestions(List<Parsed> parsed, List<ObjectNode> all) {
        Map<String, JsonNode> reports = new java.util.LinkedHashMap<>();
        for (Parsed p : parsed) {
            if (p.error == null && !p.objects.isEmpty()) {
                reports.put(p.host, p.objects.get(0));
            }
        }
        List<FleetHealth.CrossSuggestion> cross = FleetHealth.suggest(reports);
        for (ObjectNode n : all) {
            if (n.has("error")) {
                continue;
            }
            com.fasterxml.jackson.databind.node.ArrayNode arr = n.putArray("cross_host_suggestions");
            for (FleetHealth.CrossSuggestion x : cross) {
                if (x.host().equals(n.path("host").asText())) {
                    ObjectNode o = arr.addObject();
                    o.put("instance", x.instance());
                    o.put("group", x.group());
                    o.put("target_host", x.targetHost());
                    o.put("target", x.target());
                    x.domains().forEach(o.putArray("domains")::add);
                    o.put("command", x.command());
                }
            }
        }
    }

    private record Parsed(String host, String error, List<ObjectNode> objects, String raw) {
    }

    /** The stats format across hosts: mf or json (the table's columns are one host's). */
    private static String statsFormat(List<String> rest, boolean json) {
        String f = json ? "json" : null;
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--format") && i + 1 < rest.size()) {
                f = rest.get(i + 1);
            } else if (a.startsWith("--format=")) {
                f = a.substring("--format=".length());
            }
        }
        if (f == null || !(f.equals("mf") || f.equals("json"))) {
            throw new UsageException("--on: stats across hosts takes --format mf or --format json");
        }
        if (json && !rest.contains("--format") && rest.stream().noneMatch(a -> a.startsWith("--format="))) {
            rest.add("--format");
            rest.add("json");
        }
        return f;
    }

    /** A JSON array's objects, or the objects one after another (JSON Lines, or pretty-printed ones). */
    static List<ObjectNode> objects(String stdout) throws Exception {
        List<ObjectNode> list = new ArrayList<>();
        String s = stdout.strip();
        if (s.isEmpty()) {
            return list;
        }
        if (s.startsWith("[")) {
            for (JsonNode n : MAPPER.readTree(s)) {
                list.add((ObjectNode) n);
            }
            return list;
        }
        try (com.fasterxml.jackson.databind.MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(s)) {
            while (it.hasNext()) {
                list.add((ObjectNode) it.next());
            }
        }
        return list;
    }

    private static ObjectNode withHost(String host, ObjectNode o) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("host", host);
        o.properties().forEach(e -> {
            if (!e.getKey().equals("host")) {
                n.set(e.getKey(), e.getValue());
            }
        });
        return n;
    }

    /** instances and reroutes: one JSON array; mailq, health and stats: one object a line. */
    private static void printJson(Io io, String cmd, List<Parsed> parsed) {
        List<ObjectNode> all = new ArrayList<>();
        for (Parsed p : parsed) {
            if (p.error != null) {
                ObjectNode n = MAPPER.createObjectNode();
                n.put("host", p.host);
                n.put("error", p.error);
                all.add(n);
                continue;
            }
            for (ObjectNode o : p.objects) {
                all.add(withHost(p.host, o));
            }
        }
        if (cmd.equals("health")) {
            addCrossSuggestions(parsed, all);
        }
        try {
            if (cmd.equals("instances") || cmd.equals("reroutes")) {
                io.out().println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            } else {
                for (ObjectNode n : all) {
                    io.out().println(MAPPER.writeValueAsString(n));
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Table table(String cmd, List<Parsed> parsed) {
        Table t = switch (cmd) {
            case "instances" -> new Table("HOST", "NAME", "SENDING IP", "LISTEN", "STATE", "DEFERRED", "ACTIVE", "HOLD", "INCOMING", "REROUTE")
                    .right(5, 6, 7, 8);
            case "mailq" -> new Table("HOST", "NAME", "STATE", "MAILDROP", "INCOMING", "ACTIVE", "DEFERRED", "HOLD", "TOTAL", "TOP DEFERRED DOMAIN")
                    .right(3, 4, 5, 6, 7, 8);
            case "health" -> new Table("HOST", "INSTANCE", "STATE", "VERDICT", "SENT", "DEFERRED", "BOUNCED", "QUEUED DEFERRED").right(4, 5, 6, 7);
            default -> new Table("HOST", "SOURCE", "TARGET", "VIA", "DOMAINS", "SINCE", "BY", "STATE");
        };
        int cols = switch (cmd) {
            case "instances", "mailq" -> 10;
            case "health" -> 8;
            default -> 8;
        };
        for (Parsed p : parsed) {
            if (p.error != null) {
                Object[] row = new Object[cols];
                row[0] = p.host;
                row[1] = "error: " + Quote.oneLine(p.error);
                for (int i = 2; i < cols; i++) {
                    row[i] = "-";
                }
                t.row(row);
                continue;
            }
            List<ObjectNode> rows = cmd.equals("health") ? healthRows(p.objects) : p.objects;
            if (rows.isEmpty() && cmd.equals("reroutes")) {
                t.row(p.host, "(no reroute)", "-", "-", "-", "-", "-", "-");
            }
            for (ObjectNode o : rows) {
                switch (cmd) {
                    case "instances" -> t.row(p.host, s(o, "name"), s(o, "bindAddress"), list(o.path("listen")), s(o, "state"),
                            n(o, "queues", "deferred"), n(o, "queues", "active"), n(o, "queues", "hold"),
                            o.path("queues").path("incoming").asLong() + o.path("queues").path("maildrop").asLong(),
                            o.path("rerouteActive").asBoolean() ? "active" : "-");
                    case "mailq" -> t.row(p.host, s(o, "instance"), s(o, "state"), n(o, "queues", "maildrop"), n(o, "queues", "incoming"),
                            n(o, "queues", "active"), n(o, "queues", "deferred"), n(o, "queues", "hold"), s(o, "total"),
                            o.path("top_deferred_domain").isTextual()
                                    ? o.get("top_deferred_domain").asText() + " (" + o.path("top_deferred_domain_recipients").asLong() + ")" : "-");
                    case "health" -> t.row(p.host, s(o, "instance"), s(o, "state"), s(o, "verdict"), s(o, "sent"), s(o, "deferred"),
                            s(o, "bounced"), n(o, "queue", "deferred"));
                    default -> t.row(p.host, s(o, "source"), s(o, "target"), s(o, "targetAddress"),
                            o.path("domains").isEmpty() ? "*" : list(o.path("domains")), s(o, "since"), s(o, "by"), s(o, "state"));
                }
            }
        }
        return t;
    }

    private static List<ObjectNode> healthRows(List<ObjectNode> reports) {
        List<ObjectNode> rows = new ArrayList<>();
        for (ObjectNode r : reports) {
            for (JsonNode i : r.path("instances")) {
                rows.add((ObjectNode) i);
            }
        }
        return rows;
    }

    private static String s(JsonNode o, String key) {
        JsonNode v = o.path(key);
        return v.isMissingNode() || v.isNull() ? "-" : Quote.oneLine(v.asText());
    }

    private static String n(JsonNode o, String key, String sub) {
        JsonNode v = o.path(key).path(sub);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    private static String list(JsonNode a) {
        List<String> parts = new ArrayList<>();
        for (JsonNode n : a) {
            parts.add(n.asText());
        }
        return parts.isEmpty() ? "-" : Quote.oneLine(String.join(",", parts));
    }

    private static void error(Io io, String message) {
        for (String line : Text.wrap("mfshell: " + Quote.oneLine(message), io.width(), "  ")) {
            io.err().println(line);
        }
    }
}
