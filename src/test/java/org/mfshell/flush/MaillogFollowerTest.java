package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.instance.PostfixInstance;

class MaillogFollowerTest {
    // The line layout from postfix-facts (maillog_file of a real instance).
    static final String SENT = "Nov 29 13:40:48 msn-a postfix-msn-a/smtp[10761]: B666F20E7BD: to=<user2@hotmail.com>, "
            + "relay=127.0.0.3[127.0.0.3]:25, delay=14, delays=14/0.01/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F2A)";

    @Test
    void parsesDeliveryLines() {
        MaillogFollower.Delivery d = MaillogFollower.parse(SENT);
        assertEquals("B666F20E7BD", d.queueId());
        assertEquals("user2@hotmail.com", d.recipient());
        assertEquals("127.0.0.3", d.relayIp());
        assertEquals("sent", d.status());
        MaillogFollower.Delivery def = MaillogFollower.parse("2026-11-29T13:40:48.123456+00:00 rustin postfix-msn-a/smtp[1]: "
                + "C1: to=<a@outlook.com>, relay=none, delay=0.1, delays=0.1/0/0/0, dsn=4.4.1, status=deferred (connect to x: refused)");
        assertEquals("deferred", def.status());
        assertNull(def.relayIp());
        assertNull(MaillogFollower.parse("Nov 29 13:40:48 msn-a postfix-msn-a/qmgr[1]: B666F20E7BD: removed"));
    }

    @Test
    void followsOnlyNewCompleteLines(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("postfix.log");
        Files.writeString(log, SENT.replace("B666F20E7BD", "OLD") + "\n");
        MaillogFollower f = MaillogFollower.fromEnd(log);
        assertEquals(List.of(), f.poll());
        Files.writeString(log, SENT + "\n" + SENT.substring(0, 50), StandardOpenOption.APPEND);
        List<MaillogFollower.Delivery> got = f.poll();
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
        MaillogFollower f = MaillogFollower.fromEnd(log, "postfix-msn-a");
        MaillogFollower every = MaillogFollower.fromEnd(log);
        String b = SENT.replace("postfix-msn-a/", "postfix-msn-b/").replace("B666F20E7BD", "BBB");
        String ab = SENT.replace("postfix-msn-a/", "postfix-msn-ab/").replace("B666F20E7BD", "ABAB");
        Files.writeString(log, b + "\n" + SENT + "\n" + ab + "\n", StandardOpenOption.APPEND);
        List<MaillogFollower.Delivery> got = f.poll();
        assertEquals(List.of("B666F20E7BD"), got.stream().map(MaillogFollower.Delivery::queueId).toList());
        assertEquals(3, every.poll().size(), "without a name every line counts");
    }

    @Test
    void flushFollowsMaillogFileElseTheSyslogFileElseNothing(@TempDir Path dir) throws Exception {
        Path own = dir.resolve("postfix-msn-a.log");
        Path syslog = dir.resolve("mail.log");
        Files.writeString(own, "");
        PostfixInstance withFile = instance(own.toString());
        PostfixInstance without = instance(null);
        assertEquals(own, FlushService.follower(withFile, syslog).file());
        assertNull(FlushService.follower(without, syslog), "no syslog file either: nothing to follow");
        Files.writeString(syslog, "");
        MaillogFollower f = FlushService.follower(without, syslog);
        assertEquals(syslog, f.file());
        Files.writeString(syslog, SENT.replace("postfix-msn-a/", "postfix-msn-b/") + "\n" + SENT + "\n",
                StandardOpenOption.APPEND);
        assertEquals(1, f.poll().size(), "msn-b's line is not msn-a's");
    }

    private static PostfixInstance instance(String maillogFile) {
        return new PostfixInstance("msn-a", Path.of("/etc/postfix-msn-a"), Path.of("/var/spool/postfix-msn-a"),
                "postfix-msn-a", "127.0.0.4", List.of(), null, null, false, maillogFile, true, 1L, null, List.of());
    }
}
