package org.mfshell.testutil;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.ProcessRunner;

/**
 * Runs mfshell as a real child JVM (the test classpath, org.mfshell.Main), the way a script or
 * cron job would: separate stdout and stderr, real exit code.
 */
public final class MfshellProcess {
    private MfshellProcess() {
    }

    public static List<String> javaCommand() {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.add("-XX:TieredStopAtLevel=1");
        argv.add("-XX:+UseSerialGC");
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add("org.mfshell.Main");
        return argv;
    }

    public static ExecResult run(Map<String, String> env, String... args) {
        return run(List.of(), env, null, args);
    }

    /** {@code prefix} is put before java (e.g. setpriv ...); {@code stdin} may be null. */
    public static ExecResult run(List<String> prefix, Map<String, String> env, String stdin, String... args) {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(javaCommand());
        argv.addAll(List.of(args));
        return new ProcessRunner().run(argv, Duration.ofMinutes(2),
                stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), env);
    }
}
