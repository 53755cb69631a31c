package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postqueue -i} for many ids through one xargs run. Delivery itself is covered by the lab's
 * flush tests; here: ids are checked before anything runs, and a failing postqueue is reported.
 */
class PostqueueFlushIdsTest {
    private final Postqueue postqueue = new Postqueue(new ProcessRunner());

    @Test
    void argvIsXargsStartingPostqueueWithoutAShell() {
        assertEquals(List.of("xargs", "-r", "-n", "1", "-P", "8", "postqueue", "-c", "/etc/postfix-msn-a", "-i"),
                Postqueue.flushIdsArgv(Path.of("/etc/postfix-msn-a"), 8));
    }

    @Test
    void anythingButAQueueIdIsRefusedBeforeRunning() {
        for (String bad : List.of("", "ABC DEF", "ABC\nDEF", "-f", "../x", "ABC;rm")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> postqueue.flushIds(Path.of("/nonexistent"), List.of("ABCDEF123", bad), 4), bad);
            assertTrue(e.getMessage().startsWith("not a queue id"), e.getMessage());
        }
        assertNull(postqueue.flushIds(Path.of("/nonexistent"), List.of(), 4), "no ids: nothing to run");
    }

    @Test
    void aFailingPostqueueIsReported(@TempDir Path tmp) throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean have = Files.isExecutable(Path.of("/usr/sbin/postqueue"));
        if (ci) {
            assertTrue(have, "postqueue missing (scripts/setup-debian.sh installs Postfix)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(have, "Postfix not installed");
        // A config directory without main.cf: every postqueue run fails, and xargs says so.
        String err = postqueue.flushIds(tmp, List.of("4bSdfNrfJj2zKxRH8", "B666F20E7BD"), 4);
        assertNotNull(err);
        assertTrue(err.contains("postqueue") || err.contains("main.cf"), err);
    }
}
