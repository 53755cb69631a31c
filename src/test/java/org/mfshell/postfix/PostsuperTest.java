package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading real postsuper stderr (captured from Postfix 3.7.11, see src/test/resources/queue/README.md). */
class PostsuperTest {

    @Test
    void argvUsesStdinMode() {
        assertEquals(List.of("postsuper", "-c", "/etc/postfix-msn-a", "-d", "-"),
                Postsuper.argv(Path.of("/etc/postfix-msn-a"), Postsuper.Action.DELETE));
    }

    @Test
    void eachActionOfARunningInstance() throws IOException {
        List<Block> blocks = blocks("postsuper-running.txt");
        Postsuper.Action[] order = {Postsuper.Action.HOLD, Postsuper.Action.RELEASE, Postsuper.Action.REQUEUE,
                Postsuper.Action.DELETE};
        assertEquals(4, blocks.size());
        for (int i = 0; i < 4; i++) {
            Postsuper.Result r = Postsuper.parse(order[i], blocks.get(i).stderr, blocks.get(i).exit);
            assertEquals(2, r.count(), order[i].name());
            assertEquals(Set.of("5A57720C079", "5526620C064"), r.ids(), order[i].name());
            assertEquals(List.of(), r.warnings(), order[i].name());
            assertEquals(0, r.exitCode());
        }
    }

    @Test
    void stoppedInstanceDoesTheWorkButExitsOne() throws IOException {
        Block b = blocks("postsuper-stopped.txt").get(0);
        Postsuper.Result r = Postsuper.parse(Postsuper.Action.HOLD, b.stderr, b.exit);
        assertEquals(1, r.count());
        assertEquals(Set.of("3EE8720C608"), r.ids());
        assertEquals(1, r.exitCode());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).startsWith("fatal: open logfile"));
    }

    /**
     * Two real postsuper -H runs at once on the same 300 held ids: their summaries say 157 + 159.
     * The 16 messages the loser found already moved ("worked around spurious NFS error") are not
     * its own, so the counts add up to the 300 released.
     */
    @Test
    void concurrentReleasesCountOnlyWhatEachMoved() throws IOException {
        Block a = blocks("postsuper-concurrent-release-a.txt").get(0);
        Block b = blocks("postsuper-concurrent-release-b.txt").get(0);
        Postsuper.Result ra = Postsuper.parse(Postsuper.Action.RELEASE, a.stderr, a.exit);
        Postsuper.Result rb = Postsuper.parse(Postsuper.Action.RELEASE, b.stderr, b.exit);
        assertTrue(a.stderr.contains("Released from hold: 157 messages") && b.stderr.contains("Released from hold: 159 messages"));
        assertEquals(300, ra.count() + rb.count());
        assertEquals(ra.count(), ra.ids().size());
        assertEquals(rb.count(), rb.ids().size());
        assertEquals(4, ra.raced().size());
        assertEquals(12, rb.raced().size());
        Set<String> both = new java.util.HashSet<>(ra.ids());
        both.retainAll(rb.ids());
        assertEquals(Set.of(), both, "no message counted by both runs");
        assertTrue(rb.ids().containsAll(ra.raced()) && ra.ids().containsAll(rb.raced()));
        assertEquals(List.of(), ra.warnings());
        assertEquals(List.of(), rb.warnings());
    }

    @Test
    void noSummaryLineMeansFailure() {
        Postsuper.Result r = Postsuper.parse(Postsuper.Action.DELETE,
                "postsuper: fatal: chdir /nonexistent: No such file or directory\n", 1);
        assertEquals(-1, r.count());
    }

    private record Block(String stderr, int exit) {
    }

    /** The fixture holds "$ command" headers, postsuper's stderr, and "exit N". */
    private static List<Block> blocks(String name) throws IOException {
        String text;
        try (InputStream in = PostsuperTest.class.getResourceAsStream("/queue/" + name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Block> blocks = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("$ ")) {
                cur = new StringBuilder();
            } else if (line.startsWith("exit ")) {
                blocks.add(new Block(cur.toString(), Integer.parseInt(line.substring(5).trim())));
            } else {
                cur.append(line).append('\n');
            }
        }
        return blocks;
    }
}
