package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.testutil.MfshellProcess;
import org.mfshell.testutil.UnprivilegedUser;

/**
 * Issue 12.2 and 12.6 end to end on the lab: root's real {@code flush msn-a --rollback --yes}
 * (a child JVM) against journals a real unprivileged user forged, against the same forgery
 * written where only root could have, and against corrupt and truncated journals. Each ends with
 * exit 1 and one line on stderr naming the journal, and the victim file and msn-a's files stay
 * byte for byte as they were.
 */
class StateDirLabIntegrationTest {
    static Lab lab;
    Path state;
    Path victim;
    Path config;
    String mainCfBefore;

    @BeforeAll
    static void upLab() {
        lab = LabFixture.shared();
    }

    @BeforeEach
    void freshState() throws Exception {
        state = lab.root().resolve("statedir-test-state");
        victim = lab.root().resolve("statedir-test-victim");
        deleteTree(state);
        Files.writeString(victim, "root's own file\n");
        config = lab.configDir("msn-a");
        mainCfBefore = AtomicFiles.sha256(config.resolve("main.cf"));
    }

    private static void deleteTree(Path p) throws Exception {
        if (Files.exists(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    /** A RUNNING journal of msn-a, as a killed flush leaves it, but with transport.relay's path at the victim. */
    private String forgedJournal() {
        return "{\"source\":\"msn-a\",\"target\":\"msn-b\",\"state\":\"RUNNING\",\"domains\":[\"hotmail.com\"],"
                + "\"user\":\"root\",\"pid\":1,\"started\":\"2026-12-01T00:00:00Z\",\"files\":{"
                + "\"transport.relay\":{\"path\":\"" + victim + "\",\"existed\":false,\"originalSha256\":\"absent\","
                + "\"writtenSha256\":\"x\"},"
                + "\"transport.relay.db\":{\"path\":\"" + victim.resolveSibling("transport.relay.db")
                + "\",\"existed\":false},"
                + "\"main.cf\":{\"path\":\"" + config.resolve("main.cf") + "\",\"existed\":true,\"originalSha256\":\"y\","
                + "\"savedCopy\":\"" + state.resolve("flush/msn-a.saved/main.cf") + "\"}},"
                + "\"steps\":[{\"number\":2,\"key\":\"write-map\",\"status\":\"STARTED\"}]}";
    }

    private ExecResult rollback() {
        return MfshellProcess.run(Map.of("MFSHELL_CONFIG_ROOT", lab.configRoot().toString(), "MFSHELL_STATE_DIR",
                state.toString(), "MFSHELL_AUDIT_LOG", lab.root().resolve("statedir-test-audit.log").toString()),
                "flush", "msn-a", "--rollback", "--yes");
    }

    private String oneLine(ExecResult r) {
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        List<String> lines = r.stderr().strip().lines().toList();
        assertEquals(1, lines.size(), r.stderr());
        assertFalse(r.stderr().contains("Exception") || r.stderr().contains("null -> null"), r.stderr());
        assertEquals("root's own file\n", readVictim());
        assertEquals(mainCfBefore, AtomicFiles.sha256(config.resolve("main.cf")), "msn-a's main.cf untouched");
        return lines.get(0);
    }

    private String readVictim() {
        try {
            return Files.readString(victim);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aForgedJournalNeverGetsRootToWriteTheFileItNames() throws Exception {
        UnprivilegedUser atk = UnprivilegedUser.get();
        // As an old mfshell under umask 000 left it: everything world-writable.
        for (Path d : List.of(state, state.resolve("flush"), state.resolve("flush/msn-a.saved"))) {
            Files.createDirectory(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.writeString(state.resolve("flush/msn-a.saved/main.cf"), Files.readString(config.resolve("main.cf")));
        Path journal = state.resolve("flush/msn-a.json");
        atk.run("/bin/sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", forgedJournal(), journal.toString());

        String line = oneLine(rollback());
        assertTrue(line.contains("refusing " + state + ": it is writable by group and others (mode 0777)"), line);

        for (Path d : List.of(state, state.resolve("flush"), state.resolve("flush/msn-a.saved"))) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        }
        line = oneLine(rollback());
        assertTrue(line.contains("refusing " + journal + ": it is owned by uid " + atk.uid), line);

        // The same text where only root writes: the path itself is refused.
        Files.delete(journal);
        Files.writeString(journal, forgedJournal());
        line = oneLine(rollback());
        assertTrue(line.contains("refusing flush journal " + journal + ": files.transport.relay.path is \"" + victim
                + "\", not CONFIG_DIR/transport.relay"), line);
    }

    @Test
    void aCorruptOrTruncatedJournalIsNamedWithAWayOut() throws Exception {
        new JournalStore(state).saveCopy("msn-a", "main.cf", Files.readAllBytes(config.resolve("main.cf")));
        Path journal = state.resolve("flush/msn-a.json");
        String whole = forgedJournal().replace(victim.toString(), config.resolve("transport.relay").toString());
        for (String text : List.of(whole.substring(0, whole.length() / 2), "{\"source\":\"msn-a\",\"state\":\"RUNNING\"}}}",
                "{\"source\":\"msn-a\",\"state\":\"RUNNING\",\"steps\":[{\"number\":2,\"status\":\"STARTED\"}]}",
                "{}", "RUNNING \u0000 garbage")) {
            Files.writeString(journal, text, StandardCharsets.UTF_8);
            String line = oneLine(rollback());
            assertTrue(line.contains("flush journal " + journal + ": "), text + " -> " + line);
            assertTrue(line.contains("to undo that flush by hand, copy main.cf from " + state.resolve("flush/msn-a.saved")),
                    text + " -> " + line);
        }
    }
}
