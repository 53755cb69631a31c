package org.mfshell.shell.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed completions/ files are exactly what the generator makes from today's command
 * specs, so they cannot drift. When a command changes: run
 * {@code mvn -q test -Dtest=CompletionsDriftTest -Dmfshell.regenerate=true} and commit completions/.
 */
class CompletionsDriftTest {
    @Test
    void committedCompletionsAreUpToDate() throws IOException {
        check(Path.of("completions/mfshell.bash"), DocsGenerator.bash());
        check(Path.of("completions/_mfshell"), DocsGenerator.zsh());
    }

    private static void check(Path committed, String generated) throws IOException {
        if (Boolean.getBoolean("mfshell.regenerate")) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(committed) ? Files.readString(committed, StandardCharsets.UTF_8) : "(missing)";
        assertEquals(generated, actual, committed + " differs from what the command specs generate: run "
                + "mvn -q test -Dtest=CompletionsDriftTest -Dmfshell.regenerate=true and commit completions/");
    }
}
