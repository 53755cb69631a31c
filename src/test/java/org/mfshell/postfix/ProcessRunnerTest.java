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

    /** Ctrl-C in the shell interrupts the command's thread: the program is stopped and reaped, the wait ends. */
    @Test
    void anInterruptStopsAndReapsTheProgram() throws Exception {
        java.nio.file.Path pidFile = java.nio.file.Files.createTempFile("mfshell-pid", ".txt");
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                runner.run(List.of("sh", "-c", "echo $$ > " + pidFile + "; exec sleep 60"), Duration.ofSeconds(120));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        long pid = waitForPid(pidFile);
        t.interrupt();
        t.join(10_000);
        assertTrue(!t.isAlive(), "the wait ended");
        assertTrue(thrown.get() instanceof org.mfshell.core.CancelledException, String.valueOf(thrown.get()));
        assertTrue(ProcessHandle.of(pid).isEmpty(), "sleep " + pid + " was stopped and reaped");
    }

    /** cancelAll stops a streaming program that would otherwise run on, and its reader sees the end. */
    @Test
    void cancelAllStopsAStreamingProgram() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                runner.stream(List.of("sh", "-c", "trap '' INT; echo go; exec sleep 60"), Duration.ofSeconds(120), in -> {
                    in.read();
                    reading.countDown();
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                });
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        assertTrue(reading.await(10, java.util.concurrent.TimeUnit.SECONDS));
        t.interrupt();
        ProcessRunner.cancelAll();
        t.join(10_000);
        assertTrue(!t.isAlive(), "the stream ended");
        assertTrue(thrown.get() instanceof org.mfshell.core.CancelledException, String.valueOf(thrown.get()));
    }

    private static long waitForPid(java.nio.file.Path pidFile) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            String s = java.nio.file.Files.readString(pidFile).trim();
            if (!s.isEmpty()) {
                return Long.parseLong(s);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the program did not start");
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
