package org.mfshell.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.lab.Lab;
import org.mfshell.lab.LabFixture;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.ProcessRunner;

/**
 * The HELO name as real postconf reports it, on a copy of a lab instance's main.cf and
 * master.cf: myhostname by default, main.cf's smtp_helo_name (with $myhostname in it), and the
 * master.cf overrides under the smtp service, which win.
 */
class HeloNameTest {
    @TempDir
    Path dir;

    private final ProcessRunner runner = new ProcessRunner();

    private void postconf(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("postconf", "-c", dir.toString()));
        argv.addAll(List.of(args));
        ExecResult r = runner.run(argv, Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), r.stderr());
    }

    private String helo() {
        PostfixInstance i = new PostfixInstance("msn-b", dir, null, "postfix-msn-b", "127.0.0.5", List.of(), null, null,
                false, null, false, null, null, List.of());
        return new HeloName(new Postconf(runner)).of(i);
    }

    @Test
    void mainCfThenMasterCfOverridesOfTheSmtpService() throws Exception {
        Lab lab = LabFixture.shared();
        Files.copy(lab.configDir("msn-b").resolve("main.cf"), dir.resolve("main.cf"));
        Files.copy(lab.configDir("msn-b").resolve("master.cf"), dir.resolve("master.cf"));
        assertEquals("msn-b.lab.invalid", helo());

        postconf("-e", "smtp_helo_name = mx.$myhostname");
        assertEquals("mx.msn-b.lab.invalid", helo());

        postconf("-P", "smtp/unix/myhostname=relay5.lab.invalid");
        assertEquals("mx.relay5.lab.invalid", helo(), "main.cf's smtp_helo_name expands the service's myhostname");

        postconf("-P", "smtp/unix/smtp_helo_name=helo5.lab.invalid");
        assertEquals("helo5.lab.invalid", helo());
    }
}
