package org.mfshell.flush;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.InstanceState;
import org.mfshell.instance.PostfixInstance;

/**
 * What is rerouted on this host: every journalled reroute in force or unfinished, and reroutes
 * made by hand (an active transport.relay without a journal), plus the one-line message about a
 * flush whose mfshell died. Reports no errors of its own (journal or discovery errors pass).
 */
final class Reroutes {
    private final InstanceRegistry registry;
    private final JournalStore store;
    private final Path stateDir;

    Reroutes(InstanceRegistry registry, JournalStore store, Path stateDir) {
        this.registry = registry;
        this.store = store;
        this.stateDir = stateDir;
    }

    List<FlushService.Reroute> list() {
        return list(registry.all());
    }

    /** The same over instances the caller has just discovered (no second round of postconf). */
    List<FlushService.Reroute> list(List<PostfixInstance> discovered) {
        List<FlushService.Reroute> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (FlushJournal j : store.all()) {
            if (j.state == FlushJournal.State.ACTIVE || j.state == FlushJournal.State.RUNNING
                    || j.state == FlushJournal.State.RESTORING) {
                String state = switch (j.state) {
                    case ACTIVE -> stillActive(j) ? "active" : "off (switched off outside mfshell)";
                    case RESTORING -> InstanceLock.isHeld(stateDir, j.source) ? "being restored" : "RESTORE UNFINISHED";
                    default -> InstanceLock.isHeld(stateDir, j.source) ? "in progress" : "UNFINISHED";
                };
                out.add(new FlushService.Reroute(j.source, j.target, j.targetAddress, j.domains, j.started, j.user, state,
                        null, true));
                seen.add(j.source);
            }
        }
        for (PostfixInstance i : discovered) {
            if (i.state() == InstanceState.ERROR && !seen.contains(i.name())) {
                // Its config cannot be read, so whether it is rerouted cannot be told: say so.
                out.add(new FlushService.Reroute(i.name(), null, null, List.of(), null, "unknown", i.stateText(), null, false));
                continue;
            }
            if (i.rerouteActive() && !seen.contains(i.name())) {
                Path map = i.configDir().resolve(FlushService.MAP);
                String since = null;
                try {
                    Path db = map.resolveSibling(FlushService.DB);
                    since = Files.getLastModifiedTime(Files.exists(db) ? db : map).toInstant()
                            .truncatedTo(ChronoUnit.SECONDS).toString();
                } catch (IOException e) {
                    // unknown
                }
                out.add(new FlushService.Reroute(i.name(), null, null, mapKeys(map), since, "unknown (not made by mfshell)",
                        "active", i.transportMaps(), false));
            }
        }
        return out;
    }

    static String unfinishedMessage(FlushJournal j) {
        List<String> done = new ArrayList<>();
        for (FlushJournal.StepRecord s : j.steps) {
            if (s.status == FlushJournal.StepStatus.DONE || s.status == FlushJournal.StepStatus.STARTED
                    || s.status == FlushJournal.StepStatus.FAILED) {
                done.add(s.number + (s.status == FlushJournal.StepStatus.DONE ? "" : " (" + s.status.name().toLowerCase() + ")"));
            }
        }
        return "an unfinished flush of " + j.describe() + " exists (started " + j.started + " by " + j.user + ", pid "
                + j.pid + (InstanceLock.isAlive(j.pid, null) ? " still running but not holding its lock" : " no longer running")
                + "; steps done: " + (done.isEmpty() ? "none" : String.join(", ", done))
                + "): run 'flush " + j.source + " --rollback' to undo it or 'flush " + j.source + " --resume' to finish it";
    }

    static List<FlushJournal> unfinishedEverywhere(Path stateDir) {
        List<FlushJournal> out = new ArrayList<>();
        for (FlushJournal j : new JournalStore(stateDir).running()) {
            if (!InstanceLock.isHeld(stateDir, j.source)) {
                out.add(j);
            }
        }
        return out;
    }

    private static boolean stillActive(FlushJournal j) {
        FlushJournal.FileRecord main = j.files.get(FlushService.MAIN_CF);
        FlushJournal.FileRecord map = j.files.get(FlushService.MAP);
        if (main == null || map == null) {
            return false;
        }
        String text = FlushService.readTextOrNull(Path.of(main.path));
        String active = text == null ? null : TransportMapsEdit.activeValue(text);
        return active != null && active.contains(map.path);
    }

    private static List<String> mapKeys(Path map) {
        List<String> keys = new ArrayList<>();
        String t = FlushService.readTextOrNull(map);
        if (t != null) {
            for (String l : t.split("\n")) {
                String s = l.trim();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    keys.add(s.replaceAll("\\s+", " "));
                }
            }
        }
        return keys;
    }
}
