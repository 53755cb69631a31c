package org.mfshell.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mfshell.flush.FlushService;
import org.mfshell.health.HealthReport.Suggestion;

/**
 * What {@code instances} and {@code health} say about reroutes in force: the REROUTE cell (where
 * the mail goes and for which domains) and, for a health suggestion on an instance that is
 * already rerouted, advice that preflight will not refuse. Reports no errors: an unreadable
 * journal leaves the notes out and says so once on stderr.
 */
final class RerouteNotes {
    private final Map<String, FlushService.Reroute> bySource = new LinkedHashMap<>();

    RerouteNotes(List<FlushService.Reroute> reroutes) {
        for (FlushService.Reroute r : reroutes) {
            if (!r.state().startsWith("off")) {
                bySource.put(r.source(), r);
            }
        }
    }

    static RerouteNotes of(org.mfshell.AppContext ctx, org.mfshell.cli.Io io) {
        return of(ctx, io, null);
    }

    /** Over {@code discovered} instances when the caller has them (null: discover again). */
    static RerouteNotes of(org.mfshell.AppContext ctx, org.mfshell.cli.Io io,
                           List<org.mfshell.instance.PostfixInstance> discovered) {
        try {
            return new RerouteNotes(discovered == null ? ctx.flushService().reroutes()
                    : ctx.flushService().reroutes(discovered));
        } catch (RuntimeException e) {
            io.err().println("mfshell: warning: reroutes not shown: " + e.getMessage());
            return new RerouteNotes(List.of());
        }
    }

    FlushService.Reroute of(String instance) {
        return bySource.get(instance);
    }

    /** "-> msn-b hotmail.com, outlook.com" (plus the state when it is not plainly active). */
    String cell(String instance, boolean activeByConfig) {
        FlushService.Reroute r = bySource.get(instance);
        if (r == null) {
            return activeByConfig ? "ACTIVE" : "-";
        }
        String where = r.target() != null ? "-> " + r.target() : "by hand";
        String what = r.domains().isEmpty() ? "*" : String.join(",", r.domains());
        return where + " " + what + (r.state().equals("active") ? "" : " (" + r.state() + ")");
    }

    /** Lines that replace a suggestion whose instance is rerouted already; empty when it is not. */
    List<String> advice(Suggestion s) {
        FlushService.Reroute r = bySource.get(s.instance());
        if (r == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String since = r.since() == null ? "" : " since " + r.since();
        String to = r.target() == null ? "(a reroute made by hand: " + String.join("; ", r.domains()) + ")" : r.target();
        out.add(s.instance() + " -> " + to + " " + r.state() + " for " + (r.domains().isEmpty() ? "*"
                : String.join(", ", r.domains())) + since);
        if (r.domains().isEmpty()) {
            out.add("  every recipient already goes to " + to + "; the mail still deferred there waits for its retry");
            return out;
        }
        List<String> left = s.domains().stream().filter(d -> !r.domains().contains(d)).toList();
        if (left.isEmpty()) {
            out.add("  the blocked domains are rerouted already; nothing more to do");
            return out;
        }
        List<String> all = new ArrayList<>(r.domains());
        all.addAll(left);
        StringBuilder cmd = new StringBuilder("flush " + s.instance() + " --to " + (r.target() == null ? s.sibling()
                : r.target()));
        all.forEach(d -> cmd.append(" --domain ").append(d));
        out.add("  " + String.join(", ", left) + " still deferred at " + s.instance() + "; a second reroute of one "
                + "instance is refused, so restore and reroute all of them:");
        out.add("    flush " + s.instance() + " --restore");
        out.add("    " + cmd);
        return out;
    }
}
