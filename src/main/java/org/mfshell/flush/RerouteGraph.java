package org.mfshell.flush;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The reroutes in force or in progress on this host as a graph (instance -> instance, for a set
 * of domains, {@code *} meaning all), and the question a new reroute must answer before it is
 * written: would it close a cycle in which some domain goes round until Postfix bounces it with
 * "too many hops"? Checked under the reroute lock, just before the first write, so two reverse
 * reroutes started at once cannot both pass. Reports no errors; {@link #cycle} returns the path.
 */
public final class RerouteGraph {
    /** {@code from} relays the {@code domains} (empty or "*" = every recipient) to {@code to}. */
    public record Edge(String from, String to, List<String> domains, String why) {
    }

    private final List<Edge> edges = new ArrayList<>();

    public void add(Edge e) {
        edges.add(e);
    }

    public List<Edge> edges() {
        return edges;
    }

    /**
     * The edges of a path from {@code target} back to {@code source} that some of
     * {@code domains} would follow (so adding source -> target closes a cycle), or an empty list.
     */
    public List<Edge> cycle(String source, String target, List<String> domains) {
        record State(String at, List<String> domains, List<Edge> path) {
        }
        Deque<State> todo = new ArrayDeque<>();
        todo.add(new State(target, domains, List.of()));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            State s = todo.poll();
            if (s.at().equals(source) && !s.path().isEmpty()) {
                return s.path();
            }
            if (!seen.add(s.at() + " " + s.domains())) {
                continue;
            }
            for (Edge e : edges) {
                if (!e.from().equals(s.at())) {
                    continue;
                }
                List<String> common = intersect(s.domains(), e.domains());
                if (common == null) {
                    continue;
                }
                List<Edge> path = new ArrayList<>(s.path());
                path.add(e);
                if (e.to().equals(source)) {
                    return path;
                }
                todo.add(new State(e.to(), common, path));
            }
        }
        return List.of();
    }

    private static boolean all(List<String> d) {
        return d.isEmpty() || d.contains("*");
    }

    /** The domains both sets route, or null when none; "all" is the empty list. */
    static List<String> intersect(List<String> a, List<String> b) {
        if (all(a)) {
            return all(b) ? List.of() : b;
        }
        if (all(b)) {
            return a;
        }
        List<String> out = new ArrayList<>();
        for (String x : a) {
            for (String y : b) {
                if (overlaps(x, y)) {
                    out.add(x.length() >= y.length() ? x : y);
                }
            }
        }
        return out.isEmpty() ? null : out;
    }

    /** Whether two map keys can match one recipient domain ({@code .example.com} covers its subdomains). */
    static boolean overlaps(String x, String y) {
        if (x.equalsIgnoreCase(y)) {
            return true;
        }
        return covers(x, y) || covers(y, x);
    }

    private static boolean covers(String parent, String d) {
        if (!parent.startsWith(".")) {
            return false;
        }
        String bare = d.startsWith(".") ? d.substring(1) : d;
        return bare.toLowerCase().endsWith(parent.toLowerCase());
    }

    /** "msn-b -> msn-a (hotmail.com: journal)" for a path. */
    public static String describe(List<Edge> path) {
        List<String> parts = new ArrayList<>();
        for (Edge e : path) {
            parts.add(e.from() + " -> " + e.to() + " (" + (all(e.domains()) ? "*" : String.join(", ", e.domains())) + ", "
                    + e.why() + ")");
        }
        return String.join(", then ", parts);
    }
}
