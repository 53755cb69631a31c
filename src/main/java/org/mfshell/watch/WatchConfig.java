package org.mfshell.watch;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.mfshell.core.Durations;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.fs.StateDir;
import org.mfshell.instance.InstanceNames;
import org.mfshell.mail.Domains;
import org.mfshell.mail.IpAddresses;

/**
 * {@code watch.conf}: {@code key = value} lines, {@code #} comments, and sections {@code [mail]},
 * {@code [syslog]}, {@code [webhook]}, each of which turns that channel on. Keys before the first
 * section are global: {@code interval} (loop period, default 1m), {@code hold_down} (how long a
 * new verdict must persist before it is notified, default 5m), {@code retry_for} (how long a
 * failed channel is retried, default 1d), {@code window} (the mail log window judged, default
 * 30m), {@code rules} (health rules file). {@code [mail]}: {@code to} (one or more addresses,
 * comma-separated), {@code from}, {@code instance} (whose sendmail; default the default instance).
 * {@code [syslog]}: {@code tag} (default mfshell-watch), {@code priority} (default mail.warning),
 * {@code socket} (default the system's /dev/log). {@code [webhook]}: {@code url} (https, or http to
 * a loopback address only), {@code timeout} (default 10s), {@code header} (repeatable,
 * {@code Name: value}). Everything is checked when read; the first problem is a
 * {@link ConfigException} "FILE:LINE: what is wrong" (exit 2), with control characters escaped. A
 * file that someone other than root (or the running user) owns or may write is refused (exit 2).
 */
public record WatchConfig(Path file, Duration interval, Duration holdDown, Duration retryFor, Duration window,
                          Path rules, Mail mail, Syslog syslog, Webhook webhook) {
    public static final Path DEFAULT_FILE = Path.of("mfshell/watch.conf");
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_HOLD_DOWN = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RETRY_FOR = Duration.ofDays(1);
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern KEY = Pattern.compile("[a-z_]+");
    private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Set<String> FACILITIES = Set.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
            "news", "uucp", "cron", "authpriv", "ftp", "local0", "local1", "local2", "local3", "local4", "local5",
            "local6", "local7");
    private static final Set<String> LEVELS = Set.of("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug");
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "idempotency-key",
            "host", "connection", "expect", "upgrade", "transfer-encoding");
    private static final Map<String, Set<String>> KEYS = Map.of(
            "", Set.of("interval", "hold_down", "retry_for", "window", "rules"),
            "mail", Set.of("to", "from", "instance"),
            "syslog", Set.of("tag", "priority", "socket"),
            "webhook", Set.of("url", "timeout", "header"));

    /** {@code instance} null: the default instance. {@code line}: where the section starts, for later messages. */
    public record Mail(List<String> to, String from, String instance, int line, int instanceLine) {
    }

    public record Syslog(String tag, String priority, String socket, int line) {
    }

    public record Webhook(URI url, Duration timeout, Map<String, String> headers, int line) {
    }

    /** A problem in the file: the message is "FILE:LINE: what". */
    public static final class ConfigException extends UsageException {
        public ConfigException(Path file, int line, String message) {
            super(file + ":" + line + ": " + Quote.oneLine(message));
        }
    }

    /** Channel names in the order they are sent. */
    public List<String> channels() {
        List<String> out = new ArrayList<>();
        if (mail != null) {
            out.add("mail");
        }
        if (syslog != null) {
            out.add("syslog");
        }
        if (webhook != null) {
            out.add("webhook");
        }
        return out;
    }

    public static WatchConfig load(Path file) {
        byte[] bytes;
        try {
            // It names where root writes (a socket, a URL, a sendmail): only root (or we) may change it.
            Map<String, Object> a = Files.readAttributes(file, "unix:uid,mode");
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (uid != 0 && uid != StateDir.myUid()) {
                throw new UsageException(file + ": owned by uid " + uid + ", who could redirect root's notices; fix: "
                        + "chown root " + file);
            }
            if ((mode & 0022) != 0) {
                throw new UsageException(file + ": writable by " + ((mode & 0002) != 0 ? "others" : "its group")
                        + " (mode " + String.format("%04o", mode & 07777) + "), who could redirect root's notices; fix: "
                        + "chmod go-w " + file);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file; copy /usr/share/doc/mfshell/examples/watch.conf there "
                    + "and set the address to notify (or give --config FILE)");
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException(file + ": not UTF-8 text");
        }
        return parse(text, file);
    }

    public static WatchConfig parse(String text, Path file) {
        Map<String, Map<String, Entry>> sections = new LinkedHashMap<>();
        Map<String, Integer> sectionLines = new HashMap<>();
        sections.put("", new LinkedHashMap<>());
        String section = "";
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            String raw = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String t = raw.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (Quote.hasControl(t)) {
                throw new ConfigException(file, no, "control character in the line");
            }
            if (t.startsWith("[")) {
                if (!t.endsWith("]")) {
                    throw new ConfigException(file, no, "expected a section such as [mail], got " + Quote.quote(t));
                }
                section = t.substring(1, t.length() - 1).strip();
                if (!KEYS.containsKey(section) || section.isEmpty()) {
                    throw new ConfigException(file, no, "unknown section " + Quote.quote("[" + section + "]")
                            + " (known: [mail], [syslog], [webhook])");
                }
                if (sections.containsKey(section)) {
                    throw new ConfigException(file, no, "section [" + section + "] given twice (first on line "
                            + sectionLines.get(section) + ")");
                }
                sections.put(section, new LinkedHashMap<>());
                sectionLines.put(section, no);
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(file, no, "expected 'key = value', got " + Quote.quote(t));
            }
            String key = t.substring(0, eq).strip();
            String value = t.substring(eq + 1).strip();
            String where = section.isEmpty() ? "before the first section" : "in [" + section + "]";
            if (!KEY.matcher(key).matches() || !KEYS.get(section).contains(key)) {
                throw new ConfigException(file, no, "unknown key " + Quote.quote(key) + " " + where + " (known: "
                        + String.join(", ", KEYS.get(section).stream().sorted().toList()) + ")");
            }
            if (value.isEmpty()) {
                throw new ConfigException(file, no, key + ": empty value");
            }
            Map<String, Entry> s = sections.get(section);
            if (key.equals("header")) {
                int n = 0;
                while (s.containsKey("header#" + n)) {
                    n++;
                }
                s.put("header#" + n, new Entry(value, no));
                continue;
            }
            Entry before = s.put(key, new Entry(value, no));
            if (before != null) {
                throw new ConfigException(file, no, key + " set twice " + where + " (first on line " + before.line + ")");
            }
        }
        Map<String, Entry> g = sections.get("");
        Duration interval = duration(file, "interval", g.get("interval"), DEFAULT_INTERVAL, Duration.ofSeconds(1));
        Duration holdDown = duration(file, "hold_down", g.get("hold_down"), DEFAULT_HOLD_DOWN, Duration.ZERO);
        Duration retryFor = duration(file, "retry_for", g.get("retry_for"), DEFAULT_RETRY_FOR, Duration.ZERO);
        Duration window = duration(file, "window", g.get("window"), DEFAULT_WINDOW, Duration.ofMinutes(1));
        Path rules = null;
        if (g.containsKey("rules")) {
            rules = Path.of(g.get("rules").value);
            if (!rules.isAbsolute()) {
                throw new ConfigException(file, g.get("rules").line, "rules: give an absolute path, not "
                        + Quote.quote(g.get("rules").value));
            }
        }
        Mail mail = sections.containsKey("mail") ? mail(file, sections.get("mail"), sectionLines.get("mail")) : null;
        Syslog syslog = sections.containsKey("syslog") ? syslog(file, sections.get("syslog"), sectionLines.get("syslog")) : null;
        Webhook webhook = sections.containsKey("webhook")
                ? webhook(file, sections.get("webhook"), sectionLines.get("webhook")) : null;
        if (mail == null && syslog == null && webhook == null) {
            int last = lines.length > 1 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
            throw new ConfigException(file, last, "no channel: add a [mail], [syslog] or [webhook] section");
        }
        return new WatchConfig(file, interval, holdDown, retryFor, window, rules, mail, syslog, webhook);
    }

    private record Entry(String value, int line) {
    }

    private static Mail mail(Path file, Map<String, Entry> s, int line) {
        Entry to = required(file, s, "to", line, "mail");
        Entry from = required(file, s, "from", line, "mail");
        List<String> tos = new ArrayList<>();
        for (String a : to.value.split(",")) {
            String addr = address(file, to.line, "to", a.strip());
            if (tos.contains(addr)) {
                throw new ConfigException(file, to.line, "to: " + addr + " given twice");
            }
            tos.add(addr);
        }
        String fromAddr = address(file, from.line, "from", from.value);
        String instance = null;
        int instanceLine = line;
        if (s.containsKey("instance")) {
            Entry e = s.get("instance");
            instanceLine = e.line;
            if (!InstanceNames.isSane(e.value)) {
                throw new ConfigException(file, e.line, "instance: " + Quote.quote(e.value)
                        + " is not a valid instance name (letters, digits, '-', '_' and '.' only)");
            }
            instance = e.value;
        }
        return new Mail(List.copyOf(tos), fromAddr, instance, line, instanceLine);
    }

    /** local@domain: a dot-atom local part (no leading '-', so never an option) and a domain by the one domain rule. */
    static String address(Path file, int line, String key, String a) {
        int at = a.lastIndexOf('@');
        if (at <= 0 || at == a.length() - 1) {
            throw new ConfigException(file, line, key + ": " + Quote.quote(a) + " is not a mail address (local@domain)");
        }
        String local = a.substring(0, at);
        if (!LOCAL_PART.matcher(local).matches() || local.startsWith("-") || local.length() > 64) {
            throw new ConfigException(file, line, key + ": " + Quote.quote(a) + ": bad local part (letters, digits and "
                    + "!#$%&'*+/=?^_`{|}~.- only, not starting with '-')");
        }
        String domain;
        try {
            domain = Domains.require(a.substring(at + 1));
        } catch (UsageException e) {
            throw new ConfigException(file, line, key + ": " + e.getMessage());
        }
        if (domain.startsWith(".")) {
            throw new ConfigException(file, line, key + ": " + Quote.quote(a) + ": the domain starts with '.'");
        }
        return local + "@" + domain;
    }

    private static Syslog syslog(Path file, Map<String, Entry> s, int line) {
        String tag = "mfshell-watch";
        if (s.containsKey("tag")) {
            tag = s.get("tag").value;
            if (!TAG.matcher(tag).matches() || tag.startsWith("-")) {
                throw new ConfigException(file, s.get("tag").line, "tag: " + Quote.quote(tag)
                        + " (letters, digits, '.', '_', '-', at most 32, not starting with '-')");
            }
        }
        String priority = "mail.warning";
        if (s.containsKey("priority")) {
            Entry e = s.get("priority");
            String[] p = e.value.toLowerCase(Locale.ROOT).split("\\.", -1);
            if (p.length != 2 || !FACILITIES.contains(p[0]) || !LEVELS.contains(p[1])) {
                throw new ConfigException(file, e.line, "priority: " + Quote.quote(e.value)
                        + " is not FACILITY.LEVEL (e.g. mail.warning, daemon.notice, local0.err)");
            }
            priority = p[0] + "." + p[1];
        }
        String socket = null;
        if (s.containsKey("socket")) {
            Entry e = s.get("socket");
            if (!e.value.startsWith("/") || e.value.contains("..") || !e.value.matches("[A-Za-z0-9._/-]+")) {
                throw new ConfigException(file, e.line, "socket: give an absolute path of plain characters, not "
                        + Quote.quote(e.value));
            }
            socket = e.value;
        }
        return new Syslog(tag, priority, socket, line);
    }

    private static Webhook webhook(Path file, Map<String, Entry> s, int line) {
        Entry u = required(file, s, "url", line, "webhook");
        URI uri;
        try {
            uri = new URI(u.value);
        } catch (URISyntaxException e) {
            throw new ConfigException(file, u.line, "url: " + Quote.quote(u.value) + " is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new ConfigException(file, u.line, "url: " + Quote.quote(u.value) + ": give an https:// URL");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ConfigException(file, u.line, "url: " + Quote.quote(u.value) + " has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigException(file, u.line, "url: no user:password in the URL; give it as "
                    + "'header = Authorization: ...'");
        }
        if (uri.getRawFragment() != null) {
            throw new ConfigException(file, u.line, "url: " + Quote.quote(u.value) + " has a #fragment");
        }
        if (scheme.equals("http") && !loopback(host)) {
            throw new ConfigException(file, u.line, "url: plain http only to a loopback address (127.0.0.0/8, ::1, "
                    + "localhost); use https:// for " + host);
        }
        Duration timeout = duration(file, "timeout", s.get("timeout"), DEFAULT_TIMEOUT, Duration.ofSeconds(1));
        if (timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException(file, s.get("timeout").line, "timeout: at most 5m");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int n = 0; s.containsKey("header#" + n); n++) {
            Entry e = s.get("header#" + n);
            int colon = e.value.indexOf(':');
            String name = colon < 0 ? "" : e.value.substring(0, colon).strip();
            String value = colon < 0 ? "" : e.value.substring(colon + 1).strip();
            if (!HEADER_NAME.matcher(name).matches() || value.isEmpty()) {
                throw new ConfigException(file, e.line, "header: expected 'Name: value', got " + Quote.quote(e.value));
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new ConfigException(file, e.line, "header: " + name + " is set by mfshell itself");
            }
            headers.put(name, value);
        }
        return new Webhook(uri, timeout, Map.copyOf(headers), line);
    }

    static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (IpAddresses.isIpv4(h)) {
            return h.startsWith("127.");
        }
        return h.equals("::1") || h.equalsIgnoreCase("0:0:0:0:0:0:0:1");
    }

    private static Entry required(Path file, Map<String, Entry> s, String key, int line, String section) {
        Entry e = s.get(key);
        if (e == null) {
            throw new ConfigException(file, line, "[" + section + "] needs " + key + " = ...");
        }
        return e;
    }

    private static Duration duration(Path file, String key, Entry e, Duration dflt, Duration min) {
        if (e == null) {
            return dflt;
        }
        Duration d;
        try {
            d = Durations.parse(e.value, "value");
        } catch (UsageException x) {
            throw new ConfigException(file, e.line, key + ": bad duration " + Quote.quote(e.value) + " (use e.g. 90s, 5m, 2h, 1d)");
        }
        if (d.compareTo(min) < 0) {
            throw new ConfigException(file, e.line, key + ": at least " + min.toSeconds() + "s");
        }
        return d;
    }
}
