package org.mfshell.flush;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where trivial-rewrite would route a recipient through {@code transport_maps}, computed the
 * way Postfix does it (src/trivial-rewrite/transport.c, transport_lookup with
 * mail_addr_find_strategy over the whole map list): the lookup keys are tried in order, and for
 * each key the maps are searched in their transport_maps order, the first hit winning. The keys:
 * the full address, the address without its extension (recipient_delimiter), the domain, then
 * each parent domain ({@code .example.com} style, or {@code example.com} when
 * parent_domain_matches_subdomains names transport_maps), and last the {@code *} wildcard.
 *
 * <p>The maps' answers come from {@code postmap -q -} (one run per map for all keys), so this
 * class itself only orders keys and picks the winner. It reports no errors.
 */
public final class RouteCheck {
    /** The entry that decides a recipient's route: which key matched, in which map, and its value. */
    public record Route(String recipient, String key, String map, String value) {
    }

    private final boolean parentStyle;
    private final String delimiters;

    /**
     * @param parentStyle true when parent_domain_matches_subdomains names transport_maps
     * @param recipientDelimiters the expanded recipient_delimiter (may be empty)
     */
    public RouteCheck(boolean parentStyle, String recipientDelimiters) {
        this.parentStyle = parentStyle;
        this.delimiters = recipientDelimiters == null ? "" : recipientDelimiters;
    }

    /** Every key Postfix may look up for these recipients, wildcard last, each once. */
    public List<String> keys(List<String> recipients) {
        Set<String> all = new LinkedHashSet<>();
        for (String r : recipients) {
            all.addAll(keysOf(r));
        }
        all.add("*");
        return new ArrayList<>(all);
    }

    /** The keys for one recipient, in lookup order (without the wildcard). */
    public List<String> keysOf(String recipient) {
        String r = recipient.toLowerCase(Locale.ROOT);
        List<String> keys = new ArrayList<>();
        int at = r.lastIndexOf('@');
        if (at <= 0 || at == r.length() - 1) {
            return keys;
        }
        String local = r.substring(0, at);
        String domain = r.substring(at + 1);
        keys.add(r);
        if (!delimiters.isEmpty()) {
            int cut = -1;
            for (int i = 0; i < local.length(); i++) {
                if (delimiters.indexOf(local.charAt(i)) >= 0) {
                    cut = i;
                    break;
                }
            }
            if (cut > 0) {
                keys.add(local.substring(0, cut) + "@" + domain);
            }
        }
        keys.add(domain);
        String d = domain;
        int dot;
        while ((dot = d.indexOf('.')) >= 0) {
            d = d.substring(dot + 1);
            if (d.isEmpty()) {
                break;
            }
            keys.add(parentStyle ? d : "." + d);
        }
        return keys;
    }

    /**
     * The deciding entry for each recipient; null value when nothing matched (the instance's
     * default transport then applies). {@code hitsByMap}: each map's name, in transport_maps
     * order, to its answers for {@link #keys}.
     */
    public Map<String, Route> resolve(List<String> recipients, LinkedHashMap<String, Map<String, String>> hitsByMap) {
        Map<String, Route> out = new LinkedHashMap<>();
        for (String r : recipients) {
            Route found = null;
            List<String> keys = new ArrayList<>(keysOf(r));
            Set<String> whole = wholeAddressKeys(r);
            keys.add("*");
            search:
            for (String k : keys) {
                for (Map.Entry<String, Map<String, String>> m : hitsByMap.entrySet()) {
                    if (isPattern(m.getKey()) && !whole.contains(k) && !k.equals("*")) {
                        // Postfix asks regexp/pcre/cidr maps only whole addresses (maps.c skips maps
                        // without DICT_FLAG_FIXED for partial keys); the wildcard goes to every map.
                        continue;
                    }
                    String v = m.getValue().get(k);
                    if (v != null) {
                        found = new Route(r, k, m.getKey(), v.trim());
                        break search;
                    }
                }
            }
            out.put(r, found == null ? new Route(r, null, null, null) : found);
        }
        return out;
    }

    /** The full address and its form without the extension: the keys a pattern map is asked. */
    Set<String> wholeAddressKeys(String recipient) {
        List<String> k = keysOf(recipient);
        Set<String> out = new java.util.HashSet<>();
        if (k.isEmpty()) {
            return out;
        }
        out.add(k.get(0));
        String domain = recipient.toLowerCase(Locale.ROOT).substring(recipient.lastIndexOf('@') + 1);
        if (k.size() > 1 && !k.get(1).equals(domain)) {
            out.add(k.get(1));
        }
        return out;
    }

    /** A map Postfix matches by pattern (regexp, pcre, cidr; also behind proxy:). */
    static boolean isPattern(String map) {
        String t = map.startsWith("proxy:") ? map.substring("proxy:".length()) : map;
        return t.startsWith("regexp:") || t.startsWith("pcre:") || t.startsWith("cidr:");
    }

    /** The words of an expanded transport_maps value: {@code hash:/a, lmdb:/b} gives [hash:/a, lmdb:/b]. */
    public static List<String> maps(String transportMaps, String defaultDatabaseType) {
        List<String> out = new ArrayList<>();
        if (transportMaps == null) {
            return out;
        }
        for (String w : transportMaps.trim().split("[\\s,]+")) {
            if (w.isEmpty()) {
                continue;
            }
            out.add(w.startsWith("/") ? defaultDatabaseType + ":" + w : w);
        }
        return out;
    }
}
