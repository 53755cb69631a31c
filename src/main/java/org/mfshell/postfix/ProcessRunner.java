package org.mfshell.postfix;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.mfshell.core.CancelledException;
import org.mfshell.core.MfshellException;

/**
 * The one place where mfshell starts external programs (Commons Exec). Always an argv list
 * built one argument at a time, never a shell string; always a timeout (ExecuteWatchdog).
 * Errors: {@link ProgramMissingException} when the program is not installed;
 * {@link MfshellException} when it cannot be started or is killed by the timeout in
 * {@link #stream}; {@link CancelledException} when the calling thread is interrupted (Ctrl-C in the
 * shell) while a program runs: the program is then stopped and waited for before the exception
 * is thrown (with the thread's interrupt flag cleared: the exception carries it), so none is left behind. {@link #cancelAll} stops every program still running (the
 * shell calls it on Ctrl-C). A non-zero exit is not an error here: callers read {@link ExecResult}.
 *
 * <p>Outside this package a runner is a handle passed to the typed wrappers (Postconf, Postqueue,
 * Journalctl, ...), which alone build argv and call {@link #run}/{@link #stream}. Those methods stay
 * public rather than package-private because the lab tests in other packages still call them;
 * PackageGraphTest fails when any main class outside postfix/ does.
 */
public class ProcessRunner {
    /** Default search path for Postfix and system programs, root's PATH may lack sbin under sudo. */
    private static final List<String> PATH_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin");

    /** How long a stopped program is given to end before its wait is given up. */
    private static final long REAP_MS = 5_000;
    /** The programs started here that are still running (not the pager, which owns the terminal). */
    private static final Set<ExecuteWatchdog> LIVE = ConcurrentHashMap.newKeySet();

    private final Duration defaultTimeout;

    public ProcessRunner() {
        this(Duration.ofSeconds(60));
    }

    public ProcessRunner(Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    public ExecResult run(List<String> argv) {
        return run(argv, defaultTimeout, null, Map.of());
    }

    public ExecResult run(List<String> argv, Duration timeout) {
        return run(argv, timeout, null, Map.of());
    }

    /** Runs argv to completion, feeding {@code stdin} (may be null) and capturing both outputs. */
    public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
        CommandLine cl = commandLine(argv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = stdin == null ? new ByteArrayInputStream(new byte[0]) : new ByteArrayInputStream(stdin);
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err, in));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        Done handler = new Done();
        LIVE.add(watchdog);
        try {
            try {
                executor.execute(cl, env(extraEnv), handler);
            } catch (IOException e) {
                throw startFailure(argv, e);
            }
            awaitOrStop(handler, watchdog, argv);
        } finally {
            LIVE.remove(watchdog);
        }
        Exception startError = handler.getException();
        if (startError != null && !(startError instanceof ExecuteException)) {
            throw startFailure(argv, startError);
        }
        return new ExecResult(argv, handler.getExitValue(), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8), watchdog.killedProcess());
    }

    /**
     * Waits for the program; when the calling thread is interrupted, stops the program, waits
     * for it to end (so it is reaped), and throws {@link CancelledException}.
     */
    private static void awaitOrStop(Done handler, ExecuteWatchdog watchdog, List<String> argv) {
        try {
            handler.ended.await();
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
        } catch (InterruptedException e) {
            // The exception now carries the interrupt; the flag is left clear so that clean-up
            // (a rollback's own postmap and reload) can still run programs.
            Thread.interrupted();
            watchdog.destroyProcess();
            reap(handler);
            throw new CancelledException("interrupted while running " + argv.get(0));
        }
    }

    /** Waits (not interruptibly, at most {@link #REAP_MS}) for a stopped program to end. */
    private static void reap(Done handler) {
        long end = System.nanoTime() + REAP_MS * 1_000_000;
        while (!handler.hasResult() && System.nanoTime() < end) {
            LockSupport.parkNanos(10_000_000);
        }
    }

    /**
     * Stops every program started through a ProcessRunner that is still running (Ctrl-C in the
     * shell): most have already died of the terminal's SIGINT, this catches those that ignore it.
     * The callers' waits then end and report {@link CancelledException}.
     */
    public static void cancelAll() {
        for (ExecuteWatchdog w : LIVE) {
            w.destroyProcess();
        }
    }

    /**
     * Runs a program that owns the terminal (a pager): its stdout and stderr are this process's
     * own, so it sees the terminal; {@code stdin} is fed through a pipe. No timeout: it ends when
     * the operator leaves it. Ctrl-C belongs to the program meanwhile (it is not stopped by
     * {@link #cancelAll} nor by an interrupt); its exit code is returned.
     */
    public int interactive(List<String> argv, byte[] stdin, Map<String, String> extraEnv) {
        List<String> resolved = new java.util.ArrayList<>(argv);
        resolved.set(0, resolve(argv.get(0)));
        ProcessBuilder pb = new ProcessBuilder(resolved);
        pb.environment().putAll(extraEnv);
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw startFailure(argv, e);
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // The program left before reading everything (q in a pager): that is its choice.
        }
        return waitThrough(p);
    }

    /** Waits for a program the operator drives, even when interrupted (the flag is restored after); its exit code. */
    private static int waitThrough(Process p) {
        boolean interrupted = false;
        while (true) {
            try {
                int code = p.waitFor();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return code;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /**
     * Runs a program attached to this process's own stdin, stdout and stderr (ssh running a remote
     * command for the operator: its output streams straight through, its questions reach the
     * terminal). No timeout: it ends when the remote command does, and Ctrl-C reaches it through the
     * terminal. Waits for it even when interrupted (the flag is restored); returns its exit code.
     */
    public int attached(List<String> argv) {
        List<String> resolved = new java.util.ArrayList<>(argv);
        resolved.set(0, resolve(argv.get(0)));
        ProcessBuilder pb = new ProcessBuilder(resolved).inheritIO();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw startFailure(argv, e);
        }
        return waitThrough(p);
    }

    /**
     * Starts argv and hands its stdout to {@code consumer} as a stream while it runs, so large
     * outputs (postqueue -j, journalctl) are never held in memory. Returns the exit code and
     * stderr once the process has ended. The watchdog kills it after {@code timeout}.
     */
    public ExecResult stream(List<String> argv, Duration timeout, StreamConsumer consumer) {
        CommandLine cl = commandLine(argv);
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        DirectStreamHandler streams = new DirectStreamHandler();
        executor.setStreamHandler(streams);
        Done handler = new Done();
        LIVE.add(watchdog);
        try {
            return streamStarted(argv, cl, executor, watchdog, streams, handler, consumer);
        } finally {
            LIVE.remove(watchdog);
        }
    }

    private ExecResult streamStarted(List<String> argv, CommandLine cl, DefaultExecutor executor, ExecuteWatchdog watchdog,
                                     DirectStreamHandler streams, Done handler,
                                     StreamConsumer consumer) {
        try {
            executor.execute(cl, env(Map.of()), handler);
        } catch (IOException e) {
            throw startFailure(argv, e);
        }
        Exception consumerError = null;
        try {
            InputStream stdout = streams.awaitStdout(handler);
            if (stdout != null) {
                try {
                    consumer.accept(stdout);
                    // Drain whatever the consumer did not read so the process can finish.
                    stdout.transferTo(OutputStream.nullOutputStream());
                } catch (Exception e) {
                    consumerError = e;
                    watchdog.destroyProcess();
                }
            }
        } finally {
            streams.consumerDone();
        }
        awaitOrStop(handler, watchdog, argv);
        if (consumerError instanceof MfshellException me) {
            throw me;
        }
        if (consumerError != null) {
            throw new MfshellException("reading output of " + argv.get(0) + ": " + consumerError.getMessage(),
                    consumerError);
        }
        Exception startError = handler.getException();
        if (startError != null && !(startError instanceof ExecuteException)) {
            throw startFailure(argv, startError);
        }
        return new ExecResult(argv, handler.getExitValue(), "", streams.stderr(), watchdog.killedProcess());
    }

    /** The result handler, with a wait that ends as the program does (the default one polls every 50 ms). */
    private static final class Done extends DefaultExecuteResultHandler {
        final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

        @Override
        public void onProcessComplete(int exitValue) {
            super.onProcessComplete(exitValue);
            ended.countDown();
        }

        @Override
        public void onProcessFailed(ExecuteException e) {
            super.onProcessFailed(e);
            ended.countDown();
        }
    }

    /** Receives a running program's stdout. */
    @FunctionalInterface
    public interface StreamConsumer {
        void accept(InputStream stdout) throws Exception;
    }

    private static CommandLine commandLine(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        CommandLine cl = new CommandLine(resolve(argv.get(0)));
        for (int i = 1; i < argv.size(); i++) {
            // handleQuoting=false: each element is passed to execve as it is.
            cl.addArgument(argv.get(i), false);
        }
        return cl;
    }

    /** Finds a bare program name in the usual sbin/bin directories; missing programs are reported by package. */
    static String resolve(String program) {
        if (program.contains("/")) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new ProgramMissingException(program, DebianPackages.of(program));
            }
            return program;
        }
        String envPath = System.getenv("PATH");
        if (envPath != null) {
            for (String dir : envPath.split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                    return Path.of(dir, program).toString();
                }
            }
        }
        for (String dir : PATH_DIRS) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        throw new ProgramMissingException(program, DebianPackages.of(program));
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        // Postfix programs print messages in the C locale; parsers rely on that.
        env.put("LC_ALL", "C");
        env.putAll(extra);
        return env;
    }

    private static MfshellException startFailure(List<String> argv, Exception e) {
        return new MfshellException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
    }

    /**
     * Hands the process's own stdout stream to the calling thread (no pump thread, no pipe copy)
     * and keeps Commons Exec from closing it until the consumer is done; stderr is pumped into memory.
     */
    private static final class DirectStreamHandler implements ExecuteStreamHandler {
        private final java.util.concurrent.CountDownLatch stdoutReady = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch consumerDone = new java.util.concurrent.CountDownLatch(1);
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private volatile InputStream stdout;
        private Thread errPump;

        @Override
        public void setProcessInputStream(OutputStream os) throws IOException {
            os.close();
        }

        @Override
        public void setProcessErrorStream(InputStream is) {
            errPump = new Thread(() -> {
                try {
                    is.transferTo(err);
                } catch (IOException e) {
                    // the process is gone; what was read is kept
                }
            }, "stderr-pump");
            errPump.setDaemon(true);
        }

        @Override
        public void setProcessOutputStream(InputStream is) {
            stdout = is;
            stdoutReady.countDown();
        }

        @Override
        public void start() {
            errPump.start();
        }

        /** Called by the executor after the process ended: wait for the consumer before streams are closed. */
        @Override
        public void stop() throws IOException {
            try {
                consumerDone.await();
                errPump.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until the process has started (stdout known) or failed to start (null). */
        InputStream awaitStdout(DefaultExecuteResultHandler handler) {
            try {
                while (!stdoutReady.await(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (handler.hasResult()) {
                        return null;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            return stdout;
        }

        void consumerDone() {
            consumerDone.countDown();
        }

        String stderr() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
