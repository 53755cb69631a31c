package org.mfshell.flush;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;

/**
 * Text edits of main.cf that switch an instance's transport.relay map on and off, the wiki's
 * way, leaving every other byte alone. Main.cf syntax: a logical line starts in column one, a
 * line starting with white space continues it, '#' lines are comments. The text is handled as
 * ISO-8859-1 so bytes map 1:1.
 *
 * <p>Enabling: an active {@code transport_maps} gets {@code hash:DIR/transport.relay, } put in
 * front of its first map (mode PREPENDED), because trivial-rewrite searches the maps in order and
 * the first hit wins: appended, the relay map would lose to every key the instance's own maps
 * have (journals of older mfshells may still say APPENDED); else the last commented-out {@code #transport_maps = ...} line naming the map
 * is uncommented (UNCOMMENTED); else a new line is added at the end (ADDED_LINE). Disabling is
 * the reverse. Errors: {@link MfshellException} when the map is already on (enable) or not on
 * (disable).
 */
public final class TransportMapsEdit {
    /** How the map was switched on, so it can be switched off the same way. */
    public enum Mode { PREPENDED, APPENDED, UNCOMMENTED, ADDED_LINE }

    /** The new main.cf text and how it was made. */
    public record Result(String text, Mode mode) {
    }

    private static final Pattern ACTIVE = Pattern.compile("^transport_maps\\s*=(.*)$");
    private static final Pattern COMMENTED = Pattern.compile("^\\s*#\\s*transport_maps\\s*=(.*)$");

    private TransportMapsEdit() {
    }

    /** The map reference as it goes into main.cf. */
    public static String mapRef(String mapFile) {
        return "hash:" + mapFile;
    }

    public static Result enable(String text, String mapFile) {
        List<String> lines = lines(text);
        int[] active = lastActive(lines);
        String ref = mapRef(mapFile);
        if (active != null) {
            String value = joined(lines, active);
            if (mentions(value, mapFile)) {
                throw new MfshellException("transport_maps already includes " + mapFile + " (a reroute is active)");
            }
            // The first map: right after "=" on the first line, else at the start of the first
            // continuation line that has one.
            for (int i = active[0]; i <= active[1]; i++) {
                String l = lines.get(i);
                int from = i == active[0] ? l.indexOf('=') + 1 : 0;
                int at = from;
                while (at < l.length() && Character.isWhitespace(l.charAt(at))) {
                    at++;
                }
                if (at < l.length() && !stripTrailingSpace(l).isEmpty() && at < stripTrailingSpace(l).length()) {
                    lines.set(i, l.substring(0, at) + ref + ", " + l.substring(at));
                    return new Result(join(lines, text), Mode.PREPENDED);
                }
            }
            String l = lines.get(active[0]);
            String trimmed = stripTrailingSpace(l);
            lines.set(active[0], trimmed + " " + ref + l.substring(trimmed.length()));
            return new Result(join(lines, text), Mode.PREPENDED);
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = COMMENTED.matcher(lines.get(i));
            if (m.matches() && mentions(m.group(1), mapFile)) {
                lines.set(i, lines.get(i).replaceFirst("^\\s*#\\s*", ""));
                return new Result(join(lines, text), Mode.UNCOMMENTED);
            }
        }
        String base = text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
        return new Result(base + "transport_maps = " + ref + "\n", Mode.ADDED_LINE);
    }

    /** Switches the map off again; {@code mode} null means "as the wiki does it" (comment out a line of its own). */
    public static String disable(String text, String mapFile, Mode mode) {
        List<String> lines = lines(text);
        int[] active = lastActive(lines);
        if (active == null || !mentions(joined(lines, active), mapFile)) {
            throw new MfshellException("transport_maps does not include " + mapFile + " (no reroute is active)");
        }
        List<String> entries = entries(joined(lines, active));
        boolean onlyOurs = entries.stream().allMatch(e -> refersTo(e, mapFile));
        if (onlyOurs && mode != Mode.APPENDED && mode != Mode.PREPENDED) {
            if (mode == Mode.ADDED_LINE) {
                for (int i = active[1]; i >= active[0]; i--) {
                    lines.remove(i);
                }
            } else {
                lines.set(active[0], "#" + lines.get(active[0]));
                for (int i = active[0] + 1; i <= active[1]; i++) {
                    lines.set(i, "#" + lines.get(i));
                }
            }
            return join(lines, text);
        }
        // Remove our entry and one separator next to it, on whichever physical line it sits.
        String refPattern = "(?:[a-z]+:)?" + Pattern.quote(mapFile) + "(?![\\w./-])";
        for (int i = active[0]; i <= active[1]; i++) {
            String l = lines.get(i);
            String n = l.replaceFirst("\\s*,\\s*" + refPattern, "");
            if (n.equals(l)) {
                n = l.replaceFirst(refPattern + "\\s*,\\s*", "");
            }
            if (n.equals(l)) {
                n = l.replaceFirst("\\s+" + refPattern, "");
            }
            if (!n.equals(l)) {
                lines.set(i, n);
                return join(lines, text);
            }
        }
        throw new MfshellException("cannot find the entry for " + mapFile + " in transport_maps to remove it");
    }

    /** The active transport_maps value, or null. */
    public static String activeValue(String text) {
        List<String> lines = lines(text);
        int[] active = lastActive(lines);
        return active == null ? null : joined(lines, active).trim();
    }

    /** Whether main.cf's active transport_maps has an entry for exactly this map file. */
    public static boolean isOn(String text, String mapFile) {
        String active = activeValue(text);
        return active != null && mentions(active, mapFile);
    }

    private static boolean mentions(String value, String mapFile) {
        return entries(value).stream().anyMatch(e -> refersTo(e, mapFile));
    }

    private static boolean refersTo(String entry, String mapFile) {
        int colon = entry.indexOf(':');
        String path = colon >= 0 && !entry.startsWith("/") ? entry.substring(colon + 1) : entry;
        return path.equals(mapFile);
    }

    private static List<String> entries(String value) {
        return Arrays.stream(value.trim().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }

    /** First and last physical line of the last active transport_maps logical line. */
    private static int[] lastActive(List<String> lines) {
        int[] found = null;
        for (int i = 0; i < lines.size(); i++) {
            if (ACTIVE.matcher(lines.get(i)).matches()) {
                int end = i;
                while (end + 1 < lines.size() && isContinuation(lines.get(end + 1))) {
                    end++;
                }
                found = new int[] {i, end};
            }
        }
        return found;
    }

    private static boolean isContinuation(String line) {
        return !line.isEmpty() && Character.isWhitespace(line.charAt(0)) && !line.isBlank()
                && !line.trim().startsWith("#");
    }

    private static String joined(List<String> lines, int[] range) {
        Matcher m = ACTIVE.matcher(lines.get(range[0]));
        StringBuilder sb = new StringBuilder(m.matches() ? m.group(1) : "");
        for (int i = range[0] + 1; i <= range[1]; i++) {
            sb.append(' ').append(lines.get(i).trim());
        }
        return sb.toString();
    }

    private static String stripTrailingSpace(String s) {
        int e = s.length();
        while (e > 0 && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t' || s.charAt(e - 1) == '\r')) {
            e--;
        }
        return s.substring(0, e);
    }

    private static List<String> lines(String text) {
        List<String> l = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) {
            l.remove(l.size() - 1);
        }
        return l;
    }

    private static String join(List<String> lines, String original) {
        String s = String.join("\n", lines);
        return original.endsWith("\n") || original.isEmpty() ? s + "\n" : s;
    }
}
