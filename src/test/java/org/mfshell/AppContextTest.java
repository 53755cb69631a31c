package org.mfshell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the syslog mail log is: MFSHELL_MAIL_LOG, else Debian's /var/log/mail.log. */
class AppContextTest {
    @Test
    void mailLogComesFromMfshellMailLogOrDefaultsToDebians() {
        assertEquals(Path.of("/var/log/mail.log"), AppContext.fromEnvironment(Map.of(), null).mailLog());
        assertEquals(Path.of("/var/log/mail.log"), AppContext.fromEnvironment(Map.of("MFSHELL_MAIL_LOG", ""), null).mailLog());
        assertEquals(Path.of("/var/tmp/h/var/log/mail.log"),
                AppContext.fromEnvironment(Map.of("MFSHELL_MAIL_LOG", "/var/tmp/h/var/log/mail.log"), null).mailLog());
        assertEquals(Path.of("/var/log/mail.log"),
                new AppContext(Path.of("/etc"), Path.of("/s"), Path.of("/a"), Path.of("/l"), null).mailLog());
    }
}
