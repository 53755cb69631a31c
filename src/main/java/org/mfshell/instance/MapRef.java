package org.mfshell.instance;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One lookup table of a Postfix table list such as transport_maps, as Postfix reads it after
 * {@code postconf -x} expansion: {@code type} is everything before the table name
 * ({@code hash}, {@code proxy:hash}), {@code name} the table name, and {@code file} the table's
 * file with symlinks and {@code ..} resolved when the name is an absolute path (else null, as for
 * {@code inline:{...}}).
 * {@link #toString()} gives {@code type:name} with the resolved path.
 */
public record MapRef(String type, String name, Path file) {

    /** {@code type:path} with the resolved path when there is one. */
    @Override
    public String toString() {
        return type + ":" + (file != null ? file.toString() : name);
    }

    /** True when this table's file is {@code other} (both resolved). */
    public boolean isFile(Path other) {
        return file != null && other != null && file.equals(resolve(other));
    }

    /**
     * Splits an expanded table list the way Postfix's mystrtokq does: on blanks and commas outside
     * {@code {...}}. Entries without a {@code type:} are kept with an empty type.
     */
    public static List<MapRef> parseList(String expanded) {
        List<MapRef> out = new ArrayList<>();
        if (expanded == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i <= expanded.length(); i++) {
            char c = i < expanded.length() ? expanded.charAt(i) : ' ';
            if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            }
            if (depth == 0 && (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r')) {
                if (cur.length() > 0) {
                    out.add(of(cur.toString()));
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        return out;
    }

    /** One table spec: types up to the last {@code type:} before a path or a {@code {}} body. */
    static MapRef of(String spec) {
        int split = -1;
        int i = 0;
        while (i < spec.length()) {
            int colon = spec.indexOf(':', i);
            if (colon < 0 || spec.substring(i, colon).isEmpty()
                    || !spec.substring(i, colon).chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                break;
            }
            split = colon;
            i = colon + 1;
            if (i < spec.length() && (spec.charAt(i) == '/' || spec.charAt(i) == '{')) {
                break;
            }
        }
        if (split < 0) {
            return new MapRef("", spec, spec.startsWith("/") ? resolve(Path.of(spec)) : null);
        }
        String type = spec.substring(0, split);
        String name = spec.substring(split + 1);
        return new MapRef(type, name, name.startsWith("/") ? resolve(Path.of(name)) : null);
    }

    /**
     * The path with symlinks resolved as far as it exists: the real path of the longest existing
     * parent, with the rest appended normalised (hash: names a file that may exist only as .db).
     */
    static Path resolve(Path p) {
        Path abs = p.toAbsolutePath();
        Path existing = abs;
        Path rest = null;
        while (existing != null) {
            try {
                Path real = existing.toRealPath();
                return rest == null ? real : real.resolve(rest).normalize();
            } catch (IOException e) {
                Path name = existing.getFileName();
                if (name == null) {
                    break;
                }
                rest = rest == null ? name : name.resolve(rest);
                existing = existing.getParent();
            }
        }
        return abs.normalize();
    }
}
