package org.mfshell.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** watch.conf parsing: the shipped example, defaults, and one FILE:LINE message per kind of mistake. */
class WatchConfigTest {
    private static final Path F = Path.of("/etc/mfshell/watch.conf");

    @Test
    void theShippedExampleParses() throws Exception {
        Path example = Path.of("packaging/examples/watch.conf");
        WatchConfig c = WatchConfig.parse(Files.readString(example), example);
        assertEquals(List.of("mail", "syslog", "webhook"), c.channels());
        assertEquals(Duration.ofMinutes(5), c.holdDown());
        assertEquals(List.of("postmaster@example.com"), c.mail().to());
        assertEquals("https", c.webhook().url().getScheme());
    }

    @Test
    void defaultsAndValues() {
        WatchConfig c = WatchConfig.parse("""
                # comment
                interval = 30s
                retry_for = 2h
                [mail]
                to = a@example.com, B.c+x@Example.COM
                from = watch@relay.example.com
                [syslog]
                priority = LOCAL3.notice
                [webhook]
                url = http://127.0.0.1:8080/x?y=1
                header = Authorization: Bearer abc
                """, F);
        assertEquals(Duration.ofSeconds(30), c.interval());
        assertEquals(Duration.ofMinutes(5), c.holdDown());
        assertEquals(Duration.ofHours(2), c.retryFor());
        assertEquals(Duration.ofMinutes(30), c.window());
        assertEquals(List.of("a@example.com", "B.c+x@example.com"), c.mail().to());
        assertNull(c.mail().instance());
        assertEquals("local3.notice", c.syslog().priority());
        assertEquals("mfshell-watch", c.syslog().tag());
        assertEquals(Map.of("Authorization", "Bearer abc"), c.webhook().headers());
        assertEquals(Duration.ofSeconds(10), c.webhook().timeout());
    }

    @Test
    void errorsNameTheLine() {
        String[][] cases = {
            {"[mail]\nto = a@example.com\n", ":1: [mail] needs from = ..."},
            {"[syslog]\ntag = a b\n", ":2: tag: 'a b'"},
            {"[syslog]\n[syslog]\n", ":2: section [syslog] given twice (first on line 1)"},
            {"hold_down = 1m\nhold_down = 2m\n[syslog]\n", ":2: hold_down set twice before the first section (first on line 1)"},
            {"[syslog]\nurl = https://x.example\n", ":2: unknown key 'url' in [syslog] (known: priority, socket, tag)"},
            {"[webhook]\nurl = https://u:p@x.example/\n", ":2: url: no user:password in the URL"},
            {"[webhook]\nurl = ftp://x.example/\n", ":2: url: 'ftp://x.example/': give an https:// URL"},
            {"[webhook]\nurl = https://x.example/\nheader = Idempotency-Key: 1\n", ":3: header: Idempotency-Key is set by mfshell itself"},
            {"[webhook]\nurl = https://x.example/\ntimeout = 0s\n", ":3: timeout: at least 1s"},
            {"[mail]\nto = a@[127.0.0.1]\nfrom = b@example.com\n", ":2: to: bad domain"},
            {"[mail]\nto = a@example.com\nfrom = b@example.com\ninstance = ../etc\n", ":4: instance: '../etc' is not a valid instance name"},
            {"[syslog]\nsocket = dev/log\n", ":2: socket: give an absolute path"},
            {"[syslog]\nnonsense\n", ":2: expected 'key = value', got 'nonsense'"},
            {"[syslog]\ntag = a\u0007b\n", ":2: control character in the line"},
            {"rules = health-rules\n[syslog]\n", ":1: rules: give an absolute path"},
            {"window = 10s\n[syslog]\n", ":1: window: at least 60s"},
            {"\n\n", ":2: no channel"},
        };
        for (String[] c : cases) {
            WatchConfig.ConfigException e = assertThrows(WatchConfig.ConfigException.class, () -> WatchConfig.parse(c[0], F),
                    c[0]);
            assertEquals(true, e.getMessage().startsWith(F + c[1]), "expected " + F + c[1] + ", got " + e.getMessage());
            assertEquals(2, e.exitCode());
        }
    }

    @Test
    void loopbackOnlyForPlainHttp() {
        for (String h : List.of("127.0.0.1", "127.0.153.2", "localhost", "[::1]")) {
            assertEquals(true, WatchConfig.loopback(h), h);
        }
        for (String h : List.of("128.0.0.1", "example.com", "[::2]", "10.0.0.1")) {
            assertEquals(false, WatchConfig.loopback(h), h);
        }
    }

    @Test
    void aFileOthersMayWriteIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("watch.conf");
        Files.writeString(f, "[syslog]\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        org.mfshell.core.UsageException e = assertThrows(org.mfshell.core.UsageException.class, () -> WatchConfig.load(f));
        assertEquals(f + ": writable by others (mode 0666), who could redirect root's notices; fix: chmod go-w " + f,
                e.getMessage());
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of("syslog"), WatchConfig.load(f).channels());
    }
}
