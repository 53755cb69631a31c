package org.mfshell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --follow's reader: counts grow with the file, a half-written line waits for its newline, rotation restarts at 0. */
class LogFollowerTest {
    static final String SENT = "Nov 29 10:00:00 h postfix-msn-a/smtp[1]: ABC: to=<a@hotmail.com>, dsn=2.0.0, status=sent (250 ok)\n";
    static final String BOUNCED = "Nov 29 10:00:01 h postfix-msn-a/smtp[1]: ABD: to=<b@hotmail.com>, dsn=5.0.0, status=bounced (550 no)\n";

    static long total(StatsReport r) {
        return r.rows().stream().mapToLong(StatsReport.Row::total).sum();
    }

    @Test
    void growsWaitsForNewlineAndSurvivesRotation(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("mail.log");
        Files.writeString(log, SENT);
        LogFollower f = new LogFollower(List.of(log), StatsQuery.all());
        assertEquals(1, total(f.poll()));
        assertEquals(1, total(f.poll()));
        Files.writeString(log, BOUNCED.substring(0, 90), StandardOpenOption.APPEND);
        assertEquals(1, total(f.poll()));
        Files.writeString(log, BOUNCED.substring(90), StandardOpenOption.APPEND);
        StatsReport r = f.poll();
        assertEquals(2, total(r));
        assertEquals(1, r.rows().get(0).bounced());
        Files.move(log, tmp.resolve("mail.log.1"));
        Files.writeString(log, SENT);
        assertEquals(3, total(f.poll()));
    }
}
