package org.mfshell.flush;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AtomicFiles;

/**
 * Where flush journals live: {@code STATE/flush/NAME.json} (one per source instance, the latest
 * reroute) and {@code STATE/flush/NAME.saved/} (copies of the files as they were before it).
 * Every save is atomic (temp, fsync, rename).
 *
 * <p>Errors: {@link MfshellException} when the state directory cannot be read or written, or a
 * journal cannot be parsed.
 */
public final class JournalStore {
    private final Path dir;

    /** Built on first use: Jackson costs a noticeable part of start-up, and most starts read no journal. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public JournalStore(Path stateDir) {
        this.dir = stateDir.resolve("flush");
    }

    public Path journalFile(String instance) {
        return dir.resolve(instance + ".json");
    }

    public Path savedDir(String instance) {
        return dir.resolve(instance + ".saved");
    }

    public FlushJournal load(String instance) {
        Path f = journalFile(instance);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return Mapper.MAPPER.readValue(f.toFile(), FlushJournal.class);
        } catch (IOException e) {
            throw new MfshellException("cannot read flush journal " + f + ": " + e.getMessage(), e);
        }
    }

    public void save(FlushJournal j) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(journalFile(j.source), Mapper.MAPPER.writeValueAsBytes(j));
        } catch (IOException e) {
            throw new MfshellException("cannot write flush journal under " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Saves a copy of a file's current bytes; returns the copy's path. */
    public Path saveCopy(String instance, String name, byte[] content) {
        try {
            Path d = savedDir(instance);
            Files.createDirectories(d);
            Path f = d.resolve(name);
            AtomicFiles.write(f, content);
            return f;
        } catch (IOException e) {
            throw new MfshellException("cannot write under " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every journal on disk. */
    public List<FlushJournal> all() {
        return list(false);
    }

    /**
     * The journals whose state is RUNNING (a flush in progress, or one whose process died). A
     * journal whose text does not even mention RUNNING is not parsed: every start of mfshell
     * asks this, and it is then answered without Jackson.
     */
    public List<FlushJournal> running() {
        List<FlushJournal> out = new ArrayList<>();
        for (FlushJournal j : list(true)) {
            if (j.state == FlushJournal.State.RUNNING) {
                out.add(j);
            }
        }
        return out;
    }

    private List<FlushJournal> list(boolean onlyMentioningRunning) {
        List<FlushJournal> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                String name = p.getFileName().toString();
                if (onlyMentioningRunning && !Files.readString(p).contains("\"" + FlushJournal.State.RUNNING.name() + "\"")) {
                    continue;
                }
                FlushJournal j = load(name.substring(0, name.length() - ".json".length()));
                if (j != null) {
                    out.add(j);
                }
            }
        } catch (IOException e) {
            throw new MfshellException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
