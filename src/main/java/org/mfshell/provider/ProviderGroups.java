package org.mfshell.provider;

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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;

/**
 * Provider groups: which recipient domains belong to msn, aol, earthlink, ... (one data file,
 * shared by stats, relay-map and health). The format is documented at the top of
 * {@code org/mfshell/provider-groups.txt}: {@code GROUP: domain domain ...}, continuation lines
 * start with whitespace, {@code #} comments; a domain covers its subdomains; everything else is
 * {@link #REST}. {@link #load()} uses /etc/mfshell/provider-groups.txt when it exists, else the
 * built-in file. Errors: {@link MfshellException} naming file and line for a malformed line, a
 * bad domain or a domain listed twice.
 */
public final class ProviderGroups {
    /** The group of every domain not listed. */
    public static final String REST = "therest";
    public static final Path SYSTEM_FILE = Path.of("/etc/mfshell/provider-groups.txt");
    private static final String RESOURCE = "/org/mfshell/provider-groups.txt";
    private static final Pattern GROUP = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    private final Map<String, List<String>> groups;
    private final Map<String, String> byDomain;

    private ProviderGroups(Map<String, List<String>> groups) {
        this.groups = groups;
        this.byDomain = new HashMap<>();
        groups.forEach((g, ds) -> ds.forEach(d -> byDomain.put(d, g)));
    }

    /** The operator's file if present, else the built-in one. */
    public static ProviderGroups load() {
        return Files.isRegularFile(SYSTEM_FILE) ? load(SYSTEM_FILE) : builtIn();
    }

    public static ProviderGroups builtIn() {
        try (InputStream in = ProviderGroups.class.getResourceAsStream(RESOURCE)) {
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ProviderGroups load(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        } catch (IOException e) {
            throw new MfshellException("cannot read provider groups " + file + ": " + e.getMessage(), e);
        }
    }

    public static ProviderGroups parse(Reader reader, String name) throws IOException {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        BufferedReader br = new BufferedReader(reader);
        String line;
        String current = null;
        int no = 0;
        while ((line = br.readLine()) != null) {
            no++;
            int hash = line.indexOf('#');
            String text = hash >= 0 ? line.substring(0, hash) : line;
            if (text.isBlank()) {
                continue;
            }
            String words;
            if (Character.isWhitespace(text.charAt(0))) {
                if (current == null) {
                    throw new MfshellException(name + ":" + no + ": continuation line before any group");
                }
                words = text;
            } else {
                int colon = text.indexOf(':');
                if (colon < 0) {
                    throw new MfshellException(name + ":" + no + ": expected 'GROUP: domain ...'");
                }
                current = text.substring(0, colon).trim();
                if (!GROUP.matcher(current).matches() || current.equals(REST)) {
                    throw new MfshellException(name + ":" + no + ": bad group name " + Quote.quote(current));
                }
                if (groups.containsKey(current)) {
                    throw new MfshellException(name + ":" + no + ": group " + Quote.quote(current) + " defined twice");
                }
                groups.put(current, new ArrayList<>());
                words = text.substring(colon + 1);
            }
            for (String w : words.trim().split("\\s+")) {
                if (w.isEmpty()) {
                    continue;
                }
                String d = w.toLowerCase(Locale.ROOT);
                if (!DOMAIN.matcher(d).matches()) {
                    throw new MfshellException(name + ":" + no + ": bad domain " + Quote.quote(w));
                }
                String before = seen.putIfAbsent(d, current);
                if (before != null) {
                    throw new MfshellException(name + ":" + no + ": domain " + d + " is already in group " + before);
                }
                groups.get(current).add(d);
            }
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        groups.forEach((g, ds) -> frozen.put(g, List.copyOf(ds)));
        return new ProviderGroups(Collections.unmodifiableMap(frozen));
    }

    /** The group of a recipient domain (case-insensitive; subdomains follow their parent), else {@link #REST}. */
    public String groupOf(String domain) {
        if (domain == null || domain.isEmpty()) {
            return REST;
        }
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        while (true) {
            String g = byDomain.get(d);
            if (g != null) {
                return g;
            }
            int dot = d.indexOf('.');
            if (dot < 0) {
                return REST;
            }
            d = d.substring(dot + 1);
        }
    }

    /** The domains listed for a group (empty for {@link #REST} or an unknown group). */
    public List<String> domains(String group) {
        return groups.getOrDefault(group, List.of());
    }

    /** Group names in file order, then {@link #REST}. */
    public List<String> names() {
        List<String> n = new ArrayList<>(groups.keySet());
        n.add(REST);
        return n;
    }
}
