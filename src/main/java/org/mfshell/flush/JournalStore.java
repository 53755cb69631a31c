package org.mfshell.flush;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.StateDir;

/**
 * Where flush journals live: {@code STATE/flush/NAME.json} (one per source instance, the latest
 * reroute) and {@code STATE/flush/NAME.saved/} (copies of the files as they were before it).
 * The state directory is a {@link StateDir}: 0700 directories and 0600 files whatever the umask,
 * nothing opened through a symbolic link, one owned by someone else refused. Every save is
 * atomic (temp, fsync, rename). {@link #reserve} keeps {@value #RESERVE_BYTES} bytes on the
 * state directory's file system for a rollback's own journal writes; {@link #releaseReserve}
 * gives them back.
 *
 * <p>Errors: {@link MfshellException}, one line: a state directory or file refused (and how to
 * fix it); a journal that is not valid JSON, cut short or incomplete (its path and how to undo the
 * flush by hand from the saved copies); a journal that names files that are not its instance's
 * own (the forged field); a save that failed (its path and the system's reason, such as
 * "No space left on device"; the journal on disk is then the previous one, whole).
 */
public final class JournalStore {
    /** Size of the room {@link #reserve} keeps: many times a journal (a few KiB) and an audit line. */
    public static final int RESERVE_BYTES = 64 * 1024;
    static final String RESERVE_FILE = ".reserve";

    private final StateDir state;
    private final Path dir;

    /** Built on first use: Jackson costs a noticeable part of start-up, and most starts read no journal. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** @throws org.mfshell.core.UsageException when {@code stateDir} is empty or relative */
    public JournalStore(Path stateDir) {
        this.state = new StateDir(stateDir, "MFSHELL_STATE_DIR");
        this.dir = state.root().resolve("flush");
    }

    /** The reroutes other hosts announced to this one ({@link IncomingClaims}), in the same state dir. */
    public IncomingClaims claims() {
        return new IncomingClaims(state.root());
    }

    public Path journalFile(String instance) {
        return dir.resolve(safeName(instance) + ".json");
    }

    public Path savedDir(String instance) {
        return dir.resolve(safeName(instance) + ".saved");
    }

    /**
     * The journal of {@code instance}, or null when there is none, checked as far as it can be
     * without the instance's config dir (see {@link FlushJournal#requireWellFormed}).
     *
     * @deprecated a journal's file paths are only proved to be its instance's own by
     *     {@link #load(String, Path)}; use that wherever the config dir is known.
     */
    @Deprecated
    public FlushJournal load(String instance) {
        Path f = journalFile(instance);
        if (state.existingDir("flush") == null) {
            return null;
        }
        byte[] bytes = StateDir.read(f);
        if (bytes == null) {
            return null;
        }
        FlushJournal j;
        try {
            j = Mapper.MAPPER.readValue(bytes, FlushJournal.class);
        } catch (IOException e) {
            throw new MfshellException("cannot read flush journal " + f + ": " + parseProblem(e) + "; " + wayOut(instance, null));
        }
        if (j == null) {
            throw new MfshellException("cannot read flush journal " + f + ": it holds no journal (null); "
                    + wayOut(instance, null));
        }
        try {
            j.requireWellFormed(savedDir(instance));
            if (!instance.equals(j.source)) {
                throw new MfshellException("source is \"" + j.source + "\", not " + instance
                        + " as the journal's file name says");
            }
        } catch (MfshellException e) {
            throw new MfshellException("refusing flush journal " + f + ": " + e.getMessage() + "; " + wayOut(instance, null), e);
        }
        return j;
    }

    /**
     * The journal of {@code instance}, or null when there is none, after proving that every file
     * it names is that instance's own ({@link FlushJournal#requireOwnFiles}): {@code configDir}
     * is the instance's config dir as discovery found it.
     */
    @SuppressWarnings("deprecation")
    public FlushJournal load(String instance, Path configDir) {
        FlushJournal j;
        try {
            j = load(instance);
        } catch (MfshellException e) {
            // The same message, with the recipe's real paths now that the config dir is known.
            String generic = wayOut(instance, null);
            String m = e.getMessage();
            throw new MfshellException(m.endsWith(generic) ? m.substring(0, m.length() - generic.length())
                    + wayOut(instance, configDir) : m, e);
        }
        if (j != null) {
            try {
                j.requireOwnFiles(configDir, savedDir(instance));
            } catch (MfshellException e) {
                throw new MfshellException("refusing flush journal " + journalFile(instance) + ": " + e.getMessage()
                        + "; " + wayOut(instance, configDir), e);
            }
        }
        return j;
    }

    /**
     * Writes the journal atomically (0600). A failure leaves the previous journal whole and
     * throws; the caller must treat it as a failed step.
     */
    public void save(FlushJournal j) {
        Path f = journalFile(j.source);
        byte[] bytes;
        try {
            bytes = Mapper.MAPPER.writeValueAsBytes(j);
        } catch (JsonProcessingException e) {
            throw new MfshellException("cannot write flush journal " + f + ": " + e.getOriginalMessage(), e);
        }
        try {
            state.dir("flush");
            StateDir.write(f, bytes);
        } catch (MfshellException e) {
            String m = e.getMessage();
            throw new MfshellException(m.startsWith("cannot write " + f) ? "cannot write flush journal"
                    + m.substring("cannot write".length()) : m, e);
        }
    }

    /** Saves a copy of a file's current bytes (0600, in the instance's private saved dir); returns the copy's path. */
    public Path saveCopy(String instance, String name, byte[] content) {
        Path d = state.dir("flush", safeName(instance) + ".saved");
        Path f = d.resolve(safeName(name));
        StateDir.write(f, content);
        return f;
    }

    /** The bytes of a saved copy (read without following links), or null when there is none. */
    public byte[] readSaved(String instance, String name) {
        Path d = state.existingDir("flush", safeName(instance) + ".saved");
        return d == null ? null : StateDir.read(d.resolve(safeName(name)));
    }

    /**
     * Keeps {@value #RESERVE_BYTES} bytes of the state directory's file system for later: call at
     * the start of a flush, before step 2, so that with a disk that fills meanwhile
     * {@link #releaseReserve} still frees room for the rollback's journal and audit line (when the
     * audit log is on the same file system). An existing reserve of the right size is kept.
     *
     * @throws MfshellException when there is not even that much room: refuse the flush then.
     */
    public Path reserve() {
        Path f = state.dir("flush").resolve(RESERVE_FILE);
        try {
            if (Files.isRegularFile(f) && Files.size(f) == RESERVE_BYTES) {
                StateDir.checkFile(f);
                return f;
            }
            try (FileChannel ch = StateDir.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                // Real bytes, not a sparse length: only written blocks are taken from the file system.
                ByteBuffer zeros = ByteBuffer.allocate(RESERVE_BYTES);
                while (zeros.hasRemaining()) {
                    ch.write(zeros);
                }
                ch.force(true);
            }
            return f;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // reporting the first problem
            }
            throw new MfshellException("cannot keep " + RESERVE_BYTES / 1024 + " KiB free in " + dir
                    + " for a rollback (" + reason(e) + "): free some space there before a flush", e);
        }
    }

    /** Deletes the reserve (if any), giving its room to the writes that follow. Returns whether there was one. */
    public boolean releaseReserve() {
        Path f = dir.resolve(RESERVE_FILE);
        try {
            return Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new MfshellException("cannot delete " + f + ": " + reason(e), e);
        }
    }

    /** Every journal on disk; the first unreadable one is an error (see {@link #scan} to list past it). */
    public List<FlushJournal> all() {
        Listing l = list(false);
        if (!l.problems().isEmpty()) {
            throw new MfshellException(l.problems().get(0));
        }
        return l.journals();
    }

    /** What {@link #scan} found: the journals read, and one line per journal that could not be. */
    public record Listing(List<FlushJournal> journals, List<String> problems) {
    }

    /** Every journal on disk, with a one-line problem for each that cannot be read (so one bad journal hides no other). */
    public Listing scan() {
        return list(false);
    }

    /**
     * The journals whose state is RUNNING (a flush in progress, or one whose process died). A
     * journal whose text does not even mention RUNNING is not parsed: every start of mfshell
     * asks this, and it is then answered without Jackson.
     */
    public List<FlushJournal> running() {
        Listing l = list(true);
        if (!l.problems().isEmpty()) {
            throw new MfshellException(l.problems().get(0));
        }
        List<FlushJournal> out = new ArrayList<>();
        for (FlushJournal j : l.journals()) {
            if (j.state == FlushJournal.State.RUNNING) {
                out.add(j);
            }
        }
        return out;
    }

    @SuppressWarnings("deprecation")
    private Listing list(boolean onlyMentioningRunning) {
        List<FlushJournal> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (state.existingDir("flush") == null) {
            return new Listing(out, problems);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new MfshellException("cannot read " + dir + ": " + reason(e), e);
        }
        for (Path p : files) {
            String name = p.getFileName().toString();
            String instance = name.substring(0, name.length() - ".json".length());
            try {
                if (onlyMentioningRunning) {
                    byte[] b = StateDir.read(p);
                    if (b == null || !new String(b, java.nio.charset.StandardCharsets.UTF_8)
                            .contains("\"" + FlushJournal.State.RUNNING.name() + "\"")) {
                        continue;
                    }
                }
                FlushJournal j = load(instance);
                if (j != null) {
                    out.add(j);
                }
            } catch (MfshellException e) {
                problems.add(e.getMessage());
            }
        }
        return new Listing(out, problems);
    }

    /** One line for what is wrong with the JSON, without Jackson's multi-line source excerpt. */
    private static String parseProblem(IOException e) {
        if (e instanceof JsonProcessingException jpe) {
            JsonLocation at = jpe.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String what = firstLine(jpe.getOriginalMessage());
            if (e instanceof JsonEOFException || what.startsWith("Unexpected end-of-input")
                    || what.startsWith("No content to map")) {
                return "it is cut short" + where + " (unexpected end of input)";
            }
            return "it is not a valid journal" + where + " (" + what + ")";
        }
        return reason(e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "?";
        }
        int nl = s.indexOf('\n');
        String l = (nl < 0 ? s : s.substring(0, nl)).strip();
        return l.length() > 160 ? l.substring(0, 160) + "..." : l;
    }

    /** How to undo the flush by hand from the saved copies, for a journal mfshell cannot use. */
    private String wayOut(String instance, Path configDir) {
        Path saved = savedDir(instance);
        String config = configDir == null ? instance + "'s config directory" : configDir.toString();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(saved)) {
            s.map(p -> p.getFileName().toString()).filter(FlushJournal.KNOWN_FILES::contains).sorted().forEach(names::add);
        } catch (IOException | RuntimeException e) {
            // no saved dir, or one we cannot list: the recipe below says so
        }
        if (names.isEmpty()) {
            return "no copies were saved in " + saved + ", so that flush changed no file yet: after checking "
                    + config + ", delete " + journalFile(instance);
        }
        List<String> missing = new ArrayList<>(List.of(FlushService.MAP, FlushService.DB));
        missing.removeAll(names);
        return "to undo that flush by hand, copy " + String.join(", ", names) + " from " + saved + " back into " + config
                + (missing.isEmpty() ? "" : ", delete " + String.join(" and ", missing) + " there if present (they were not before)")
                + ", reload it (postfix -c " + (configDir == null ? "DIR" : config) + " reload), then delete "
                + journalFile(instance);
    }

    /** Instance and file names become one file name: no directory parts, no hidden or relative names. */
    static String safeName(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\0") || name.startsWith(".")) {
            throw new MfshellException("not a name mfshell keeps state under: " + (name == null ? "null"
                    : org.mfshell.fs.AuditLog.quote(name)));
        }
        return name;
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
