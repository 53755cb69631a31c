package org.mfshell.shell.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/** Test helper: runs bash or zsh on a small script through the project's ProcessRunner. */
final class ShellScripts {
    private ShellScripts() {
    }

    static ExecResult run(Map<String, String> env, String... argv) {
        return new ProcessRunner().run(List.of(argv), Duration.ofSeconds(60), null, env);
    }

    static ExecResult ok(Map<String, String> env, String... argv) {
        ExecResult r = run(env, argv);
        if (r.exitCode() != 0 || r.timedOut()) {
            fail(String.join(" ", argv) + " exited " + r.exitCode() + "\nstdout:\n" + r.stdout() + "\nstderr:\n" + r.stderr());
        }
        return r;
    }

    /**
     * Candidates bash's completion function offers: sources {@code script}, sets COMP_WORDS and
     * COMP_CWORD (the last word is the one being completed) and COMP_LINE, calls _mfshell,
     * returns COMPREPLY sorted.
     */
    static List<String> bash(Path script, Map<String, String> env, String... words) {
        StringBuilder sb = new StringBuilder();
        sb.append("source ").append(BashCompletion.sq(script.toString())).append('\n');
        sb.append("COMP_WORDS=(");
        for (String w : words) {
            sb.append(BashCompletion.sq(w)).append(' ');
        }
        sb.append(")\nCOMP_CWORD=").append(words.length - 1).append('\n');
        sb.append("COMP_LINE=").append(BashCompletion.sq(String.join(" ", words))).append('\n');
        sb.append("COMP_POINT=${#COMP_LINE}\nCOMPREPLY=()\n_mfshell\nprintf '%s\\n' \"${COMPREPLY[@]}\" | LC_ALL=C sort\n");
        ExecResult r = ok(env, "bash", "--norc", "--noprofile", "-c", sb.toString());
        List<String> out = new ArrayList<>(r.stdout().lines().filter(l -> !l.isEmpty()).toList());
        assertEquals("", r.stderr(), "bash printed errors for " + List.of(words));
        return out;
    }

    static Path write(Path dir, String name, String content) throws java.io.IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }
}
