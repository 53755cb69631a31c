package org.mfshell.postfix;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A runner that starts nothing: it records each argv (and stdin) a wrapper sends and answers
 * with exit 0 and the stdout it was given (empty by default). For argv tests only; what the
 * programs really do is tested against the lab's real Postfix.
 */
public final class RecordingRunner extends ProcessRunner {
    /** One call: the argv, its stdin as text (null when none), and whether it was streamed. */
    public record Call(List<String> argv, String stdin, boolean streamed) {
    }

    private final List<Call> calls = new ArrayList<>();
    private String stdout = "";

    /** What every following call prints on stdout. */
    public RecordingRunner answering(String out) {
        this.stdout = out;
        return this;
    }

    public List<Call> calls() {
        return calls;
    }

    public List<List<String>> argvs() {
        return calls.stream().map(Call::argv).toList();
    }

    /** The only call's argv; fails when there was not exactly one. */
    public List<String> only() {
        if (calls.size() != 1) {
            throw new AssertionError("expected one program run, got " + argvs());
        }
        return calls.get(0).argv();
    }

    @Override
    public ExecResult run(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> extraEnv) {
        calls.add(new Call(List.copyOf(argv), stdin == null ? null : new String(stdin, StandardCharsets.UTF_8), false));
        return new ExecResult(argv, 0, stdout, "", false);
    }

    @Override
    public ExecResult stream(List<String> argv, Duration timeout, StreamConsumer consumer) {
        calls.add(new Call(List.copyOf(argv), null, true));
        try {
            consumer.accept(new ByteArrayInputStream(stdout.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("the consumer failed on the recorded output", e);
        }
        return new ExecResult(argv, 0, "", "", false);
    }
}
