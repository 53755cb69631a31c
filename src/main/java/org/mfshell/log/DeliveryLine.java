package org.mfshell.log;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One delivery attempt for one recipient as the flush drain reads it:
 * {@code QUEUEID: to=<rcpt>, relay=host[ip]:port, ..., status=sent} from any delivery agent
 * (smtp, or a master.cf service such as mfshell-reroute), any status (sent, deferred, bounced,
 * SOFTBOUNCE), with the whole line kept for the operator. {@code relayIp} is null when the line
 * names none. Wider than {@link DeliveryScanner}'s counting rule (smtp only, three statuses),
 * which must stay byte for byte that of mf-stats.awk. Reports no errors: other lines parse to null.
 */
public record DeliveryLine(String queueId, String recipient, String relayIp, String status, String line) {
    private static final Pattern DELIVERY = Pattern.compile(
            "/[\\w.-]+\\[\\d+\\]: ([0-9A-Za-z]+): to=<([^>]*)>,"
                    + "(?:.*? relay=([^,\\s]*?)(?:\\[([^\\]]*)\\])?(?::(\\d+))?,)?.*? status=(\\w+)");

    /** The delivery on {@code line}, or null when it is not a delivery line. */
    public static DeliveryLine parse(String line) {
        Matcher m = DELIVERY.matcher(line);
        if (!m.find()) {
            return null;
        }
        return new DeliveryLine(m.group(1), m.group(2), m.group(4), m.group(6), line);
    }
}
