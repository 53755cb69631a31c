package org.mfshell.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a delivery-failure text (a deferral reason from the queue or the log) into a key that is
 * the same for the same cause, whatever host, IP address, queue id, address, timestamp or
 * tracking number the text names. For example every
 * {@code host X[IP] said: 451 4.7.651 The mail server [IP] has been temporarily rate limited due
 * to IP reputation ... [HOST TIME ID] (in reply to RCPT TO command)} from any Microsoft server
 * becomes {@code 451 4.7.651 The mail server [<ip>] has been temporarily rate limited due to IP
 * reputation ... [<host> <time> <n>]}.
 *
 * <p>What is kept: the SMTP reply code and enhanced status code, the words, URLs, and short codes
 * that name the cause (TSS04, S775). What is masked: Postfix's {@code host X[IP] said:} and
 * {@code (in reply to ... command)} wrapping, IP addresses, host names, e-mail addresses,
 * timestamps, and other tokens that contain digits. Thread-safe; results are cached (bounded),
 * because a large queue repeats the same few texts many times. Never throws; null gives "".
 */
public final class ReasonNormalizer {
    private static final int CACHE_LIMIT = 8192;

    private static final Pattern HOST_SAID = Pattern.compile(
            "^host \\S+\\[[^\\]]*\\](?::\\d+)? said:\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern IN_REPLY = Pattern.compile(
            "\\s*\\(in reply to [A-Za-z ]+ command\\)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern URL = Pattern.compile("\\b(?:https?|ftp)://[^\\s<>\"')\\]]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern EMAIL = Pattern.compile("<?[^\\s<>@\\[\\]()\"',;]+@[A-Za-z0-9.\\-\\[\\]:]+>?");
    private static final Pattern HOST_WITH_ADDR = Pattern.compile("[A-Za-z0-9.\\-_]+\\[[0-9A-Fa-f.:]+\\](?::\\d+)?");
    private static final Pattern IPV6 = Pattern.compile("(?i)\\b(?:ipv6:)?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\\b");
    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?\\b");
    private static final Pattern ISO_TIME = Pattern.compile(
            "\\b\\d{4}-\\d{2}-\\d{2}[T ]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?");
    private static final Pattern CLOCK = Pattern.compile("\\b\\d{1,2}:\\d{2}(?::\\d{2})?\\b");
    /** A dotted name with at least one digit somewhere: a server name (AM6PR02MB1234.eurprd02.prod.outlook.com). */
    private static final Pattern NUMBERED_HOST = Pattern.compile(
            "\\b(?=[A-Za-z0-9\\-]*\\d)[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)+\\b|\\b[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.(?=[A-Za-z0-9\\-]*\\d)[A-Za-z0-9\\-]+\\b");
    private static final Pattern LEADING_CODES = Pattern.compile("^(\\d{3})([ \\-])(?:([245]\\.\\d{1,3}\\.\\d{1,3})\\s)?");
    private static final Pattern TOKEN_WITH_DIGIT = Pattern.compile("[A-Za-z0-9_\\-+/=.#]*\\d[A-Za-z0-9_\\-+/=.#]*");
    private static final Pattern SHORT_CODE = Pattern.compile("[A-Za-z]{1,5}\\d{1,4}|\\d\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final Map<String, String> cache = new HashMap<>();

    /** The normalised key of one reason text. */
    public String normalize(String reason) {
        if (reason == null) {
            return "";
        }
        synchronized (cache) {
            String hit = cache.get(reason);
            if (hit != null) {
                return hit;
            }
        }
        String key = compute(reason);
        synchronized (cache) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(reason, key);
        }
        return key;
    }

    private static String compute(String reason) {
        String s = SPACES.matcher(reason.strip()).replaceAll(" ");
        s = HOST_SAID.matcher(s).replaceFirst("");
        s = IN_REPLY.matcher(s).replaceFirst("");
        // Keep the reply code and enhanced status code as they are; mask the rest.
        String prefix = "";
        Matcher lead = LEADING_CODES.matcher(s);
        if (lead.find()) {
            prefix = lead.group(1) + " " + (lead.group(3) == null ? "" : lead.group(3) + " ");
            s = s.substring(lead.end());
        }
        // URLs are kept verbatim: protect them from the masks below.
        List<String> urls = new ArrayList<>();
        Matcher um = URL.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (um.find()) {
            urls.add(um.group());
            um.appendReplacement(sb, "\u0000" + (urls.size() - 1) + "\u0000");
        }
        um.appendTail(sb);
        s = sb.toString();
        s = EMAIL.matcher(s).replaceAll("<address>");
        s = HOST_WITH_ADDR.matcher(s).replaceAll("<host>");
        s = ISO_TIME.matcher(s).replaceAll("<time>");
        s = IPV4.matcher(s).replaceAll("<ip>");
        s = CLOCK.matcher(s).replaceAll("<time>");
        s = IPV6.matcher(s).replaceAll("<ip>");
        s = NUMBERED_HOST.matcher(s).replaceAll("<host>");
        s = maskNumbers(s);
        for (int i = 0; i < urls.size(); i++) {
            s = s.replace("\u0000" + i + "\u0000", urls.get(i));
        }
        return (prefix + SPACES.matcher(s).replaceAll(" ")).strip();
    }

    /** Replaces digit-bearing tokens by {@code <n>}, except short codes that name a cause (TSS04, S775, 4.16.55). */
    private static String maskNumbers(String s) {
        Matcher m = TOKEN_WITH_DIGIT.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String tok = m.group();
            // Inside a URL placeholder: leave it.
            if (m.start() > 0 && s.charAt(m.start() - 1) == '\u0000') {
                m.appendReplacement(sb, Matcher.quoteReplacement(tok));
                continue;
            }
            String core = tok.replaceAll("[.\\-]+$", "");
            String tail = tok.substring(core.length());
            String repl = SHORT_CODE.matcher(core).matches() ? core : "<n>";
            m.appendReplacement(sb, Matcher.quoteReplacement(repl + tail));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
