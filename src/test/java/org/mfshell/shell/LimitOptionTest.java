package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --limit 0} is refused with exit 2 before anything runs, by every command that has
 * {@code --limit} (mailq and the four message actions): it used to mean "no limit", so
 * {@code hold --all --limit 0} held the whole queue.
 */
class LimitOptionTest {
    @TempDir
    Path root;

    @Test
    void zeroIsRefusedEverywhere() throws Exception {
        Files.createDirectories(root.resolve("postfix-msn-a"));
        Files.writeString(root.resolve("postfix-msn-a").resolve("main.cf"), "");
        for (List<String> argv : List.of(List.of("mailq", "msn-a", "--limit", "0"),
                List.of("hold", "msn-a", "--all", "--limit", "0", "--yes"),
                List.of("release", "msn-a", "--all", "--limit", "0", "--yes"),
                List.of("requeue", "msn-a", "--all", "--limit", "0", "--yes"),
                List.of("delete", "msn-a", "--all", "--limit=0", "--yes"))) {
            InProcessCli.Result r = InProcessCli.run(root, argv.toArray(String[]::new));
            assertEquals(2, r.exitCode(), argv + ": " + r.err());
            assertEquals("", r.out(), argv.toString());
            assertEquals("mfshell: --limit takes a whole number of at least 1, not '0' (leave --limit out for no limit)\n",
                    r.err(), argv.toString());
        }
        long withLimit = Commands.all().stream().filter(c -> c.spec().option("limit").isPresent()).count();
        assertEquals(5, withLimit, "the commands with --limit are the five checked here");
    }
}
