package org.mfshell.watch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.mfshell.postfix.Sendmail;

/**
 * Mails a notice through one Postfix instance's sendmail ({@code sendmail -C DIR -i -f FROM -- TO}).
 * Accepted means sendmail exited 0: the message is in that instance's queue. The Message-ID is
 * {@code <mfshell-watch.KEY@HOST>}, the same on every retry, so a duplicate is recognisable.
 */
public final class MailChannel implements Channel {
    private final Sendmail sendmail;
    private final Path configDir;
    private final String from;
    private final List<String> to;

    public MailChannel(Sendmail sendmail, Path configDir, String from, List<String> to) {
        this.sendmail = sendmail;
        this.configDir = configDir;
        this.from = from;
        this.to = to;
    }

    @Override
    public String name() {
        return "mail";
    }

    public static String messageId(Notice n) {
        return "<mfshell-watch." + n.key() + "@" + n.host() + ">";
    }

    /** The whole message: headers (ASCII), a blank line, the text (UTF-8, 8bit). */
    public static byte[] message(Notice n, String from, List<String> to, Instant date) {
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(from).append('\n');
        m.append("To: ").append(String.join(", ", to)).append('\n');
        m.append("Subject: ").append(ascii(n.subject())).append('\n');
        m.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(date.atZone(ZoneOffset.UTC))).append('\n');
        m.append("Message-ID: ").append(messageId(n)).append('\n');
        m.append("MIME-Version: 1.0\n");
        m.append("Content-Type: text/plain; charset=UTF-8\n");
        m.append("Content-Transfer-Encoding: 8bit\n");
        m.append("Auto-Submitted: auto-generated\n");
        m.append("X-Mfshell-Notice: ").append(n.key()).append('\n');
        m.append('\n');
        m.append(n.text());
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return b.toString();
    }

    @Override
    public void send(Notice n) {
        sendmail.send(configDir, from, to, message(n, from, to, Instant.now()));
    }
}
