package org.mfshell.postfix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mfshell.core.MfshellException;

/**
 * Checks zone text with BIND's own loader, {@code named-compilezone -q -o - ORIGIN FILE} (Debian's
 * bind9-utils): the text goes to a private temp file, BIND prints the zone as it would serve it
 * (records in canonical form, identical records merged). Errors: {@link ProgramMissingException}
 * naming bind9-utils when the program is missing, {@link MfshellException} when the temp file
 * cannot be written; a zone BIND refuses is a
 * {@link Result} with {@code ok() == false} and BIND's messages.
 */
public final class NamedCompilezone {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ProcessRunner runner;

    public NamedCompilezone(ProcessRunner runner) {
        this.runner = runner;
    }

    /** BIND's verdict on one zone: its canonical text when it loads, its messages when not. */
    public record Result(boolean ok, String canonical, String messages) {
    }

    public Result compile(String origin, List<String> zoneLines) {
        Path file = null;
        try {
            file = Files.createTempFile("mfshell-zone", ".db");
            Files.write(file, zoneLines, StandardCharsets.UTF_8);
            ExecResult r = runner.run(List.of("named-compilezone", "-q", "-k", "fail", "-o", "-", origin,
                    file.toString()), TIMEOUT);
            return new Result(r.ok(), r.ok() ? r.stdout() : "", (r.stderr() + r.stdout()).trim());
        } catch (IOException e) {
            throw new MfshellException("cannot write a temp zone file: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover file in the temp dir is harmless
                }
            }
        }
    }
}
