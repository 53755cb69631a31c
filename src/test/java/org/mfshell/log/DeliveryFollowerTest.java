package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.instance.PostfixInstance;
import org.mfshell.postfix.ProcessRunner;

/** The flush drain's reader: delivery lines of one instance from now on, from a file or the journal (was MaillogFollowerTest). */
class DeliveryFollowerTest {
    // The line layout from postfix-facts (maillog_file of a real instance).
    static final String SENT = "Nov 29 13:40:48 msn-a postfix-msn-a/smtp[10761]: B666F20E7BD: to=<user2@hotmail.com>, "
            + "relay=127.0.0.3[127.0.0.3]:25, delay=14, delays=14/0.01/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F2A)";

    @Test
    void parsesDeliveryLines() {
        DeliveryLine d = DeliveryLine.parse(SENT);
        assertEquals("B666F20E7BD", d.queueId());
        assertEquals("user2@hotmail.com", d.recipient());
        assertEquals("127.0.0.3", d.relayIp());
        assertEquals("sent", d.status());
        DeliveryLine def = DeliveryLine.parse("2026-11-29T13:40:48.123456+00:00 rustin postfix-msn-a/smtp[1]: "
                + "C1: to=<a@outlook.com>, relay=none, delay=0.1, delays=0.1/0/0/0, dsn=4.4.1, status=deferred (connect to x: refused)");
        assertEquals("deferred", def.status());
        assertNull(def.relayIp());
        assertNull(DeliveryLine.parse("Nov 29 13:40:48 msn-a postfix-msn-a/qmgr[1]: B666F20E7BD: removed"));
    }

    @Test
    void followsOnlyNewCompleteLines(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("postfix.log");
        Files.writeString(log, SENT.replace("B666F20E7BD", "OLD") + "\n");
        DeliveryFollower f = DeliveryFollower.fromEnd(log);
        assertEquals(List.of(), f.poll());
        Files.writeString(log, SENT + "\n" + SENT.substring(0, 50), StandardOpenOption.APPEND);
        List<DeliveryLine> got = f.poll();
        assertEquals(1, got.size());
        assertEquals("B666F20E7BD", got.get(0).queueId());
        Files.writeString(log, SENT.substring(50).replace("B666F20E7BD", "X") + "\n", StandardOpenOption.APPEND);
        assertEquals(1, f.poll().size());
        Files.write(log, "".getBytes(StandardCharsets.UTF_8));
        Files.writeString(log, SENT + "\n", StandardOpenOption.APPEND);
        assertEquals(1, f.poll().size(), "rotated file is read from its start");
    }

    @Test
    void aSharedSyslogFileYieldsOnlyTheInstancesOwnLines(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, "");
        DeliveryFollower f = DeliveryFollower.fromEnd(log, "postfix-msn-a");
        DeliveryFollower every = DeliveryFollower.fromEnd(log);
        String b = SENT.replace("postfix-msn-a/", "postfix-msn-b/").replace("B666F20E7BD", "BBB");
        String ab = SENT.replace("postfix-msn-a/", "postfix-msn-ab/").replace("B666F20E7BD", "ABAB");
        Files.writeString(log, b + "\n" + SENT + "\n" + ab + "\n", StandardOpenOption.APPEND);
        List<DeliveryLine> got = f.poll();
        assertEquals(List.of("B666F20E7BD"), got.stream().map(DeliveryLine::queueId).toList());
        assertEquals(3, every.poll().size(), "without a name every line counts");
    }

    @Test
    void flushFollowsMaillogFileElseTheSyslogFileElseNothing(@TempDir Path dir) throws Exception {
        Path own = dir.resolve("postfix-msn-a.log");
        Path syslog = dir.resolve("mail.log");
        Files.writeString(own, "");
        PostfixInstance withFile = instance(own.toString());
        PostfixInstance without = instance(null);
        DeliveryLogs logs = new DeliveryLogs(syslog, null);
        assertEquals(own, logs.follow(withFile).file());
        assertNull(logs.follow(without), "no syslog file either: nothing to follow");
        Files.writeString(syslog, "");
        DeliveryFollower f = logs.follow(without);
        assertEquals(syslog, f.file());
        Files.writeString(syslog, SENT.replace("postfix-msn-a/", "postfix-msn-b/") + "\n" + SENT + "\n",
                StandardOpenOption.APPEND);
        assertEquals(1, f.poll().size(), "msn-b's line is not msn-a's");
    }

    /**
     * An instance that logs only to the journal: the drain sees its new delivery lines there, any
     * agent and status (the reroute transport's SOFTBOUNCE) with the text, queue id, recipient and relay IP.
     */
    @Test
    void followsTheJournalFromNowOnlyTheInstancesLines(@TempDir Path tmp) throws Exception {
        boolean have = Files.isExecutable(Path.of(LogFollowerTest.JOURNAL_REMOTE))
                && Files.isExecutable(Path.of("/usr/bin/journalctl"));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(have, "systemd-journal-remote and journalctl are needed (scripts/setup-debian.sh installs them)");
        }
        Assumptions.assumeTrue(have, "systemd-journal-remote or journalctl missing");
        Path dir = tmp.resolve("journal");
        Files.createDirectories(dir);
        long now = System.currentTimeMillis() / 1000;
        LogFollowerTest.journal(dir.resolve("a.journal"), LogFollowerTest.exportEntry(now - 3600, 0,
                "postfix-msn-a/smtp", "OLD1: to=<a@hotmail.com>, relay=127.0.0.3[127.0.0.3]:25, dsn=2.0.0, status=sent (250 ok)"));
        try (DeliveryFollower f = DeliveryFollower.journalFromNow(dir, "postfix-msn-a", new ProcessRunner())) {
            assertEquals(List.of(), f.poll(), "an entry from before the follower started is not new");
            String refused = "C0FFEE1: to=<b@hotmail.com>, relay=127.0.0.9[127.0.0.9]:25, delay=0.2, dsn=4.7.1, "
                    + "status=SOFTBOUNCE (host 127.0.0.9[127.0.0.9] said: 554 5.7.1 relay access denied)";
            LogFollowerTest.journal(dir.resolve("b.journal"),
                    LogFollowerTest.exportEntry(now + 5, 5, "postfix-msn-b/smtp", "BBB: to=<c@hotmail.com>, relay=x[1.2.3.4]:25, status=sent (ok)")
                            + LogFollowerTest.exportEntry(now + 6, 6, "postfix-msn-a/mfshell-reroute", refused));
            List<DeliveryLine> got = f.poll();
            assertEquals(1, got.size(), got.toString());
            DeliveryLine d = got.get(0);
            assertEquals("C0FFEE1", d.queueId());
            assertEquals("b@hotmail.com", d.recipient());
            assertEquals("127.0.0.9", d.relayIp());
            assertEquals("SOFTBOUNCE", d.status());
            assertTrue(d.line().contains("relay access denied"), d.line());
            assertEquals(List.of(), f.poll(), "nothing new: nothing read twice");
        }
    }

    private static PostfixInstance instance(String maillogFile) {
        return new PostfixInstance("msn-a", Path.of("/etc/postfix-msn-a"), Path.of("/var/spool/postfix-msn-a"),
                "postfix-msn-a", "127.0.0.4", List.of(), null, null, false, maillogFile, true, 1L, null, List.of());
    }
}
