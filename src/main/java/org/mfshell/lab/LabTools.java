package org.mfshell.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.mfshell.core.MfshellException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.PostfixCtl;
import org.mfshell.postfix.Postsuper;
import org.mfshell.postfix.ProcessRunner;

/**
 * The Postfix programs and file operations the lab needs: the typed wrappers of org.mfshell.postfix
 * (the lab builds no argv of its own) and the one atomic writer of org.mfshell.fs, plus the
 * backdating Postfix's 2-second rule asks for. Errors: {@link MfshellException} from the wrappers
 * and writers, naming the program or file.
 */
final class LabTools {
    final Postconf postconf;
    final PostfixCtl postfix;
    final Postsuper postsuper;

    LabTools(ProcessRunner runner) {
        this.postconf = new Postconf(runner);
        this.postfix = new PostfixCtl(runner);
        this.postsuper = new Postsuper(runner);
    }

    /** Writes a file atomically (temp file beside it, forced to disk, renamed over it). */
    static void writeAtomically(Path target, String content) {
        AtomicFiles.write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets a file's modification time 10 s into the past: Postfix commands wait until main.cf is
     * 2 s old, which would slow every freshly generated instance.
     */
    static void backdate(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(10)));
        } catch (IOException e) {
            throw new MfshellException("cannot set the time of " + file + ": " + e.getMessage(), e);
        }
    }
}
