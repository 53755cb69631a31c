package org.mfshell.shell.render;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.mfshell.postfix.QueueMessage;

/**
 * Renders queue messages in the layout of {@code postqueue -p}: a header, per message the queue id
 * followed by {@code *} (active) or {@code !} (hold), size, arrival time and sender, then each
 * recipient under the reason it shares with the recipients before it (in parentheses), and the
 * {@code -- N Kbytes in M Requests.} footer. Column widths follow Postfix's two layouts: short
 * queue ids, and long ids ({@code enable_long_queue_ids = yes}). Feed messages one at a time.
 * Given a terminal's width, a reason longer than a line is wrapped on words (postqueue leaves
 * that to the terminal, which breaks words); width 0 prints postqueue's lines as they are.
 */
public final class PostqueueLayout {
    private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss", Locale.US);
    private static final int REASON_WIDTH = 78;

    private final PrintWriter out;
    private final boolean longIds;
    private final ZoneId zone;
    private final int width;
    private long count;
    private long bytes;

    public PostqueueLayout(PrintWriter out, boolean longIds, ZoneId zone) {
        this(out, longIds, zone, 0);
    }

    public PostqueueLayout(PrintWriter out, boolean longIds, ZoneId zone, int width) {
        this.out = out;
        this.longIds = longIds;
        this.zone = zone;
        this.width = width;
    }

    public void message(QueueMessage m) {
        if (count == 0) {
            out.println(longIds
                    ? "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------"
                    : "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------");
        } else {
            out.println();
        }
        count++;
        bytes += m.messageSize();
        String status = switch (m.queueName()) {
            case "active" -> "*";
            case "hold" -> "!";
            default -> " ";
        };
        String date = ARRIVAL.format(Instant.ofEpochSecond(m.arrivalTime()).atZone(zone));
        StringBuilder sb = new StringBuilder(120);
        // As postqueue prints them: the id with its status mark, padded, then the size right-aligned.
        sb.append(longIds ? pad(m.queueId() + status.trim(), 17) + " " : pad(m.queueId() + status.trim(), 11));
        sb.append(leftPad(Long.toString(m.messageSize()), 8));
        sb.append(' ').append(date).append(longIds ? " " : "  ").append(m.sender());
        out.println(sb.toString().stripTrailing());
        String indent = " ".repeat(longIds ? 47 : 41);
        String previous = null;
        List<QueueMessage.Recipient> recipients = m.recipients();
        for (QueueMessage.Recipient r : recipients) {
            String reason = r.delayReason();
            if (reason != null && !reason.equals(previous)) {
                printReason(reason);
                previous = reason;
            } else if (reason == null && previous != null && !previous.isEmpty()) {
                printReason("reason unavailable");
                previous = "";
            }
            out.println(indent + r.address());
        }
    }

    /** The footer; "Mail queue is empty" when nothing was shown. */
    public void finish() {
        if (count == 0) {
            out.println("Mail queue is empty");
        } else {
            out.println();
            out.println("-- " + bytes / 1024 + " Kbytes in " + count + " Request" + (count == 1 ? "" : "s") + ".");
        }
    }

    public long count() {
        return count;
    }

    private void printReason(String reason) {
        String line = reasonLine(reason);
        if (width <= 0 || line.length() <= width) {
            out.println(line);
            return;
        }
        for (String l : org.mfshell.cli.Text.wrap("(" + reason + ")", width, " ")) {
            out.println(l);
        }
    }

    private static String reasonLine(String reason) {
        String text = "(" + reason + ")";
        return text.length() >= REASON_WIDTH ? text : " ".repeat(REASON_WIDTH - text.length()) + text;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String leftPad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
