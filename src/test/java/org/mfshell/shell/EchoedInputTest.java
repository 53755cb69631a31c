package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input that holds a newline, a tab or an escape sequence is echoed quoted, with those
 * characters escaped: one line on stderr, exit 2, nothing on stdout, no raw control character.
 */
class EchoedInputTest {
    @TempDir
    Path root;

    @BeforeEach
    void instances() throws Exception {
        for (String n : new String[] {"msn-a", "msn-b"}) {
            Files.createDirectories(root.resolve("postfix-" + n));
            Files.writeString(root.resolve("postfix-" + n).resolve("main.cf"), "");
        }
    }

    private void echoed(String expected, String... argv) {
        InProcessCli.Result r = InProcessCli.run(root, argv);
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().strip().chars().anyMatch(c -> c < 0x20 || c == 0x7f), "raw control character in " + r.err());
        assertEquals("mfshell: " + expected, r.err().strip());
    }

    @Test
    void queueFilters() {
        echoed("--domain: bad domain 'hotmail.com\\n* smtp:[192.0.2.1]': contains a space or control character",
                "mailq", "msn-a", "--domain", "hotmail.com\n* smtp:[192.0.2.1]");
        echoed("--sender: 'a@b\\nc' is not an address (use user@example.org, @example.org for a whole domain, "
                + "or <> for the null sender)", "mailq", "msn-a", "--sender", "a@b\nc");
        echoed("--queue must be one of maildrop, incoming, active, deferred, hold, not 'hold\\x1b[2J'",
                "hold", "msn-a", "--queue", "hold\u001b[2J");
        echoed("'ABC\\nDEF' is not a Postfix queue id (letters and digits, e.g. 9DD2720C5DF or 4jcqkn6sDVzJ9mB)",
                "release", "msn-a", "ABC\nDEF");
        echoed("--reason: bad regular expression '(x\\n': missing closing ) (RE2 syntax: no backreferences or lookaround)",
                "mailq", "msn-a", "--reason", "(x\n");
    }

    @Test
    void relayMapLabAndTheParser() {
        echoed("--suffix: bad domain 'smtp.example\\r\\nX' (e.g. smtp.mayfirst.org)", "relay-map", "--suffix", "smtp.example\r\nX");
        echoed("lab: INSTANCE must be one of aol-a, earthlink-a, msn-a, msn-b, therest-a, not 'msn-a\\nmsn-b'",
                "lab", "block", "msn-a\nmsn-b", "--root", root.resolve("lab").toString(), "--prefix", "127.0.251");
        echoed("mailq: unknown option '--json\\t' (known: --queue, --domain, --sender, --reason, --older-than, --limit, "
                + "--summary, --follow, --interval, --json) - did you mean --json?", "mailq", "--json\t");
        InProcessCli.Result r = InProcessCli.run(root, "mail\nq");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("mfshell: unknown command 'mail\\nq'") && r.err().contains("(known: instances, mailq, "),
                r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        echoed("--limit takes a whole number, not '1\\n0'", "mailq", "msn-a", "--limit", "1\n0");
        echoed("--older-than: bad duration '2h\\n' (use e.g. 90s, 15m, 2h, 7d)", "mailq", "msn-a", "--older-than", "2h\n");
    }

    @Test
    void unicodeLineSeparatorsAndBidiOverridesAreEscapedToo() {
        echoed("--domain: bad domain 'hotmail.com\\u2028x': contains a space or control character",
                "mailq", "msn-a", "--domain", "hotmail.com\u2028x");
        InProcessCli.Result r = InProcessCli.run(root, "mailq", "msn-a", "--sender", "a\u202e @b");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("'a\\u202e @b'"), r.err());
    }
}
