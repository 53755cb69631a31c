package org.mfshell.core;

/**
 * Shows a piece of operator input inside an error message: {@link #quote(String)} puts it in
 * single quotes with every control character escaped, so a value holding a newline, a tab or an
 * escape sequence stays on one line and cannot move the cursor, recolour or rewrite the terminal.
 * {@code \n}, {@code \r}, {@code \t} and {@code \\} are shown as such, a quote inside as
 * {@code \'}, other C0/C1 controls, DEL and Unicode line/paragraph separators, bidi overrides and
 * other invisible format characters as {@code \xHH} or {@code \u2028}-style escapes. Text longer
 * than {@link #MAX} characters is cut, with "..." inside the quotes. Reports no errors; null
 * shows as {@code ''}.
 */
public final class Quote {
    /** Longest input shown in full; longer text is cut, so one bad value cannot flood the terminal. */
    public static final int MAX = 120;

    private Quote() {
    }

    /** {@code 'text'} with control characters escaped. */
    public static String quote(String s) {
        return "'" + escape(s) + "'";
    }

    /** The text with control characters, backslashes and single quotes escaped, without the quotes. */
    public static String escape(String s) {
        return escape(s, MAX, true);
    }

    /**
     * A whole message made safe for one terminal line: control characters escaped, nothing else
     * changed (parts already quoted stay as they are), not shortened.
     */
    public static String oneLine(String message) {
        return escape(message, Integer.MAX_VALUE, false);
    }

    private static String escape(String s, int max, boolean quoting) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 4096) + 8);
        int shown = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (shown++ == max) {
                sb.append("...");
                break;
            }
            if (!quoting && (cp == '\\' || cp == '\'')) {
                sb.append((char) cp);
                continue;
            }
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                default -> {
                    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (invisible(cp)) {
                        sb.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** True when the text holds a character {@link #escape} would change (other than a backslash or quote). */
    public static boolean hasControl(String s) {
        return s != null && s.codePoints().anyMatch(cp -> cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || invisible(cp));
    }

    /** Line/paragraph separators, bidi controls, zero-width and other format characters, unassigned and private code points. */
    private static boolean invisible(int cp) {
        int type = Character.getType(cp);
        return type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
