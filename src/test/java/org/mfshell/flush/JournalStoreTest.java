package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;

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
}
