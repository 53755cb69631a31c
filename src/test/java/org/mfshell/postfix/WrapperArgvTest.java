package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The argv each wrapper in postfix/ sends, as recorded by {@link RecordingRunner}: never a shell string, always -c DIR. */
class WrapperArgvTest {
    private static final Path DIR = Path.of("/etc/postfix-msn-a");

    @Test
    void postconf() {
        RecordingRunner r = new RecordingRunner();
        Postconf pc = new Postconf(r);
        pc.values(DIR, List.of("queue_directory", "-x", "syslog_name"));
        pc.nonDefault(DIR);
        pc.masterOverrides(DIR);
        pc.services(DIR);
        pc.serviceLine(DIR, "smtp/unix");
        pc.override(DIR, "smtp/unix/smtp_bind_address");
        pc.serviceLines(DIR);
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("transport_maps", "hash:/etc/postfix-msn-a/transport.relay");
        edits.put("relayhost", "");
        pc.edit(DIR, edits);
        pc.remove(DIR, "master_service_disable");
        pc.editFields(DIR, "*/*/chroot = n");
        pc.putService(DIR, "127.0.81.2:25/inet = 127.0.81.2:25 inet n - n - - smtpd");
        pc.removeService(DIR, "smtp/inet");
        pc.removeOverride(DIR, "relay/unix/syslog_name");
        String c = DIR.toString();
        assertEquals(List.of(
                List.of("postconf", "-c", c, "-x", "queue_directory", "syslog_name"),
                List.of("postconf", "-c", c, "-n"),
                List.of("postconf", "-c", c, "-P", "-x"),
                List.of("postconf", "-c", c, "-M", "-x"),
                List.of("postconf", "-c", c, "-M", "smtp/unix"),
                List.of("postconf", "-c", c, "-Ph", "smtp/unix/smtp_bind_address"),
                List.of("postconf", "-c", c, "-M"),
                List.of("postconf", "-c", c, "-e", "transport_maps=hash:/etc/postfix-msn-a/transport.relay", "relayhost="),
                List.of("postconf", "-c", c, "-X", "master_service_disable"),
                List.of("postconf", "-c", c, "-F", "*/*/chroot = n"),
                List.of("postconf", "-c", c, "-M", "127.0.81.2:25/inet = 127.0.81.2:25 inet n - n - - smtpd"),
                List.of("postconf", "-c", c, "-MX", "smtp/inet"),
                List.of("postconf", "-c", c, "-PX", "relay/unix/syslog_name")), r.argvs());
    }

    @Test
    void postqueue() {
        RecordingRunner r = new RecordingRunner().answering(
                "{\"queue_name\": \"deferred\", \"queue_id\": \"B666F20E7BD\", \"arrival_time\": 1, \"recipients\": []}\n");
        Postqueue pq = new Postqueue(r);
        assertEquals(1, pq.messages(DIR).size());
        pq.list(DIR);
        pq.flush(DIR);
        pq.deliver(DIR, "B666F20E7BD");
        pq.flushIds(DIR, List.of("B666F20E7BD", "C1"), 4);
        String c = DIR.toString();
        assertEquals(List.of(
                List.of("postqueue", "-c", c, "-j"),
                List.of("postqueue", "-c", c, "-p"),
                List.of("postqueue", "-c", c, "-f"),
                List.of("postqueue", "-c", c, "-i", "B666F20E7BD"),
                List.of("xargs", "-r", "-n", "1", "-P", "4", "postqueue", "-c", c, "-i")), r.argvs());
        assertTrue(r.calls().get(0).streamed(), "postqueue -j is streamed, never held whole");
        assertEquals("B666F20E7BD\nC1\n", r.calls().get(4).stdin());
    }

    @Test
    void postsuper() {
        RecordingRunner r = new RecordingRunner();
        Postsuper ps = new Postsuper(r);
        ps.apply(DIR, Postsuper.Action.HOLD, List.of("B666F20E7BD", "C1"));
        ps.apply(DIR, Postsuper.Action.RELEASE, List.of("C1"));
        ps.apply(DIR, Postsuper.Action.REQUEUE, List.of("C1"));
        ps.applyAll(DIR, Postsuper.Action.DELETE);
        String c = DIR.toString();
        assertEquals(List.of(
                List.of("postsuper", "-c", c, "-h", "-"),
                List.of("postsuper", "-c", c, "-H", "-"),
                List.of("postsuper", "-c", c, "-r", "-"),
                List.of("postsuper", "-c", c, "-d", "ALL")), r.argvs());
        assertEquals("B666F20E7BD\nC1\n", r.calls().get(0).stdin(), "queue ids go through stdin, one per line");
    }

    @Test
    void postmap() {
        RecordingRunner r = new RecordingRunner();
        Postmap pm = new Postmap(r);
        Path map = DIR.resolve("transport.relay");
        pm.build(DIR, map);
        pm.query(DIR, map, List.of("hotmail.com", "outlook.com"));
        pm.queryMap(DIR, "lmdb:/etc/postfix-msn-a/transport", List.of("hotmail.com"));
        pm.queryMap(DIR, "hash:/x", List.of());
        pm.dump(DIR, map);
        String c = DIR.toString();
        assertEquals(List.of(
                List.of("postmap", "-c", c, "hash:" + map),
                List.of("postmap", "-c", c, "-q", "-", "hash:" + map),
                List.of("postmap", "-c", c, "-q", "-", "lmdb:/etc/postfix-msn-a/transport"),
                List.of("postmap", "-c", c, "-s", "hash:" + map)), r.argvs(), "no keys: no run");
        assertEquals("hotmail.com\noutlook.com\n", r.calls().get(1).stdin());
    }

    @Test
    void postfixCtl() {
        RecordingRunner r = new RecordingRunner();
        PostfixCtl ctl = new PostfixCtl(r);
        ctl.reload(DIR);
        ctl.running(DIR);
        ctl.attempt(DIR, "stop", null);
        ctl.attempt(DIR, "start", PrivateMounts.create().devLog(Path.of("/var/tmp/lab/syslog.sock")));
        String c = DIR.toString();
        assertEquals(List.of(
                List.of("postfix", "-c", c, "reload"),
                List.of("postfix", "-c", c, "status"),
                List.of("postfix", "-c", c, "stop"),
                List.of("bwrap", "--bind", "/", "/", "--dev", "/dev", "--symlink", "/var/tmp/lab/syslog.sock", "/dev/log",
                        "--proc", "/proc", "--", "postfix", "-c", c, "start")), r.argvs());
    }

    @Test
    void postcat() {
        RecordingRunner r = new RecordingRunner();
        Postcat pc = new Postcat(r);
        pc.show(DIR, "B666F20E7BD", false);
        pc.show(DIR, "B666F20E7BD", true);
        String c = DIR.toString();
        assertEquals(List.of(
                List.of("postcat", "-c", c, "-h", "-q", "B666F20E7BD"),
                List.of("postcat", "-c", c, "-q", "B666F20E7BD")), r.argvs());
    }

    @Test
    void journalctl(@TempDir Path tmp) {
        RecordingRunner r = new RecordingRunner();
        Journalctl j = new Journalctl(r);
        j.stream(null, null, null, null, java.time.Duration.ofSeconds(5), in -> { });
        j.stream(tmp, 1_795_946_400_500L, 1_795_946_460_000L, tmp.resolve("c.cursor"), java.time.Duration.ofSeconds(5),
                in -> { });
        j.stream(tmp.resolve("system.journal"), null, null, null, java.time.Duration.ofSeconds(5), in -> { });
        List<String> head = List.of("journalctl", "-o", "json", "--no-pager", "-q",
                "--output-fields=SYSLOG_IDENTIFIER,SYSLOG_PID,_PID,_HOSTNAME,MESSAGE");
        assertEquals(head, r.argvs().get(0), "the system journal");
        assertEquals(concat(head, "--directory=" + tmp, "--since=@1795946400", "--until=@1795946461",
                "--cursor-file=" + tmp.resolve("c.cursor")), r.argvs().get(1), "a directory, the window widened to whole seconds");
        assertEquals(concat(head, "--file=" + tmp.resolve("system.journal")), r.argvs().get(2));
        assertTrue(r.calls().stream().allMatch(RecordingRunner.Call::streamed));
    }

    @Test
    void postmulti() {
        RecordingRunner r = new RecordingRunner();
        Postmulti atDefault = new Postmulti(r, Path.of("/etc/postfix"), null);
        atDefault.init();
        atDefault.create("postfix-msn-a", DIR);
        atDefault.enable("postfix-msn-a");
        atDefault.list();
        Postmulti elsewhere = new Postmulti(r, Path.of("/var/tmp/lab/etc/postfix"), Path.of("/var/tmp/lab/syslog.sock"));
        elsewhere.init();
        assertEquals(List.of(
                List.of("postmulti", "-e", "init"),
                List.of("postmulti", "-I", "postfix-msn-a", "-e", "create", "config_directory=" + DIR),
                List.of("postmulti", "-i", "postfix-msn-a", "-e", "enable"),
                List.of("postmulti", "-l"),
                List.of("bwrap", "--bind", "/", "/", "--dev", "/dev", "--symlink", "/var/tmp/lab/syslog.sock", "/dev/log",
                        "--proc", "/proc", "--bind", "/var/tmp/lab/etc/postfix", "/etc/postfix", "--", "postmulti", "-e", "init")),
                r.argvs());
    }

    @Test
    void rsyslogd() {
        RecordingRunner r = new RecordingRunner();
        Rsyslogd d = new Rsyslogd(r);
        d.check(Path.of("/var/tmp/lab/rsyslog.conf"));
        d.start(Path.of("/var/tmp/lab/rsyslog.conf"), Path.of("/var/tmp/lab/rsyslogd.pid"));
        assertEquals(List.of(
                List.of("rsyslogd", "-N1", "-f", "/var/tmp/lab/rsyslog.conf"),
                List.of("rsyslogd", "-f", "/var/tmp/lab/rsyslog.conf", "-i", "/var/tmp/lab/rsyslogd.pid")), r.argvs());
    }

    private static List<String> concat(List<String> head, String... more) {
        List<String> out = new java.util.ArrayList<>(head);
        out.addAll(List.of(more));
        return out;
    }
}
