package org.mfshell.watch;

import org.mfshell.core.Quote;
import org.mfshell.postfix.Logger;

/**
 * Logs a notice as one line through logger(1) (syslog, and journald on a systemd host): the
 * headline, the evidence, the suggested command and {@code id=KEY}.
 */
public final class SyslogChannel implements Channel {
    private final Logger logger;
    private final String tag;
    private final String priority;
    private final String socket;

    public SyslogChannel(Logger logger, String tag, String priority, String socket) {
        this.logger = logger;
        this.tag = tag;
        this.priority = priority;
        this.socket = socket;
    }

    @Override
    public String name() {
        return "syslog";
    }

    /** The text's lines joined with "; ", blank lines and the closing lines left out. */
    public static String line(Notice n) {
        StringBuilder b = new StringBuilder();
        String prev = null;
        for (String l : n.text().split("\n")) {
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("Host ") || t.startsWith("mfshell watch --status")) {
                continue;
            }
            if (prev != null) {
                b.append(prev.endsWith(":") ? " " : "; ");
            }
            b.append(t);
            prev = t;
        }
        b.append(" [id=").append(n.key()).append(']');
        return Quote.oneLine(b.toString());
    }

    @Override
    public void send(Notice n) {
        logger.log(tag, priority, socket, line(n));
    }
}
