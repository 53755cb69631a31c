package org.mfshell.flush;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.mfshell.cli.MfshellException;
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
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path dir;

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
            return MAPPER.readValue(f.toFile(), FlushJournal.class);
        } catch (IOException e) {
            throw new MfshellException("cannot read flush journal " + f + ": " + e.getMessage(), e);
        }
    }

    public void save(FlushJournal j) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(journalFile(j.source), MAPPER.writeValueAsBytes(j));
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
        List<FlushJournal> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                String name = p.getFileName().toString();
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
