package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.testutil.MfshellProcess;

/**
 * The real interactive shell in a real terminal: a tmux pane of a given size on a private tmux
 * server, running mfshell under a small script that outlives it (it prints MFSHELL-EXITED).
 * Gives the screen, the whole scrollback with wrapped lines joined (so a line wider than the
 * pane shows as one long line), keys, and waits. Without tmux: fails under CI, else aborts.
 */
public final class TmuxShell implements AutoCloseable {
    private static final ProcessRunner RUN = new ProcessRunner();
    private final String socket = "mfshell-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final String session = "s";

    TmuxShell(Path home, Path cwd, int width, int height, Map<String, String> env) throws Exception {
        this(home, cwd, width, height, env, List.of());
    }

    /** mfshell run with {@code args} (the fleet shell: {@code --on relays}). */
    public TmuxShell(Path home, Path cwd, int width, int height, Map<String, String> env, List<String> args) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/tmux"))) {
            if ("true".equals(System.getenv("CI"))) {
                fail("tmux is not installed (scripts/setup-debian.sh installs it)");
            }
            Assumptions.abort("tmux not installed");
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("HOME", home.toString());
        all.put("TERM", "xterm-256color");
        all.putAll(env);
        List<String> argv = new ArrayList<>(List.of("env", "-u", "PAGER", "-u", "MFSHELL_PAGER", "-u", "LESS"));
        all.forEach((k, v) -> argv.add(k + "=" + v));
        argv.addAll(MfshellProcess.javaCommand());
        argv.addAll(args);
        // Ctrl-C reaches the whole foreground process group: this wrapper must outlive it (a handler
        // that does nothing, unlike an ignored signal, is not inherited by the shell under test).
        StringBuilder cmd = new StringBuilder("#!/bin/sh\ntrap : INT\n");
        for (String a : argv) {
            cmd.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        cmd.append("\necho MFSHELL-EXITED rc=$?\nsleep 120\n");
        Path script = home.resolve("run-mfshell-" + System.nanoTime() + ".sh");
        Files.writeString(script, cmd.toString());
        script.toFile().setExecutable(true);
        ExecResult r = tmux("new-session", "-d", "-s", session, "-x", Integer.toString(width), "-y",
                Integer.toString(height), "-c", cwd.toString(), script.toString());
        if (r.exitCode() != 0) {
            fail("tmux: " + r.stderr());
        }
        tmux("set-option", "-t", session, "history-limit", "10000");
        waitFor(s -> s.contains("mfshell@"), Duration.ofSeconds(90), "the prompt");
    }

    /** Types {@code text} and Enter. */
    public void line(String text) {
        tmux("send-keys", "-t", session, "-l", text);
        tmux("send-keys", "-t", session, "Enter");
    }

    /** Sends tmux key names (C-c, q, Tab, ...). */
    public void keys(String... keys) {
        List<String> a = new ArrayList<>(List.of("send-keys", "-t", session));
        a.addAll(List.of(keys));
        tmux(a.toArray(new String[0]));
    }

    /** The visible screen. */
    public String screen() {
        return tmux("capture-pane", "-p", "-t", session).stdout();
    }

    /** Everything printed so far, wrapped lines joined into the line the program wrote. */
    public String scrollback() {
        return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session).stdout();
    }

    /** The screen's last non-empty line. */
    public String lastLine() {
        return screen().strip().lines().reduce((a, b) -> b).orElse("");
    }

    public String waitFor(Predicate<String> ok, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        String screen = "";
        while (System.nanoTime() < end) {
            screen = screen();
            if (ok.test(screen)) {
                return screen;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + "; screen:\n" + screen);
        return screen;
    }

    /** Waits until the scrollback satisfies {@code ok}. */
    public String waitForScrollback(Predicate<String> ok, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        String all = "";
        while (System.nanoTime() < end) {
            all = scrollback();
            if (ok.test(all)) {
                return all;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + "; scrollback:\n" + all);
        return all;
    }

    /**
     * Runs {@code version} and waits for its answer after everything on screen so far: proof that
     * the prompt is live and the next command works.
     */
    void proveLive() throws InterruptedException {
        waitFor(s -> s.strip().lines().reduce((a, b) -> b).orElse("").matches("mfshell@\\S+>"), Duration.ofSeconds(60),
                "an empty prompt");
        long before = versions(scrollback());
        line("version");
        waitForScrollback(s -> versions(s) > before, Duration.ofSeconds(30), "version to answer at a live prompt");
    }

    private static long versions(String s) {
        return s.lines().filter(l -> l.matches("mfshell [^@ ]+")).count();
    }

    @Override
    public void close() {
        tmux("kill-server");
    }

    private ExecResult tmux(String... args) {
        List<String> argv = new ArrayList<>(List.of("tmux", "-L", socket));
        argv.addAll(List.of(args));
        return RUN.run(argv, Duration.ofSeconds(20));
    }
}
