package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;

/** Journals on disk: {@code running()}, asked at every start, finds exactly the RUNNING ones. */
class JournalStoreTest {
    @TempDir
    Path state;

    private FlushJournal journal(String source, FlushJournal.State s) {
        FlushJournal j = new FlushJournal();
        j.source = source;
        j.target = "msn-b";
        j.domains = List.of("hotmail.com");
        j.state = s;
        // As every reroute records them before its first step (the files had not existed: no saved copies).
        for (String name : List.of("transport.relay", "transport.relay.db", "main.cf")) {
            FlushJournal.FileRecord r = new FlushJournal.FileRecord();
            r.path = "/etc/postfix-" + source + "/" + name;
            j.files.put(name, r);
        }
        return j;
    }

    @Test
    void runningListsOnlyRunningJournals() {
        JournalStore store = new JournalStore(state);
        store.save(journal("msn-a", FlushJournal.State.RUNNING));
        store.save(journal("aol-a", FlushJournal.State.ACTIVE));
        store.save(journal("therest-a", FlushJournal.State.RESTORED));
        store.save(journal("earthlink-a", FlushJournal.State.RUNNING));
        assertEquals(List.of("earthlink-a", "msn-a"), store.running().stream().map(j -> j.source).toList());
        assertEquals(4, store.all().size());
    }

    @Test
    void noStateDirectoryMeansNothingRunning() {
        assertEquals(List.of(), new JournalStore(state.resolve("missing")).running());
    }

    @Test
    void aBrokenJournalThatMayBeRunningIsAnErrorOneThatCannotBeIsNot() throws Exception {
        JournalStore store = new JournalStore(state);
        store.save(journal("msn-a", FlushJournal.State.ACTIVE));
        Files.writeString(store.journalFile("aol-a"), "{ \"state\" : \"ACTIVE\", ");
        assertEquals(List.of(), store.running(), "cut short, but it never said RUNNING");
        Files.writeString(store.journalFile("aol-a"), "{ \"state\" : \"RUNNING\", ");
        assertThrows(MfshellException.class, store::running);
    }

    // ------------------------------------------------------------ issue 12: journals are not trusted on read

    /** A journal as a flush of msn-a over {@code config} writes it, with its saved copies. */
    private FlushJournal realJournal(JournalStore store, Path config) throws Exception {
        Files.createDirectories(config);
        Files.writeString(config.resolve("main.cf"), "myhostname = a\n");
        FlushJournal j = journal("msn-a", FlushJournal.State.RUNNING);
        for (String name : List.of("transport.relay", "transport.relay.db", "main.cf")) {
            FlushJournal.FileRecord r = new FlushJournal.FileRecord();
            r.path = config.resolve(name).toString();
            r.existed = name.equals("main.cf");
            if (r.existed) {
                r.savedCopy = store.saveCopy("msn-a", name, Files.readAllBytes(config.resolve(name))).toString();
                r.backup = config.resolve("main.cf.mfshell-20261129T144700.123Z.bak").toString();
            }
            j.files.put(name, r);
        }
        j.mark(2, "write-map", FlushJournal.StepStatus.STARTED, null);
        store.save(j);
        return j;
    }

    private MfshellException forged(JournalStore store, Path config, Consumer<FlushJournal> forge) throws Exception {
        FlushJournal j = realJournal(store, config);
        forge.accept(j);
        store.save(j);
        return assertThrows(MfshellException.class, () -> store.load("msn-a", config));
    }

    @Test
    void aJournalNamingAnotherFileIsRefusedNamingTheField() throws Exception {
        JournalStore store = new JournalStore(state);
        Path config = state.resolve("etc/postfix-msn-a");
        Path victim = state.resolve("etc/postfix/main.cf");
        realJournal(store, config);
        assertEquals(3, store.load("msn-a", config).files.size(), "the journal as written is accepted");

        MfshellException e = forged(store, config, j -> j.files.get("main.cf").path = victim.toString());
        assertTrue(e.getMessage().startsWith("refusing flush journal " + store.journalFile("msn-a") + ": files.main.cf.path is \""
                + victim + "\", not " + config.resolve("main.cf")), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        // Every file moved to another instance's dir together passes the checks that need no config dir, not these.
        e = forged(store, config, j -> j.files.values().forEach(r -> r.path = victim.resolveSibling(Path.of(r.path)
                .getFileName()).toString()));
        assertTrue(e.getMessage().contains(": files.") && e.getMessage().contains(".path is \"" + victim.getParent()),
                e.getMessage());

        e = forged(store, config, j -> j.files.get("transport.relay").path = "/etc/shadow");
        assertTrue(e.getMessage().contains("files.transport.relay.path is \"/etc/shadow\""), e.getMessage());
        e = assertThrows(MfshellException.class, () -> store.load("msn-a"), "refused even without the config dir");
        assertTrue(e.getMessage().contains("files.transport.relay.path is \"/etc/shadow\", not CONFIG_DIR/transport.relay"),
                e.getMessage());

        e = forged(store, config, j -> j.files.get("main.cf").savedCopy = victim.toString());
        assertTrue(e.getMessage().contains("files.main.cf.savedCopy is \"" + victim + "\", not "
                + store.savedDir("msn-a").resolve("main.cf")), e.getMessage());
        e = forged(store, config, j -> j.files.get("main.cf").backup = "/root/.ssh/authorized_keys");
        assertTrue(e.getMessage().contains("files.main.cf.backup is \"/root/.ssh/authorized_keys\""), e.getMessage());
        e = forged(store, config, j -> j.files.put("../../etc/passwd", new FlushJournal.FileRecord()));
        assertTrue(e.getMessage().contains("files.../../etc/passwd is"), e.getMessage());
        FlushJournal other = realJournal(store, config);
        other.source = "msn-b";
        store.save(other);
        Files.move(store.journalFile("msn-b"), store.journalFile("msn-a"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        e = assertThrows(MfshellException.class, () -> store.load("msn-a", config));
        assertTrue(e.getMessage().contains("source is \"msn-b\", not msn-a"), e.getMessage());

        // A saved copy replaced by a link (to a root-only file) is not read back.
        realJournal(store, config);
        Path saved = store.savedDir("msn-a").resolve("main.cf");
        Files.delete(saved);
        Files.createSymbolicLink(saved, victim);
        e = assertThrows(MfshellException.class, () -> store.load("msn-a", config));
        assertTrue(e.getMessage().contains("files.main.cf.savedCopy \"" + saved + "\" is not a plain file"), e.getMessage());
        assertThrows(MfshellException.class, () -> store.readSaved("msn-a", "main.cf"));
    }

    @Test
    void aCorruptOrTruncatedJournalIsOneLineWithItsPathAndAWayOut() throws Exception {
        JournalStore store = new JournalStore(state);
        Path config = state.resolve("etc/postfix-msn-a");
        realJournal(store, config);
        Path f = store.journalFile("msn-a");
        String whole = Files.readString(f);
        String recipe = "to undo that flush by hand, copy main.cf from " + store.savedDir("msn-a") + " back into " + config
                + ", delete transport.relay and transport.relay.db there if present (they were not before), reload it"
                + " (postfix -c " + config + " reload), then delete " + f;

        Files.writeString(f, whole.substring(0, whole.length() / 2));
        MfshellException e = assertThrows(MfshellException.class, () -> store.load("msn-a", config));
        assertTrue(e.getMessage().matches("cannot read flush journal " + java.util.regex.Pattern.quote(f.toString())
                + ": it is cut short at line \\d+, column \\d+ \\(unexpected end of input\\); .*"), e.getMessage());
        assertTrue(e.getMessage().endsWith(recipe), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        Files.writeString(f, "{\"source\": \"msn-a\", \"state\": \"RUNNING\", \"steps\": [ }\n\n\n");
        e = assertThrows(MfshellException.class, () -> store.load("msn-a", config));
        assertTrue(e.getMessage().startsWith("cannot read flush journal " + f + ": it is not a valid journal at line 1"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        for (String text : List.of("", "null", "{}", "{\"source\":\"msn-a\",\"state\":\"RUNNING\",\"files\":null}",
                "{\"source\":\"msn-a\",\"state\":\"BOGUS\"}", "{\"source\":\"msn-a\",\"state\":\"RUNNING\"} {}",
                "{\"source\":\"msn-a\",\"state\":\"ACTIVE\"}")) {
            Files.writeString(f, text);
            e = assertThrows(MfshellException.class, () -> store.load("msn-a"), text);
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("to undo that flush by hand"),
                    text + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(e.getMessage().contains("null -> null"), e.getMessage());
        }
        // scan() lists the good journals past a bad one, with the bad one's line.
        store.save(journal("aol-a", FlushJournal.State.ACTIVE));
        JournalStore.Listing l = store.scan();
        assertEquals(List.of("aol-a"), l.journals().stream().map(j -> j.source).toList());
        assertEquals(1, l.problems().size());
        assertTrue(l.problems().get(0).startsWith("refusing flush journal " + f + ": files.transport.relay is missing"), l.problems().get(0));
    }

    @Test
    void savesAreAtomicPrivateAndRefuseADirectoryInTheWay() throws Exception {
        JournalStore store = new JournalStore(state.resolve("s"));
        store.save(journal("msn-a", FlushJournal.State.RUNNING));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.journalFile("msn-a"))));
        Path copy = store.saveCopy("msn-a", "main.cf", "x\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.savedDir("msn-a"))));
        assertArrayEquals("x\n".getBytes(StandardCharsets.UTF_8), store.readSaved("msn-a", "main.cf"));
        assertNull(store.readSaved("msn-a", "transport.relay"));

        Files.createDirectory(store.savedDir("msn-a").resolve("transport.relay"));
        MfshellException e = assertThrows(MfshellException.class,
                () -> store.saveCopy("msn-a", "transport.relay", new byte[] {1}));
        assertEquals("refusing " + store.savedDir("msn-a").resolve("transport.relay") + ": it is not a plain file; fix: move"
                + " it away (mv " + store.savedDir("msn-a").resolve("transport.relay") + " "
                + store.savedDir("msn-a").resolve("transport.relay") + ".old)", e.getMessage());
        assertThrows(MfshellException.class, () -> store.saveCopy("../etc", "main.cf", new byte[] {1}));
        assertThrows(MfshellException.class, () -> store.saveCopy("msn-a", "../main.cf", new byte[] {1}));
    }

    @Test
    void anEmptyOrRelativeStateDirIsRefused() {
        UsageException e = assertThrows(UsageException.class, () -> new JournalStore(Path.of("")));
        assertEquals("MFSHELL_STATE_DIR is empty: set it to an absolute path or unset it for the default",
                e.getMessage());
        e = assertThrows(UsageException.class, () -> InstanceLock.acquire(Path.of("state"), "msn-a", "x"));
        assertEquals("MFSHELL_STATE_DIR must be an absolute path, not \"state\"", e.getMessage());
        assertFalse(Files.exists(Path.of("locks")), "nothing made in the current directory");
    }
}
