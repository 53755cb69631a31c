package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void argumentsReachTheProgramLiterallyNeverThroughAShell() {
        ExecResult r = runner.run(List.of("printf", "%s|", "a b", "$(id)", "'q'", "x;y", "*"), Duration.ofSeconds(10));
        assertEquals(0, r.exitCode());
        assertEquals("a b|$(id)|'q'|x;y|*|", r.stdout());
    }

    @Test
    void stdinExitCodeAndStderrAreKept() {
        ExecResult r = runner.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"), Duration.ofSeconds(10),
                "in\n".getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(3, r.exitCode());
        assertEquals("in\n", r.stdout());
        assertEquals("oops", r.firstErrorLine());
        assertTrue(!r.ok());
    }

    @Test
    void timeoutKillsTheProgram() {
        long t0 = System.nanoTime();
        ExecResult r = runner.run(List.of("sleep", "30"), Duration.ofMillis(500));
        assertTrue(r.timedOut());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void streamHandsOverLargeOutputWithoutHoldingIt() {
        AtomicLong lines = new AtomicLong();
        ExecResult r = runner.stream(List.of("seq", "1", "200000"), Duration.ofSeconds(30), in -> {
            BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            while (br.readLine() != null) {
                lines.incrementAndGet();
            }
        });
        assertEquals(0, r.exitCode());
        assertEquals(200000, lines.get());
    }

    @Test
    void missingPostfixProgramNamesTheDebianPackage() {
        ProgramMissingException e = assertThrows(ProgramMissingException.class,
                () -> runner.run(List.of("/nonexistent/sbin/postqueue", "-p")));
        assertEquals("/nonexistent/sbin/postqueue not found: install the Debian package 'postfix' "
                + "(apt-get install postfix)", e.getMessage());
    }
}
