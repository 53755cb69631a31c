package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.ExecResult;
import org.mfshell.testutil.MfshellProcess;

/**
 * One-shot contract of mailq, show and the message actions on bad input, as a script sees it (real
 * child process): one line on stderr, nothing on stdout, exit 2, and nothing run or changed. No
 * Postfix is needed: all of this is refused before any Postfix program runs.
 */
class MailqContractTest {
    @TempDir
    Path root;
    private Map<String, String> env;

    @BeforeEach
    void instances() throws Exception {
        for (String n : List.of("msn-a", "msn-b")) {
            Files.writeString(Files.createDirectories(root.resolve("postfix-" + n)).resolve("main.cf"), "");
        }
        env = Map.of("MFSHELL_CONFIG_ROOT", root.toString(), "MFSHELL_AUDIT_LOG", root.resolve("audit.log").toString());
    }

    private void usage(String expectedStderrStart, String... args) {
        ExecResult r = MfshellProcess.run(env, args);
        assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
        assertEquals("", r.stdout(), String.join(" ", args));
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("mfshell: " + expectedStderrStart), r.stderr());
    }

    @Test
    void unknownInstance() {
        usage("unknown instance 'msn-x' (known: msn-a, msn-b)", "mailq", "msn-x", "--json");
        usage("unknown instance 'msn-x'", "mailq", "msn-x", "--summary");
        usage("unknown instance 'msn-x'", "show", "msn-x", "9DD2720C5DF");
        usage("unknown instance 'msn-x'", "hold", "msn-x", "--queue", "deferred", "--yes");
    }

    @Test
    void badDurationRegexQueueDomainLimit() {
        usage("--older-than: bad duration '2x'", "mailq", "msn-a", "--older-than", "2x");
        usage("--reason: bad regular expression '(['", "mailq", "msn-a", "--reason", "([");
        usage("--queue must be one of", "mailq", "msn-a", "--queue", "deferd");
        usage("--domain: bad domain 'hot mail.com': contains a space or control character", "mailq", "msn-a", "--domain", "hot mail.com");
        usage("--limit takes a whole number", "mailq", "msn-a", "--limit", "ten");
        usage("--older-than: bad duration", "release", "msn-a", "--older-than", "-5m");
    }

    @Test
    void badQueueIds() {
        usage("'-d' is not a Postfix queue id", "delete", "msn-a", "--", "-d");
        usage("'9DD2720C5DF;ls' is not a Postfix queue id", "show", "msn-a", "9DD2720C5DF;ls");
        usage("'../../etc' is not a Postfix queue id", "hold", "msn-a", "../../etc");
    }

    @Test
    void wholeQueueNeedsToBeNamed() {
        usage("delete: name queue ids, a filter", "delete", "msn-a");
        usage("delete: name queue ids, a filter", "delete", "msn-a", "--yes");
        usage("hold: name queue ids, a filter", "hold", "msn-a", "--dry-run");
        assertTrue(Files.notExists(root.resolve("audit.log")));
    }

    @Test
    void filtersNeedAnInstance() {
        usage("mailq: filters, --limit and --summary need an instance name", "mailq", "--domain", "hotmail.com");
        usage("mailq: filters, --limit and --summary need an instance name", "mailq", "--summary");
    }
}
