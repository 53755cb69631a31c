package org.mfshell.postfix;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * Postfix's {@code sendmail -C DIR -i -f FROM -- TO...}: hands one message (on stdin, headers
 * included) to the instance whose configuration is in DIR, through its postdrop. Exit 0 means
 * the message is in that instance's maildrop queue. The addresses must have been validated by
 * the caller (the {@code --} keeps a recipient from being read as an option either way).
 * Errors: {@link ProgramMissingException} without Postfix; {@link MfshellException} with
 * sendmail's first error line on a non-zero exit or the timeout.
 */
public final class Sendmail {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final ProcessRunner runner;

    public Sendmail(ProcessRunner runner) {
        this.runner = runner;
    }

    public static List<String> argv(Path configDir, String from, List<String> to) {
        List<String> argv = new ArrayList<>(List.of("sendmail", "-C", configDir.toString(), "-i", "-f", from, "--"));
        argv.addAll(to);
        return argv;
    }

    public void send(Path configDir, String from, List<String> to, byte[] message) {
        ExecResult r = runner.run(argv(configDir, from, to), TIMEOUT, message, java.util.Map.of());
        if (!r.ok()) {
            String why = r.timedOut() ? "timed out after " + TIMEOUT.toSeconds() + "s"
                    : !r.stderr().isBlank() ? r.firstErrorLine() : "exit code " + r.exitCode();
            throw new MfshellException("sendmail -C " + configDir + " failed: " + why);
        }
    }
}
