package org.mfshell.flush;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.postfix.PostfixCtl;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postqueue;

/**
 * The steps of a reroute and of its undo, each a real {@link Step} with apply and undo, numbered
 * in one place ({@link #REROUTE_STEPS}): 1 preflight (run before the plan), 2 write
 * transport.relay, 3 build its .db, 4 add the reroute transport to master.cf, 5 put the relay
 * map first in transport_maps, 6 reload and check the effective routes, 7 flush (a canary
 * first). {@link #restoreSteps} is the way back: main.cf, master.cf, the map and its .db as they
 * were, then reload. Both build the .db the same way: postmap into a temp file, then rename.
 *
 * <p>Errors: {@link MfshellException} from a step's apply or undo, naming the file or program.
 */
final class ReroutePlan {
    /** Steps of a reroute, preflight included. */
    static final int REROUTE_STEPS = 7;
    static final int RESTORE_STEPS = 5;

    private final FlushService.Tools tools;
    private final JournalStore store;

    ReroutePlan(FlushService.Tools tools, JournalStore store) {
        this.tools = tools;
        this.store = store;
    }

    /** Work done in steps 6 and 7 that the facade supplies (it needs the preflight and the drain). */
    interface Live {
        void reloadAndCheck();

        void flush();
    }

    /** Steps 2 to 7 for a journal (new or resumed). */
    List<Step> steps(FlushJournal j, Path dir, Operator op, Live live) {
        Path map = dir.resolve(FlushService.MAP);
        Path db = dir.resolve(FlushService.DB);
        Path masterCf = dir.resolve(FlushService.MASTER_CF);
        Path mainCf = dir.resolve(FlushService.MAIN_CF);
        byte[] newMap = FlushService.mapContents(j).getBytes(StandardCharsets.UTF_8);
        String currentMaster = FlushService.readTextOrNull(masterCf);
        String plannedMaster;
        try {
            plannedMaster = RerouteTransport.add(currentMaster == null ? "" : currentMaster, j.transportBlock);
        } catch (MfshellException e) {
            plannedMaster = currentMaster;
        }
        String currentMain = FlushService.readText(mainCf);
        String plannedMain;
        try {
            plannedMain = TransportMapsEdit.enable(currentMain, map.toString()).text();
        } catch (MfshellException e) {
            plannedMain = currentMain;
        }
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(2, "write-map", "write " + map,
                UnifiedDiff.diff(map.toString(), FlushService.readTextOrNull(map), map.toString(),
                        new String(newMap, StandardCharsets.UTF_8))
                        + "(written atomically; the previous file is kept as " + FlushService.MAP + ".mfshell-TIME.bak)",
                false,
                () -> record(j, FlushService.MAP, AtomicFiles.replace(map, newMap)),
                () -> restoreFile(j, FlushService.MAP, op)));
        steps.add(new Step(3, "postmap", "build " + db + " atomically", buildPreview(dir, map, db), false,
                () -> {
                    Path backup = buildDb(dir, read(map));
                    record(j, FlushService.DB, backup);
                },
                () -> restoreFile(j, FlushService.DB, op)));
        String finalMaster = plannedMaster;
        steps.add(new Step(4, "master.cf", "add the " + RerouteTransport.NAME + " transport to " + masterCf,
                UnifiedDiff.diff(masterCf.toString(), currentMaster, masterCf.toString(), plannedMaster)
                        + "(soft_bounce keeps refused mail queued in " + j.source + " instead of bouncing it"
                        + (j.ownName != null ? "; myhostname " + j.ownName + " for this hop only, so Postfix does not "
                        + "take " + j.target + " for itself" : "") + ")",
                false,
                () -> {
                    String now = FlushService.readText(masterCf);
                    if (RerouteTransport.present(now)) {
                        record(j, FlushService.MASTER_CF, null);
                        return;
                    }
                    requireUnchanged(j, FlushService.MASTER_CF, masterCf);
                    Path backup = AtomicFiles.replace(masterCf, RerouteTransport.add(now, j.transportBlock)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    record(j, FlushService.MASTER_CF, backup);
                },
                () -> restoreFile(j, FlushService.MASTER_CF, op)));
        steps.add(new Step(5, "main.cf", "put " + FlushService.MAP + " first in transport_maps in " + mainCf,
                UnifiedDiff.diff(mainCf.toString(), currentMain, mainCf.toString(), plannedMain)
                        + "(written atomically; the previous file is kept as main.cf.mfshell-TIME.bak)",
                false,
                () -> {
                    String now = FlushService.readText(mainCf);
                    if (TransportMapsEdit.isOn(now, map.toString())) {
                        record(j, FlushService.MAIN_CF, null);
                        return;
                    }
                    requireUnchanged(j, FlushService.MAIN_CF, mainCf);
                    TransportMapsEdit.Result e = TransportMapsEdit.enable(now, map.toString());
                    j.mainCfMode = e.mode();
                    byte[] written = e.text().getBytes(StandardCharsets.ISO_8859_1);
                    store.saveCopy(j.source, FlushService.WRITTEN_MAIN_CF, written);
                    Path backup = AtomicFiles.replace(mainCf, written);
                    record(j, FlushService.MAIN_CF, backup);
                },
                () -> restoreFile(j, FlushService.MAIN_CF, op)));
        steps.add(new Step(6, "reload", "reload " + j.source + " and check the routes",
                String.join(" ", PostfixCtl.argv(dir, "reload")) + "\nthen, for every recipient to move: postmap -q "
                        + "each map of transport_maps in order, as trivial-rewrite searches them",
                false, live::reloadAndCheck, () -> { }));
        String flushPreview = j.domains.isEmpty()
                ? String.join(" ", Postqueue.flushIdArgv(dir, "ID")) + "   (one message first, as a canary)\n"
                        + String.join(" ", Postqueue.flushAllArgv(dir)) + "   (the rest, once it was delivered)"
                : String.join(" ", Postqueue.flushIdArgv(dir, "ID")) + "   (once per deferred message to "
                        + String.join(", ", j.domains) + "; one canary first, the rest once it was delivered)";
        steps.add(new Step(7, "flush", "flush " + j.source, flushPreview, true, live::flush, () -> { }));
        return steps;
    }

    /** The steps that switch a reroute off; journalled ones put every file back as it was. */
    List<Step> restoreSteps(String source, Path dir, FlushJournal j, Operator op) {
        Path mainCf = dir.resolve(FlushService.MAIN_CF);
        Path masterCf = dir.resolve(FlushService.MASTER_CF);
        Path map = dir.resolve(FlushService.MAP);
        Path db = dir.resolve(FlushService.DB);
        boolean journalled = j != null && (j.state == FlushJournal.State.ACTIVE || j.state == FlushJournal.State.RESTORING);
        String current = FlushService.readText(mainCf);
        boolean mainOn = TransportMapsEdit.isOn(current, map.toString());
        List<Step> steps = new ArrayList<>();
        if (mainOn) {
            String target;
            FlushJournal.FileRecord rec = journalled ? j.files.get(FlushService.MAIN_CF) : null;
            if (rec != null && AtomicFiles.sha256(mainCf).equals(rec.writtenSha256)) {
                target = text(savedCopy(j, FlushService.MAIN_CF, mainCf));
            } else {
                if (journalled) {
                    op.warn(mainCf + " was changed by someone else after mfshell switched the reroute on (" + j.started
                            + "), so it cannot be made byte-identical to before: only the transport_maps change is undone, "
                            + "their change stays. What changed since mfshell wrote it:");
                    String written = FlushService.readTextOrNull(store.savedDir(source).resolve(FlushService.WRITTEN_MAIN_CF));
                    op.info(written == null ? "    (mfshell's copy of what it wrote is missing)"
                            : UnifiedDiff.diff(mainCf + " (as mfshell wrote it)", written, mainCf + " (now)", current)
                                    .indent(4).stripTrailing());
                }
                target = TransportMapsEdit.disable(current, map.toString(), journalled ? j.mainCfMode : null);
            }
            String finalTarget = target;
            steps.add(new Step(1, "main.cf", "switch transport_maps back in " + mainCf,
                    UnifiedDiff.diff(mainCf.toString(), current, mainCf.toString(), target), false,
                    () -> {
                        if (!FlushService.readText(mainCf).equals(current)) {
                            throw new MfshellException(mainCf + " changed while you were looking at the diff; run --restore again");
                        }
                        AtomicFiles.replace(mainCf, finalTarget.getBytes(StandardCharsets.ISO_8859_1));
                    },
                    () -> AtomicFiles.write(mainCf, current.getBytes(StandardCharsets.ISO_8859_1))));
        }
        String masterNow = FlushService.readTextOrNull(masterCf);
        if (RerouteTransport.present(masterNow)) {
            FlushJournal.FileRecord rec = journalled ? j.files.get(FlushService.MASTER_CF) : null;
            String back = rec != null && rec.savedCopy != null && AtomicFiles.sha256(masterCf).equals(rec.writtenSha256)
                    ? text(savedCopy(j, FlushService.MASTER_CF, masterCf)) : RerouteTransport.remove(masterNow);
            steps.add(new Step(2, "master.cf", "remove the " + RerouteTransport.NAME + " transport from " + masterCf,
                    UnifiedDiff.diff(masterCf.toString(), masterNow, masterCf.toString(), back), false,
                    () -> AtomicFiles.replace(masterCf, back.getBytes(StandardCharsets.ISO_8859_1)),
                    () -> AtomicFiles.write(masterCf, masterNow.getBytes(StandardCharsets.ISO_8859_1))));
        }
        if (journalled) {
            FlushJournal.FileRecord rec = j.files.get(FlushService.MAP);
            byte[] mapNow = AtomicFiles.readOrNull(map);
            byte[] dbNow = AtomicFiles.readOrNull(db);
            byte[] before = rec.existed ? savedCopy(j, FlushService.MAP, map) : null;
            if (mapNow != null && (before == null || !AtomicFiles.sha256(mapNow).equals(AtomicFiles.sha256(before)))) {
                steps.add(new Step(3, "map", rec.existed ? "restore the previous " + map : "remove " + map
                        + " (there was none before)",
                        UnifiedDiff.diff(map.toString(), text(mapNow), map.toString(), text(before)), false,
                        () -> {
                            if (before != null) {
                                AtomicFiles.replace(map, before);
                            } else {
                                AtomicFiles.delete(map);
                            }
                        },
                        () -> AtomicFiles.write(map, mapNow)));
            }
            if (dbNow != null || before != null) {
                steps.add(new Step(4, "postmap", before != null ? "rebuild " + db : "remove " + db,
                        before != null ? buildPreview(dir, map, db) : "rm " + db, false,
                        () -> {
                            if (before == null) {
                                AtomicFiles.delete(db);
                            } else {
                                buildDb(dir, before);
                            }
                        },
                        () -> {
                            if (dbNow != null) {
                                AtomicFiles.write(db, dbNow);
                            }
                        }));
            }
        }
        steps.add(new Step(5, "reload", "reload " + source, String.join(" ", PostfixCtl.argv(dir, "reload")), false,
                () -> {
                    if (tools.ctl().running(dir)) {
                        tools.ctl().reload(dir);
                    }
                },
                () -> {
                    if (tools.ctl().running(dir)) {
                        tools.ctl().reload(dir);
                    }
                }));
        return steps;
    }

    /** The one way a .db is built: postmap into a temp file beside it, then rename over it. Returns the backup. */
    Path buildDb(Path dir, byte[] content) {
        Path db = dir.resolve(FlushService.DB);
        Path tmpMap = dir.resolve(FlushService.MAP + ".tmp-" + ProcessHandle.current().pid());
        Path tmpDb = Postmap.hashDb(tmpMap);
        try {
            AtomicFiles.write(tmpMap, content);
            tools.postmap().build(dir, tmpMap);
            Path backup = AtomicFiles.backup(db);
            AtomicFiles.move(tmpDb, db);
            return backup;
        } finally {
            FlushService.deleteQuietly(tmpMap);
            if (Files.isRegularFile(tmpDb)) {
                FlushService.deleteQuietly(tmpDb);
            }
        }
    }

    private static String buildPreview(Path dir, Path map, Path db) {
        Path tmpMap = dir.resolve(FlushService.MAP + ".tmp-" + ProcessHandle.current().pid());
        return "cp " + map + " " + tmpMap + "\n" + String.join(" ", Postmap.argv(dir, tmpMap)) + "\nmv "
                + Postmap.hashDb(tmpMap) + " " + db + "\nrm " + tmpMap;
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new MfshellException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** The copy of {@code name} saved before the reroute, read without following links. */
    private byte[] savedCopy(FlushJournal j, String name, Path file) {
        byte[] saved = store.readSaved(j.source, name);
        if (saved == null) {
            throw new MfshellException("the saved copy " + store.savedDir(j.source).resolve(name) + " of " + file
                    + " is missing");
        }
        return saved;
    }

    /**
     * The file must still be as it was when the journal saved its copy: restore writes that copy
     * back, so an edit made since (while the operator read the diffs, or before a resume) would be
     * lost without a word. Refused instead; the step fails and what was done is undone.
     */
    private static void requireUnchanged(FlushJournal j, String name, Path file) {
        FlushJournal.FileRecord rec = j.files.get(name);
        if (rec != null && !AtomicFiles.sha256(file).equals(rec.originalSha256)) {
            throw new MfshellException(file + " changed since preflight (someone edited it); run the flush again "
                    + "to see the new diff");
        }
    }

    static void record(FlushJournal j, String name, Path backup) {
        FlushJournal.FileRecord rec = j.files.get(name);
        if (rec == null) {
            return;
        }
        rec.writtenSha256 = AtomicFiles.sha256(Path.of(rec.path));
        if (backup != null) {
            rec.backup = backup.toString();
        }
    }

    /** Puts one file back as it was before the journal's reroute began. */
    void restoreFile(FlushJournal j, String name, Operator op) {
        FlushJournal.FileRecord rec = j.files.get(name);
        if (rec == null) {
            return;
        }
        Path f = Path.of(rec.path);
        String now = AtomicFiles.sha256(f);
        if (now.equals(rec.originalSha256)) {
            return;
        }
        boolean ours = rec.writtenSha256 == null || now.equals(rec.writtenSha256);
        if (!ours && name.equals(FlushService.MAIN_CF)) {
            // Someone edited main.cf after us: take out only our change and keep theirs.
            String text = FlushService.readText(f);
            if (!TransportMapsEdit.isOn(text, j.files.get(FlushService.MAP).path)) {
                return;
            }
            op.warn(f + " was changed by someone else after mfshell wrote it; removing only the transport_maps change");
            String back = TransportMapsEdit.disable(text, j.files.get(FlushService.MAP).path, j.mainCfMode);
            AtomicFiles.replace(f, back.getBytes(StandardCharsets.ISO_8859_1));
            return;
        }
        if (!ours && name.equals(FlushService.MASTER_CF)) {
            String text = FlushService.readText(f);
            if (!RerouteTransport.present(text)) {
                return;
            }
            op.warn(f + " was changed by someone else after mfshell wrote it; removing only the " + RerouteTransport.NAME
                    + " service");
            AtomicFiles.replace(f, RerouteTransport.remove(text).getBytes(StandardCharsets.ISO_8859_1));
            return;
        }
        if (rec.existed) {
            AtomicFiles.write(f, savedCopy(j, name, f));
        } else {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                throw new MfshellException("cannot delete " + f + ": " + e.getMessage(), e);
            }
        }
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }
}
