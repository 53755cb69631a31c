package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * The real interactive shell in a real terminal (tmux): starts mfshell on the lab, TAB-completes
 * {@code mailq ms}, clears that line with Ctrl-C, runs {@code version} and {@code instances}, quits, and checks the history file is written under
 * $HOME/.config/mfshell and nothing is written into the current directory.
 */
class InteractiveShellTmuxTest {
    private static final ProcessRunner RUN = new ProcessRunner();
    private final String session = "mfshell-test-" + ProcessHandle.current().pid();

    @TempDir
    Path home;
    @TempDir
    Path cwd;

    @AfterEach
    void killSession() {
        tmux("kill-server");
    }

    @Test
    void completesInstancesRunsCommandsAndKeepsHistory() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!Files.isExecutable(Path.of("/usr/bin/tmux"))) {
            if (ci) {
                fail("tmux is not installed (scripts/setup-debian.sh installs it)");
            }
            Assumptions.abort("tmux not installed");
        }
        Lab lab = LabFixture.shared();
        List<String> argv = new ArrayList<>(List.of("env", "HOME=" + home, "MFSHELL_CONFIG_ROOT=" + lab.configRoot(),
                "TERM=xterm-256color"));
        argv.addAll(MfshellProcess.javaCommand());
        // Ctrl-C reaches the whole foreground process group: this wrapper must outlive it (a handler
        // that does nothing, unlike an ignored signal, is not inherited by the shell under test).
        StringBuilder cmd = new StringBuilder("#!/bin/sh\ntrap : INT\n");
        for (String a : argv) {
            cmd.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        cmd.append("\necho MFSHELL-EXITED\nsleep 60\n");
        // The pane runs a small script (every word single-quoted) outside the current directory under test.
        Path script = home.resolve("run-mfshell.sh");
        Files.writeString(script, cmd.toString());
        script.toFile().setExecutable(true);
        ExecResult r = tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", "-c", cwd.toString(),
                script.toString());
        assertEquals(0, r.exitCode(), r.stderr());

        waitFor(s -> s.contains("mfshell@"), Duration.ofSeconds(90), "the prompt");
        tmux("send-keys", "-t", session, "mailq ms", "Tab");
        String screen = waitFor(s -> s.contains("msn-a") && s.contains("msn-b"), Duration.ofSeconds(20),
                "both msn instances offered");
        assertTrue(screen.contains("mailq msn-"), screen);

        // Ctrl-C clears the line and keeps the shell; the cleared words never run.
        tmux("send-keys", "-t", session, "C-c");
        waitFor(s -> s.strip().lines().reduce((a, b) -> b).orElse("").matches("mfshell@\\S+>"), Duration.ofSeconds(20),
                "an empty prompt after Ctrl-C");
        tmux("send-keys", "-t", session, "version", "Enter");
        screen = waitFor(s -> s.lines().anyMatch(l -> l.matches("mfshell [^@ ]+")), Duration.ofSeconds(30),
                "version after Ctrl-C");
        assertTrue(!screen.contains("not found") && !screen.contains("INFO"), screen);
        tmux("send-keys", "-t", session, "instance", "Enter");
        screen = waitFor(s -> s.contains("unknown command 'instance'"), Duration.ofSeconds(30), "a typo reported");
        assertTrue(!screen.contains("AVAILABLE COMMANDS"), screen);
        tmux("send-keys", "-t", session, "instances", "Enter");
        screen = waitFor(s -> s.contains("SENDING IP") && s.contains("therest-a"), Duration.ofSeconds(60),
                "the instances table");
        assertTrue(screen.contains(lab.address("msn-b")), screen);

        tmux("send-keys", "-t", session, "quit", "Enter");
        waitFor(s -> s.contains("MFSHELL-EXITED"), Duration.ofSeconds(30), "the shell to exit");
        Path history = home.resolve(".config/mfshell/history");
        assertTrue(Files.exists(history), "history file at " + history);
        String h = Files.readString(history);
        assertTrue(h.contains("instances"), h);
        try (var files = Files.list(cwd)) {
            assertEquals(List.of(), files.toList(), "nothing written into the current directory");
        }
    }

    private String waitFor(Predicate<String> ok, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        String screen = "";
        while (System.nanoTime() < end) {
            screen = tmux("capture-pane", "-p", "-t", session).stdout();
            if (ok.test(screen)) {
                return screen;
            }
            Thread.sleep(250);
        }
        fail("timed out waiting for " + what + "; screen:\n" + screen);
        return screen;
    }

    private static ExecResult tmux(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("tmux");
        // A private server socket: other tmux users on the machine cannot disturb the test.
        argv.add("-L");
        argv.add("mfshell-test-" + ProcessHandle.current().pid());
        argv.addAll(List.of(args));
        return RUN.run(argv, Duration.ofSeconds(20));
    }
}
