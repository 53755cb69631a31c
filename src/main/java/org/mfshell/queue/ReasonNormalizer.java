package org.mfshell.queue;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns a delivery-failure text (a deferral reason from the queue or the log) into a key that is
 * the same for the same cause, whatever host, IP address, queue id, address, timestamp or
 * tracking number the text names. For example every
 * {@code host X[IP] said: 451 4.7.651 The mail server [IP] has been temporarily rate limited due
 * to IP reputation ... [HOST TIME ID] (in reply to RCPT TO command)} from any Microsoft server
 * becomes {@code 451 4.7.651 The mail server [<ip>] has been temporarily rate limited due to IP
 * reputation ... [<host> <time> <n>]}.
 *
 * <p>What is kept: the SMTP reply code and enhanced status code, words without digits, URLs, and
 * short codes that name the cause (TSS04, S775). What is dropped: Postfix's {@code host X[IP] said:}
 * and {@code (in reply to ... command)} wrapping, {@code delivery temporarily suspended:}, and the codes a multi-line reply repeats on every
 * line ({@code 421-4.7.28}, {@code 421 4.7.28}). What is masked, word by word: IP addresses
 * ({@code <ip>}), host names with digits and {@code host[IP]} pairs ({@code <host>}), e-mail
 * addresses ({@code <address>}), timestamps ({@code <time>}) and any other word with digits
 * ({@code <n>}). Works the same on queue delay reasons and on the reason in a mail-log
 * {@code status=deferred (...)} line. Character scans, no regular expressions: it runs once per
 * queued recipient. Thread-safe; results are cached (bounded). Never throws; null gives "".
 */
public final class ReasonNormalizer {
    private static final int CACHE_LIMIT = 8192;
    private static final String SUSPENDED = "delivery temporarily suspended: ";

    private final Map<String, String> cache = new HashMap<>();

    /** The normalised key of one reason text. */
    public String normalize(String reason) {
        if (reason == null) {
            return "";
        }
        // Postfix puts the recipient into most replies (451 4.7.651 <user@hotmail.com>: ...), so
        // nearly every queued recipient's text is different: the cache is keyed on the text with
        // those addresses replaced by one, which normalises the same (see maskAddresses).
        String shape = maskAddresses(reason);
        synchronized (cache) {
            String hit = cache.get(shape);
            if (hit != null) {
                return hit;
            }
        }
        String key = compute(shape);
        synchronized (cache) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(shape, key);
        }
        return key;
    }

    /** What {@link #maskAddresses} puts in place of each address. */
    private static final String MASK = "a@b";

    /**
     * The text with every word of the form {@code <ADDRESS>} plus trailing punctuation (the word
     * starts at '<', ends at a blank or the end; ADDRESS is letters, digits and {@code . _ + = -}
     * with one or more '@', starting and ending with a letter or digit, and the punctuation after
     * '>' is from {@code ])>"'},;:.!?}) turned into {@code <a@b>} plus the same punctuation; the
     * text itself when there is none. {@link #compute} gives the same key for both: such a word
     * is masked as {@code <address>} whatever the address, holds no blank, '[' or '(' (so the
     * wrapping Postfix adds is found at the same places), and, starting with '<', is never a
     * reply or enhanced status code.
     */
    static String maskAddresses(String s) {
        int lt = s.indexOf('<');
        if (lt < 0) {
            return s;
        }
        StringBuilder out = null;
        int copied = 0;
        int n = s.length();
        while (lt >= 0) {
            int end = lt > 0 && !Character.isWhitespace(s.charAt(lt - 1)) ? -1 : addressWordEnd(s, lt);
            if (end < 0) {
                lt = s.indexOf('<', lt + 1);
                continue;
            }
            int gt = s.indexOf('>', lt);
            if (gt - lt - 1 != MASK.length() || !s.startsWith(MASK, lt + 1)) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(s, copied, lt + 1).append(MASK);
                copied = gt;
            }
            lt = end < n ? s.indexOf('<', end) : -1;
        }
        return out == null ? s : out.append(s, copied, n).toString();
    }

    /** Where the masked word starting at s[lt] == '<' ends (a blank or the end), or -1 when it is not one. */
    private static int addressWordEnd(String s, int lt) {
        int n = s.length();
        int i = lt + 1;
        boolean at = false;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '@') {
                at = true;
            } else if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '+' || c == '=' || c == '-')) {
                break;
            }
            i++;
        }
        if (i >= n || s.charAt(i) != '>' || !at || !alnum(s.charAt(lt + 1)) || !alnum(s.charAt(i - 1))) {
            return -1;
        }
        i++;
        while (i < n && "])>\"'},;:.!?".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i == n || Character.isWhitespace(s.charAt(i)) ? i : -1;
    }

    private static boolean alnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** The key of one text without the cache and without masking addresses first (for tests). */
    static String computeUnmasked(String reason) {
        return compute(reason);
    }

    private static String compute(String reason) {
        String s = stripPostfixWrapping(reason.strip());
        StringBuilder out = new StringBuilder(s.length());
        int i = leadingCodes(s, out);
        // A multi-line reply repeats its codes on every line (421-4.7.28 ... 421 4.7.28 ...):
        // those repeats are dropped, the codes were kept once at the start.
        String code = i > 0 ? s.substring(0, 3) : null;
        String continued = code == null ? null : code + "-";
        String enhanced = i > 4 ? s.substring(4, i - 1) : null;
        int n = s.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            boolean plain = true;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                char c = s.charAt(i);
                plain &= (c < '0' || c > '9') && c != '@';
                i++;
            }
            if (start < i) {
                // Most words have no digit and no '@': copied without looking further.
                int after = plain || code == null ? -1 : afterRepeatedCode(s, start, i, code, continued, enhanced);
                if (plain) {
                    out.append(s, start, i).append(' ');
                } else if (after >= 0) {
                    i = after;
                } else if (replyCodeBeforeEnhanced(s, start, i)) {
                    // "refused to talk to me: 421 4.7.1 ...": a reply code names the cause.
                    out.append(s, start, i).append(' ');
                } else {
                    out.append(token(s.substring(start, i))).append(' ');
                }
            }
        }
        return out.toString().strip();
    }

    /**
     * When the word s[start, end) repeats the reply's code, where the text goes on after it;
     * else -1. A repeat is {@code 421-4.7.28} (or {@code 421-} alone, or {@code 421-} plus any
     * enhanced code when the first line had none), or a bare {@code 421} followed by the reply's
     * enhanced code (both words are skipped).
     */
    private static int afterRepeatedCode(String s, int start, int end, String code, String continued, String enhanced) {
        if (s.startsWith(continued, start)) {
            String rest = s.substring(start + 4, end);
            return rest.isEmpty() || rest.equals(enhanced) || (enhanced == null && isEnhancedCode(rest)) ? end : -1;
        }
        if (end - start == 3 && s.startsWith(code, start) && enhanced != null) {
            int next = nextWord(s, end);
            return s.substring(next, wordEnd(s, next)).equals(enhanced) ? next + enhanced.length() : -1;
        }
        return -1;
    }

    /** A word of three digits 2xx/4xx/5xx followed by an enhanced status code (4.7.1). */
    private static boolean replyCodeBeforeEnhanced(String s, int start, int end) {
        if (end - start != 3 || "245".indexOf(s.charAt(start)) < 0 || !digits(s, start, end)) {
            return false;
        }
        int next = nextWord(s, end);
        return next > end && isEnhancedCode(s.substring(next, wordEnd(s, next)));
    }

    /** Where the next word starts at or after {@code from} (spaces skipped). */
    private static int nextWord(String s, int from) {
        while (from < s.length() && s.charAt(from) == ' ') {
            from++;
        }
        return from;
    }

    /** Where the word starting at {@code from} ends. */
    private static int wordEnd(String s, int from) {
        while (from < s.length() && !Character.isWhitespace(s.charAt(from))) {
            from++;
        }
        return from;
    }

    /**
     * Drops Postfix's {@code delivery temporarily suspended: } (the destination was marked dead by
     * an earlier failure: the cause is what follows), {@code host X[IP] said: } prefix and
     * {@code (in reply to ... command)} suffix.
     */
    static String stripPostfixWrapping(String s) {
        if (s.startsWith(SUSPENDED)) {
            s = s.substring(SUSPENDED.length()).stripLeading();
        }
        if (s.regionMatches(true, 0, "host ", 0, 5)) {
            int said = s.indexOf(" said: ");
            int bracket = s.indexOf('[');
            if (said > 0 && bracket > 0 && bracket < said && s.indexOf(' ', 5) >= said) {
                s = s.substring(said + 7).stripLeading();
            }
        }
        if (s.endsWith(" command)")) {
            int p = s.lastIndexOf("(in reply to ");
            if (p >= 0) {
                s = s.substring(0, p).stripTrailing();
            }
        }
        return s;
    }

    /** Copies a leading {@code 451 4.7.651 } or {@code 421-4.7.28 } as {@code CODE ENHANCED }; returns where the text goes on. */
    private static int leadingCodes(String s, StringBuilder out) {
        if (s.length() < 4 || !digits(s, 0, 3) || (s.charAt(3) != ' ' && s.charAt(3) != '-')) {
            return 0;
        }
        out.append(s, 0, 3).append(' ');
        int end = s.indexOf(' ', 4);
        if (end > 4 && isEnhancedCode(s.substring(4, end))) {
            out.append(s, 4, end).append(' ');
            return end + 1;
        }
        return 4;
    }

    private static boolean digits(String s, int from, int to) {
        for (int k = from; k < to; k++) {
            if (s.charAt(k) < '0' || s.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    /** 2.0.0, 4.7.651: class digit, then two groups of 1-3 digits. */
    private static boolean isEnhancedCode(String t) {
        if (t.length() < 5 || "245".indexOf(t.charAt(0)) < 0 || t.charAt(1) != '.') {
            return false;
        }
        int dot = t.indexOf('.', 2);
        return dot > 2 && dot - 2 <= 3 && digits(t, 2, dot) && t.length() - dot - 1 >= 1 && t.length() - dot - 1 <= 3
                && digits(t, dot + 1, t.length());
    }

    /** One whitespace-separated word: kept, or its variable core replaced by a placeholder. */
    static String token(String t) {
        if (t.startsWith("http://") || t.startsWith("https://")) {
            return maskIpv4(t);
        }
        boolean digit = false;
        boolean at = false;
        for (int k = 0; k < t.length(); k++) {
            char c = t.charAt(k);
            digit |= c >= '0' && c <= '9';
            at |= c == '@';
        }
        if (!digit && !at) {
            return t;
        }
        // Split off surrounding punctuation: [216.66.15.4  15]  <a@b.c>:  4.16.55.1;
        int a = 0;
        int b = t.length();
        while (a < b && "[(<\"'{".indexOf(t.charAt(a)) >= 0) {
            a++;
        }
        while (b > a && "])>\"'},;:.!?".indexOf(t.charAt(b - 1)) >= 0) {
            b--;
        }
        if (a == b) {
            return t;
        }
        if (b < t.length() && t.charAt(b) == ']' && t.lastIndexOf('[', b) > a && t.lastIndexOf(']', b - 1) < a) {
            b++; // host[IP]: the bracket belongs to the word (gmail.com[173.194.126.86])
        }
        String pre = t.substring(0, a);
        String core = t.substring(a, b);
        String post = t.substring(b);
        if (at && core.indexOf('@') >= 0) {
            // <user@example.org> becomes <address>, without doubled brackets.
            return pre.replace("<", "") + "<address>" + post.replace(">", "");
        }
        if (!digit) {
            return t;
        }
        return pre + classify(core) + post;
    }

    /** What a digit-bearing word is, by its characters (no regular expressions: this runs per queued recipient). */
    static String classify(String core) {
        int len = core.length();
        int letters = 0;
        int digits = 0;
        int dots = 0;
        int colons = 0;
        int dashes = 0;
        int other = 0;
        int hex = 0;
        int bracketAt = -1;
        int firstDigitRun = 0;
        boolean inFirstRun = true;
        for (int k = 0; k < len; k++) {
            char c = core.charAt(k);
            if (c >= '0' && c <= '9') {
                digits++;
                if (inFirstRun) {
                    firstDigitRun++;
                }
                continue;
            }
            inFirstRun = false;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                letters++;
                if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                    hex++;
                }
            } else if (c == '.') {
                dots++;
            } else if (c == ':') {
                colons++;
            } else if (c == '-') {
                dashes++;
            } else if (c == '[' && bracketAt < 0) {
                bracketAt = k;
            } else if (c != '_') {
                other++;
            }
        }
        if (bracketAt > 0 && core.indexOf(']', bracketAt) > bracketAt) {
            return "<host>";
        }
        if (letters == 0 && dashes == 0 && other == 0 && dots == 3 && colons <= 1) {
            return "<ip>";
        }
        if (firstDigitRun == 4 && len >= 10 && core.charAt(4) == '-' && core.charAt(7) == '-') {
            return "<time>";
        }
        if (letters == 0 && dashes == 0 && other == 0 && colons >= 1 && colons <= 2 && firstDigitRun <= 2 && dots <= 1) {
            return "<time>";
        }
        if (colons >= 2 && letters == hex && dots == 0 && dashes == 0 && other == 0) {
            return "<ip>";
        }
        if (isShortCode(core, letters, digits) || (letters == 0 && dots == 2 && isEnhancedCode(core))) {
            return core;
        }
        if (dots > 0 && letters > 0 && other == 0 && colons == 0 && core.charAt(0) != '.'
                && core.charAt(len - 1) != '.' && !core.contains("..")) {
            return "<host>";
        }
        return "<n>";
    }

    /** A URL with its IPv4 addresses (as in ?ip=192.0.2.1) masked: the same page for every sender. */
    static String maskIpv4(String url) {
        StringBuilder out = null;
        int n = url.length();
        int k = 0;
        while (k < n) {
            char c = url.charAt(k);
            if (c >= '0' && c <= '9' && (k == 0 || !isWordChar(url.charAt(k - 1)))) {
                int end = ipv4End(url, k);
                if (end > 0 && (end == n || !isWordChar(url.charAt(end)))) {
                    if (out == null) {
                        out = new StringBuilder(n).append(url, 0, k);
                    }
                    out.append("<ip>");
                    k = end;
                    continue;
                }
            }
            if (out != null) {
                out.append(c);
            }
            k++;
        }
        return out == null ? url : out.toString();
    }

    /** Where a dotted quad starting at k ends, or -1. */
    private static int ipv4End(String s, int k) {
        int groups = 0;
        int i = k;
        while (groups < 4) {
            int start = i;
            while (i < s.length() && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == start || (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9')) {
                return -1;
            }
            groups++;
            if (groups < 4) {
                if (i >= s.length() || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i;
    }

    private static boolean isWordChar(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_';
    }

    /** Short codes that name a cause: TSS04, S775, HVU1 (1-5 letters then 1-4 digits). */
    private static boolean isShortCode(String core, int letters, int digits) {
        if (letters < 1 || letters > 5 || digits < 1 || digits > 4 || letters + digits != core.length()) {
            return false;
        }
        for (int k = 0; k < letters; k++) {
            char c = core.charAt(k);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }
}
