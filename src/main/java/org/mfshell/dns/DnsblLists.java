package org.mfshell.dns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.health.Verdict;
import org.mfshell.mail.IpAddresses;

/**
 * The DNS blocklists to check and how to read their answers, from one data file (format at the
 * top of {@code org/mfshell/dnsbl.txt}): each list's zone, its return-code table, and what a
 * listing means (BLOCKED or DEGRADED) for each provider group. {@link #load} uses --lists FILE,
 * else /etc/mfshell/dnsbl.txt when it exists, else the built-in file. Errors:
 * {@link MfshellException} naming file and line for a malformed line, an unknown table, a bad
 * zone, address or verdict, or a list named twice.
 */
public final class DnsblLists {
    public static final Path SYSTEM_FILE = Path.of("/etc/mfshell/dnsbl.txt");
    private static final String RESOURCE = "/org/mfshell/dnsbl.txt";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
    private static final Pattern ZONE = Pattern.compile("(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    /** What one answer address of a list means. */
    public record Code(String address, int prefix, boolean listed, String meaning) {
        boolean matches(String ip) {
            if (prefix == 32) {
                return address.equals(ip);
            }
            return address.substring(0, address.lastIndexOf('.')).equals(ip.substring(0, Math.max(0, ip.lastIndexOf('.'))));
        }
    }

    /** One list: name, zone, its code table and the verdict a listing gives per provider group. */
    public record Dnsbl(String name, String zone, String table, List<Code> codes, Map<String, Verdict> usedBy) {
        /** The code entry an answer address falls under (exact addresses before /24 ranges), or null. */
        public Code read(String answer) {
            for (Code c : codes) {
                if (c.prefix() == 32 && c.matches(answer)) {
                    return c;
                }
            }
            for (Code c : codes) {
                if (c.prefix() != 32 && c.matches(answer)) {
                    return c;
                }
            }
            return null;
        }

        /** The query name for {@code ip}: {@code 2.0.0.127.ZONE}, IPv6 in reversed nibbles. */
        public String queryName(String ip) {
            String rev = IpAddresses.reverseName(ip);
            String base = rev.substring(0, rev.length() - (IpAddresses.isIpv4(ip) ? "in-addr.arpa.".length()
                    : "ip6.arpa.".length()));
            return base + zone;
        }
    }

    private final List<Dnsbl> lists;
    private final String source;

    private DnsblLists(List<Dnsbl> lists, String source) {
        this.lists = lists;
        this.source = source;
    }

    public List<Dnsbl> lists() {
        return lists;
    }

    public String source() {
        return source;
    }

    /** {@code file} when given, else the operator's file under {@code configRoot} when present, else built-in. */
    public static DnsblLists load(Path file, Path systemFile) {
        if (file != null) {
            return load(file);
        }
        return systemFile != null && Files.isRegularFile(systemFile) ? load(systemFile) : builtIn();
    }

    public static DnsblLists builtIn() {
        try (InputStream in = DnsblLists.class.getResourceAsStream(RESOURCE)) {
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DnsblLists load(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        } catch (IOException e) {
            throw new MfshellException("cannot read DNSBL lists " + Printable.of(file.toString()) + ": " + e.getMessage(), e);
        }
    }

    public static DnsblLists parse(Reader reader, String name) throws IOException {
        record Pending(int line, String name, String zone, String table, Map<String, Verdict> usedBy) {
        }
        List<Pending> pending = new ArrayList<>();
        Map<String, List<Code>> tables = new LinkedHashMap<>();
        BufferedReader br = new BufferedReader(reader);
        String line;
        int no = 0;
        while ((line = br.readLine()) != null) {
            no++;
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            String[] w = text.split("\\s+");
            String where = name + ":" + no + ": ";
            if (w[0].equals("list")) {
                if (w.length < 5) {
                    throw new MfshellException(where + "expected 'list NAME ZONE CODES GROUP=VERDICT ...'");
                }
                String n = w[1].toLowerCase(Locale.ROOT);
                String zone = w[2].toLowerCase(Locale.ROOT);
                if (zone.endsWith(".")) {
                    zone = zone.substring(0, zone.length() - 1);
                }
                if (!NAME.matcher(n).matches()) {
                    throw new MfshellException(where + "bad list name '" + Printable.of(w[1]) + "'");
                }
                if (!ZONE.matcher(zone).matches()) {
                    throw new MfshellException(where + "bad zone '" + Printable.of(w[2]) + "'");
                }
                for (Pending p : pending) {
                    if (p.name().equals(n)) {
                        throw new MfshellException(where + "list '" + n + "' already defined on line " + p.line());
                    }
                }
                Map<String, Verdict> usedBy = new LinkedHashMap<>();
                for (int i = 4; i < w.length; i++) {
                    int eq = w[i].indexOf('=');
                    Verdict v = null;
                    if (eq > 0) {
                        try {
                            v = Verdict.valueOf(w[i].substring(eq + 1).toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            v = null;
                        }
                    }
                    if (v == null || v == Verdict.OK) {
                        throw new MfshellException(where + "expected GROUP=BLOCKED or GROUP=DEGRADED, not '"
                                + Printable.of(w[i]) + "'");
                    }
                    usedBy.put(w[i].substring(0, eq).toLowerCase(Locale.ROOT), v);
                }
                pending.add(new Pending(no, n, zone, w[3], Map.copyOf(usedBy)));
            } else if (w[0].equals("code")) {
                if (w.length < 4) {
                    throw new MfshellException(where + "expected 'code TABLE ADDRESS listed|unknown: MEANING'");
                }
                String addr = w[2];
                int prefix = 32;
                if (addr.endsWith("/24")) {
                    prefix = 24;
                    addr = addr.substring(0, addr.length() - 3);
                }
                if (!IpAddresses.isIpv4(addr)) {
                    throw new MfshellException(where + "bad answer address '" + Printable.of(w[2]) + "'");
                }
                String meaning = text.substring(text.indexOf(w[2]) + w[2].length()).trim();
                boolean listed;
                if (meaning.startsWith("listed:")) {
                    listed = true;
                } else if (meaning.startsWith("unknown:")) {
                    listed = false;
                } else {
                    throw new MfshellException(where + "the meaning must start with 'listed:' or 'unknown:'");
                }
                meaning = meaning.substring(meaning.indexOf(':') + 1).trim();
                tables.computeIfAbsent(w[1], k -> new ArrayList<>()).add(new Code(addr, prefix, listed, meaning));
            } else {
                throw new MfshellException(where + "expected a 'list' or 'code' line, not '" + Printable.of(w[0]) + "'");
            }
        }
        List<Dnsbl> lists = new ArrayList<>();
        for (Pending p : pending) {
            List<Code> codes = tables.get(p.table());
            if (codes == null) {
                throw new MfshellException(name + ":" + p.line() + ": no 'code " + Printable.of(p.table())
                        + " ...' lines for list " + p.name());
            }
            lists.add(new Dnsbl(p.name(), p.zone(), p.table(), List.copyOf(codes), p.usedBy()));
        }
        if (lists.isEmpty()) {
            throw new MfshellException(name + ": no 'list' line");
        }
        return new DnsblLists(List.copyOf(lists), name);
    }
}
