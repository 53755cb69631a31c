package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

/** The argv postmulti runs with: plain for /etc/postfix, in a private mount namespace for any other primary. */
class PostmultiTest {
    @Test
    void theRealPrimaryRunsPlainPostmulti() {
        assertEquals(List.of("postmulti", "-l"), new Postmulti(null, Path.of("/etc/postfix"), null).argv("-l"));
    }

    @Test
    void anotherPrimaryIsMountedOnEtcPostfixAndSyslogGoesToTheGivenSocket() {
        Postmulti pm = new Postmulti(null, Path.of("/var/tmp/h/etc/postfix"), Path.of("/var/tmp/h/dev/log"));
        assertEquals(List.of("bwrap", "--bind", "/", "/", "--dev", "/dev", "--symlink", "/var/tmp/h/dev/log", "/dev/log",
                "--proc", "/proc", "--bind", "/var/tmp/h/etc/postfix", "/etc/postfix", "--",
                "postmulti", "-I", "postfix-msn-a", "-e", "create", "config_directory=/var/tmp/h/etc/postfix-msn-a"),
                pm.argv("-I", "postfix-msn-a", "-e", "create", "config_directory=/var/tmp/h/etc/postfix-msn-a"));
        assertEquals(List.of("bwrap", "--bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc",
                "--bind", "/var/tmp/h/etc/postfix", "/etc/postfix", "--", "postmulti", "-e", "init"),
                new Postmulti(null, Path.of("/var/tmp/h/etc/postfix"), null).argv("-e", "init"));
    }

    @Test
    void anInstanceNameMustStartWithPostfix() {
        Postmulti pm = new Postmulti(null, Path.of("/etc/postfix"), null);
        UsageException e = assertThrows(UsageException.class, () -> pm.create("msn-a", Path.of("/etc/postfix-msn-a")));
        assertEquals("bad postmulti instance name 'msn-a': it must start with postfix-, e.g. postfix-msn-a", e.getMessage());
    }
}
