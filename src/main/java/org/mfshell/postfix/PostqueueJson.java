package org.mfshell.postfix;

/**
 * The line {@code postqueue -j} prints for a message, byte for byte as Postfix 3.7's showq_json.c
 * writes it: fixed field order, ", " and ": " separators, {@code delay_reason} only when there is
 * one, and json_quote's escapes (short forms for \b \f \n \r \t, {@code \}{@code u%04X} for other
 * ASCII controls and DEL, backslash before '"' and '\').
 */
public final class PostqueueJson {
    private PostqueueJson() {
    }

    public static String line(QueueMessage m) {
        StringBuilder sb = new StringBuilder(160 + 80 * m.recipients().size());
        sb.append("{\"queue_name\": \"");
        quote(sb, m.queueName());
        sb.append("\", \"queue_id\": \"");
        quote(sb, m.queueId());
        sb.append("\", \"arrival_time\": ").append(m.arrivalTime());
        sb.append(", \"message_size\": ").append(m.messageSize());
        sb.append(", \"forced_expire\": ").append(m.forcedExpire() ? "true" : "false");
        sb.append(", \"sender\": \"");
        quote(sb, m.sender());
        sb.append("\", \"recipients\": [");
        boolean first = true;
        for (QueueMessage.Recipient r : m.recipients()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append("{\"address\": \"");
            quote(sb, r.address());
            sb.append('"');
            if (r.delayReason() != null && !r.delayReason().isEmpty()) {
                sb.append(", \"delay_reason\": \"");
                quote(sb, r.delayReason());
                sb.append('"');
            }
            sb.append('}');
        }
        sb.append("]}");
        return sb.toString();
    }

    static void quote(StringBuilder sb, String s) {
        int n = s.length();
        int clean = 0;
        while (clean < n) {
            char c = s.charAt(clean);
            if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
                break;
            }
            clean++;
        }
        sb.append(s, 0, clean);
        for (int i = clean; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                switch (c) {
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\u%04X", (int) c));
                }
            } else {
                if (c == '\\' || c == '"') {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
    }
}
