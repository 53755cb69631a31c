package org.mfshell.flush;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AuditLog;

/**
 * What one reroute did to one source instance, step by step, written to disk (JSON, by
 * {@link JournalStore}) before and after each step, so that a later mfshell can roll it back or
 * resume it after the first one died, and {@code --restore} can undo it. Plain mutable fields for
 * Jackson; unknown members are ignored so older mfshells read newer journals. A journal read back
 * is not trusted: {@link #requireOwnFiles} refuses one that names files other than its
 * instance's own (MfshellException naming the forged field).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class FlushJournal {
    /**
     * RUNNING: steps in progress (if its lock is free, the process died). ACTIVE: reroute in
     * place. RESTORING: --restore began (a killed one is finished by the next --restore).
     */
    public enum State { RUNNING, ACTIVE, RESTORING, ROLLED_BACK, RESTORED }

    /** STARTED is written before a step runs, DONE after it worked; UNDONE after rollback; SKIPPED when refused. */
    public enum StepStatus { STARTED, DONE, FAILED, UNDONE, SKIPPED }

    /**
     * 2: the steps as numbered now (4 master.cf, 5 main.cf, 6 reload, 7 flush); 1: an older mfshell's
     * (4 main.cf, 5 reload, 6 flush). A version 1 journal can be rolled back (by step key), not resumed.
     */
    public int version = CURRENT_VERSION;
    public static final int CURRENT_VERSION = 2;
    public String source;
    public String target;
    public String targetAddress;
    public List<String> domains = new ArrayList<>();
    public String user;
    public long pid;
    public String command;
    public String started;
    public String updated;
    public State state = State.RUNNING;
    public TransportMapsEdit.Mode mainCfMode;
    /** The master.cf lines of the reroute transport (see RerouteTransport), as written in step 4. */
    public String transportBlock;
    /** The myhostname the reroute transport uses for this hop, or null when the source's own is safe. */
    public String ownName;
    public Map<String, FileRecord> files = new LinkedHashMap<>();
    public List<StepRecord> steps = new ArrayList<>();

    /** One file a step changes: where it is, its state before, a saved copy of it, and what we wrote. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class FileRecord {
        public String path;
        public boolean existed;
        public String originalSha256;
        public String savedCopy;
        public String writtenSha256;
        public String backup;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class StepRecord {
        public int number;
        public String key;
        public StepStatus status;
        public String at;
        public String detail;
    }

    /**
     * The files a journal may name, each only as {@code CONFIG_DIR/NAME} of its own instance
     * (master.cf for a later step that edits it).
     */
    public static final List<String> KNOWN_FILES = List.of("transport.relay", "transport.relay.db", "main.cf", "master.cf");
    /** The files every reroute records before its first step. */
    static final List<String> REQUIRED_FILES = List.of("transport.relay", "transport.relay.db", "main.cf");

    /**
     * Refuses a journal that names any file other than its instance's own: every FileRecord
     * must be one of {@link #KNOWN_FILES}, its {@code path} exactly {@code configDir/NAME}, its
     * {@code savedCopy} exactly {@code savedDir/NAME} and its {@code backup} a
     * {@code NAME.mfshell-*.bak} in {@code configDir}, none of them a symbolic link. Call it on
     * every journal read back from disk before using a path from it.
     *
     * @throws MfshellException naming the forged field, what it said and what it must be
     */
    public void requireOwnFiles(Path configDir, Path savedDir) {
        Path dir = configDir.toAbsolutePath().normalize();
        requireWellFormed(savedDir);
        for (Map.Entry<String, FileRecord> e : files.entrySet()) {
            String name = e.getKey();
            FileRecord r = e.getValue();
            String expected = dir.resolve(name).toString();
            if (!expected.equals(r.path)) {
                throw forged("files." + name + ".path", r.path, expected);
            }
            if (r.backup != null) {
                Path b = Path.of(r.backup);
                String fn = b.getFileName() == null ? "" : b.getFileName().toString();
                if (!b.isAbsolute() || !dir.equals(b.getParent()) || !fn.startsWith(name + ".mfshell-")
                        || !fn.endsWith(".bak")) {
                    throw forged("files." + name + ".backup", r.backup, dir.resolve(name + ".mfshell-TIME.bak").toString());
                }
                notALink("files." + name + ".backup", b);
            }
        }
    }

    /**
     * What can be checked without the instance's config dir: known names only, a present
     * FileRecord for each (and all of {@link #REQUIRED_FILES} once a step was taken), absolute paths that end in their own name and share one directory,
     * saved copies exactly {@code savedDir/NAME} and not links, a saved copy for every file that
     * existed; and the fields a rollback needs (source, state).
     */
    void requireWellFormed(Path savedDir) {
        if (source == null || source.isEmpty()) {
            throw new MfshellException("it names no source instance");
        }
        if (state == null) {
            throw new MfshellException("it has no state");
        }
        if (files == null || steps == null || domains == null) {
            throw new MfshellException("it has no " + (files == null ? "files" : steps == null ? "steps" : "domains"));
        }
        if (state == State.ACTIVE || !touchedSteps().isEmpty()) {
            for (String name : REQUIRED_FILES) {
                if (!files.containsKey(name)) {
                    throw new MfshellException("files." + name + " is missing although steps were taken");
                }
            }
        }
        Path common = null;
        for (Map.Entry<String, FileRecord> e : files.entrySet()) {
            String name = e.getKey();
            FileRecord r = e.getValue();
            if (!KNOWN_FILES.contains(name)) {
                throw forged("files." + name, name, "one of " + String.join(", ", KNOWN_FILES));
            }
            if (r == null || r.path == null) {
                throw new MfshellException("files." + name + ".path is missing");
            }
            Path p = Path.of(r.path);
            if (!p.isAbsolute() || !p.equals(p.normalize()) || p.getFileName() == null
                    || !p.getFileName().toString().equals(name)) {
                throw forged("files." + name + ".path", r.path, "CONFIG_DIR/" + name);
            }
            if (common == null) {
                common = p.getParent();
            } else if (!common.equals(p.getParent())) {
                throw forged("files." + name + ".path", r.path, common.resolve(name).toString());
            }
            if (r.savedCopy != null) {
                String expected = savedDir.resolve(name).toString();
                if (!expected.equals(r.savedCopy)) {
                    throw forged("files." + name + ".savedCopy", r.savedCopy, expected);
                }
                notALink("files." + name + ".savedCopy", Path.of(r.savedCopy));
            } else if (r.existed) {
                throw new MfshellException("files." + name + ".savedCopy is missing although the file existed");
            }
        }
    }

    private static void notALink(String field, Path p) {
        if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))) {
            throw new MfshellException(field + " " + quote(p.toString()) + " is not a plain file (a link or a directory)");
        }
    }

    private static MfshellException forged(String field, String value, String expected) {
        return new MfshellException(field + " is " + quote(value) + ", not " + expected
                + " (a journal may only name its own instance's files)");
    }

    private static String quote(String s) {
        return s == null ? "null" : AuditLog.quote(s);
    }

    /** The person behind the command: SUDO_USER when run through sudo, else USER, else the JVM's user name. */
    public static String operator() {
        return AuditLog.user();
    }

    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public StepRecord step(int number) {
        return steps.stream().filter(s -> s.number == number).findFirst().orElse(null);
    }

    public StepStatus status(int number) {
        StepRecord r = step(number);
        return r == null ? null : r.status;
    }

    public void mark(int number, String key, StepStatus status, String detail) {
        StepRecord r = step(number);
        if (r == null) {
            r = new StepRecord();
            r.number = number;
            steps.add(r);
        }
        r.key = key;
        r.status = status;
        r.at = now();
        r.detail = detail;
        updated = r.at;
    }

    /** Numbers of steps that may have changed something (started, done or failed), in order. */
    public List<Integer> touchedSteps() {
        List<Integer> out = new ArrayList<>();
        for (StepRecord r : steps) {
            if (r.status == StepStatus.STARTED || r.status == StepStatus.DONE || r.status == StepStatus.FAILED) {
                out.add(r.number);
            }
        }
        return out;
    }

    /** "msn-a -> msn-b (hotmail.com)" */
    public String describe() {
        return source + " -> " + target + " (" + (domains.isEmpty() ? "*" : String.join(", ", domains)) + ")";
    }
}
