package org.mfshell.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits text to a width: wraps on spaces (a word longer than the line is cut, never a word in the
 * middle otherwise), and cuts a cell with an ellipsis. Width 0 means no limit: text is returned
 * as it is. ANSI colour sequences take no columns. Reports no errors.
 */
public final class Text {
    public static final String ELLIPSIS = "\u2026";

    private Text() {
    }

    /** The columns {@code s} takes on screen (ANSI colour sequences take none). */
    public static int visibleLength(String s) {
        if (s.indexOf('\u001B') < 0) {
            return s.length();
        }
        return s.replaceAll("\u001B\\[[0-9;]*m", "").length();
    }

    /**
     * Wraps one paragraph to {@code width} columns; continuation lines start with {@code indent}.
     * Existing line breaks are kept.
     */
    public static List<String> wrap(String text, int width, String indent) {
        List<String> out = new ArrayList<>();
        for (String para : text.split("\n", -1)) {
            if (width <= 0 || visibleLength(para) <= width) {
                out.add(para);
                continue;
            }
            int n = 0;
            while (n < para.length() && para.charAt(n) == ' ') {
                n++;
            }
            String lead = para.substring(0, n);
            String cont = indent.length() >= width ? "" : indent;
            StringBuilder line = new StringBuilder(lead);
            int len = lead.length();
            boolean empty = true;
            // Split on single spaces: an empty word stands for one more space, kept inside a line.
            for (String word : para.substring(n).split(" ", -1)) {
                int wl = visibleLength(word);
                if (word.isEmpty() && empty && len == cont.length() && !out.isEmpty()) {
                    continue;
                }
                if (!empty && len + 1 + wl > width) {
                    out.add(line.toString());
                    line = new StringBuilder(cont);
                    len = cont.length();
                    empty = true;
                }
                if (!empty) {
                    line.append(' ');
                    len++;
                }
                // Only a word longer than a whole line is broken.
                while (len + wl > width && width - len > 0 && word.length() == wl) {
                    int take = width - len;
                    out.add(line.append(word, 0, take).toString());
                    word = word.substring(take);
                    wl = word.length();
                    line = new StringBuilder(cont);
                    len = cont.length();
                }
                line.append(word);
                len += wl;
                empty = false;
            }
            out.add(line.toString());
        }
        return out;
    }

    /** {@code s} cut to {@code width} columns, the last one an ellipsis; colour is closed if cut. */
    public static String cut(String s, int width) {
        if (width <= 0 || visibleLength(s) <= width) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        int cols = 0;
        boolean colored = false;
        for (int i = 0; i < s.length() && cols < width - 1; i++) {
            char c = s.charAt(i);
            if (c == '\u001B') {
                int m = s.indexOf('m', i);
                if (m > 0) {
                    sb.append(s, i, m + 1);
                    colored = !s.startsWith("\u001B[0m", i);
                    i = m;
                    continue;
                }
            }
            sb.append(c);
            cols++;
        }
        sb.append(ELLIPSIS);
        if (colored) {
            sb.append("\u001B[0m");
        }
        return sb.toString();
    }
}
