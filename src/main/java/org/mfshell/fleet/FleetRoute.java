package org.mfshell.fleet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;

/**
 * Where one command line over a fleet goes, from its words alone. A word {@code HOST:INSTANCE}
 * (also as an option's value, {@code --to=HOST:INSTANCE}) names an instance on HOST when HOST is
 * one of the fleet's hosts. Naming instances on one host: that host runs the line, the
 * {@code HOST:} prefixes taken off ({@link Kind#ONE_HOST}, a passthrough). Naming instances on two
 * or more hosts: the line is handed to this side's one-shot path unchanged ({@link Kind#CROSS_HOST},
 * the cross-host flush). Naming none: a merged command ({@link #MERGED}) runs on every host
 * ({@link Kind#MERGED}); a one-instance command ({@link #ONE_HOST}, {@code mailq INSTANCE}) runs on
 * the only host of a one-host fleet. Errors: {@link UsageException} for a one-instance command on a
 * fleet of several hosts without {@code HOST:}, and for a command that is neither merged nor
 * run on one host.
 */
public final class FleetRoute {
    public static final List<String> MERGED = List.of("instances", "mailq", "health", "reroutes", "stats");
    /** Commands run on one host with their output and questions passed straight through. */
    public static final List<String> ONE_HOST = List.of("mailq", "show", "hold", "release", "requeue", "delete", "flush");

    public enum Kind { MERGED, ONE_HOST, CROSS_HOST }

    /** {@code host} is set for ONE_HOST; {@code words} are what to run (prefixes taken off for ONE_HOST). */
    public record Route(Kind kind, String host, List<String> words) {
    }

    private FleetRoute() {
    }

    public static Route of(List<String> hosts, List<String> words) {
        if (words.isEmpty()) {
            throw new UsageException("--on: no command given (merged: " + String.join(", ", MERGED) + ")");
        }
        String cmd = words.get(0);
        Set<String> named = new LinkedHashSet<>();
        List<String> stripped = new ArrayList<>();
        stripped.add(cmd);
        for (String w : words.subList(1, words.size())) {
            int eq = w.startsWith("--") ? w.indexOf('=') : -1;
            String head = eq < 0 ? "" : w.substring(0, eq + 1);
            String value = eq < 0 ? w : w.substring(eq + 1);
            String host = hostOf(hosts, value);
            if (host != null) {
                named.add(host);
                stripped.add(head + value.substring(host.length() + 1));
            } else {
                stripped.add(w);
            }
        }
        if (named.size() > 1) {
            return new Route(Kind.CROSS_HOST, null, List.copyOf(words));
        }
        if (named.size() == 1) {
            return new Route(Kind.ONE_HOST, named.iterator().next(), List.copyOf(stripped));
        }
        boolean mailqOfOne = cmd.equals("mailq") && words.subList(1, words.size()).stream().anyMatch(w -> !w.startsWith("-"));
        if (ONE_HOST.contains(cmd) && (!cmd.equals("mailq") || mailqOfOne)) {
            if (hosts.size() != 1) {
                throw new UsageException("--on: " + cmd + " runs on one host at a time (got " + hosts.size() + ": "
                        + String.join(",", hosts) + "); name the instance as HOST:INSTANCE, e.g. " + hosts.get(0) + ":"
                        + firstPositional(words));
            }
            return new Route(Kind.ONE_HOST, hosts.get(0), List.copyOf(words));
        }
        if (!MERGED.contains(cmd)) {
            throw new UsageException("--on: " + Quote.quote(cmd) + " is not run across hosts (merged: " + String.join(", ", MERGED) + ")");
        }
        return new Route(Kind.MERGED, null, List.copyOf(words));
    }

    /** The fleet host {@code word} starts with as {@code HOST:REST} (REST not empty), or null; the longest such host wins. */
    public static String hostOf(List<String> hosts, String word) {
        String best = null;
        for (String h : hosts) {
            if (word.length() > h.length() + 1 && word.startsWith(h) && word.charAt(h.length()) == ':'
                    && (best == null || h.length() > best.length())) {
                best = h;
            }
        }
        return best;
    }

    private static String firstPositional(List<String> words) {
        for (String w : words.subList(1, words.size())) {
            if (!w.startsWith("-")) {
                return w;
            }
        }
        return "INSTANCE";
    }
}
