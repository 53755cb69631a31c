package org.mfshell.shell.render;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mfshell.cli.Text;

/**
 * A plain-text table: header, aligned columns (numbers right-aligned), two spaces between columns.
 * Cells may carry ANSI colour; widths are measured without it. Printed with a width (a terminal's
 * columns), a table wider than that shrinks its widest column first, and cuts what no longer
 * fits with an ellipsis; a right-aligned (number) column never gets narrower than its widest
 * number, only its header is cut. A {@link Fit}
 * cell (a bar) is drawn for the width its column gets. Width 0 prints every cell whole, as
 * scripts and pipes get it. Reports no errors.
 */
public final class Table {
    /** Narrowest a text column is made (its header may be cut too, never below this). */
    private static final int MIN_TEXT = 4;
    /** Narrowest a {@link Fit} column (a bar) is made. */
    private static final int MIN_FIT = 5;

    /** A cell that draws itself for a given number of columns, e.g. a bar chart. */
    @FunctionalInterface
    public interface Fit {
        String fit(int columns);
    }

    private final List<String> headers;
    private final boolean[] rightAlign;
    private final String[] shortHeaders;
    private final boolean[] optional;
    private final List<List<Object>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
        this.rightAlign = new boolean[headers.length];
        this.shortHeaders = new String[headers.length];
        this.optional = new boolean[headers.length];
    }

    /** Columns left out when the table does not fit otherwise (say, an IP that another command shows). */
    public Table optional(int... columns) {
        for (int c : columns) {
            optional[c] = true;
        }
        return this;
    }

    /** Right-aligns the given columns (0-based). */
    public Table right(int... columns) {
        for (int c : columns) {
            rightAlign[c] = true;
        }
        return this;
    }

    /** Cells are Strings (or anything, via toString; null prints as "-") or {@link Fit} cells. */
    public Table row(Object... cells) {
        List<Object> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "-" : c instanceof Fit ? c : c.toString());
        }
        rows.add(r);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Every cell whole (for pipes and scripts). */
    public void print(PrintWriter out) {
        print(out, 0);
    }

    /** Fitted to {@code width} columns; 0 = every cell whole. */
    public void print(PrintWriter out, int width) {
        int n = headers.size();
        int[] w = new int[n];
        boolean[] fit = new boolean[n];
        for (int i = 0; i < n; i++) {
            w[i] = Text.visibleLength(headers.get(i));
        }
        for (List<Object> r : rows) {
            for (int i = 0; i < n && i < r.size(); i++) {
                Object c = r.get(i);
                if (c instanceof Fit f) {
                    fit[i] = true;
                    w[i] = Math.max(w[i], Text.visibleLength(f.fit(Integer.MAX_VALUE)));
                } else {
                    w[i] = Math.max(w[i], Text.visibleLength((String) c));
                }
            }
        }
        if (width > 0) {
            shrink(w, fit, width);
        }
        List<String> shown = new ArrayList<>(headers);
        for (int i = 0; i < n; i++) {
            if (w[i] < headers.get(i).length() && shortHeaders[i] != null && shortHeaders[i].length() <= w[i]) {
                shown.set(i, shortHeaders[i]);
            }
        }
        printRow(out, shown, w);
        for (List<Object> r : rows) {
            printRow(out, r, w);
        }
    }

    /**
     * Makes the table fit: first columns whose header is wider than their cells give up the
     * difference (the header is then shown short, see {@link #abbreviate}, or cut); then text
     * columns and bars give columns, widest first. Numbers are never cut.
     */
    private void shrink(int[] w, boolean[] fit, int width) {
        int total = Arrays.stream(w).sum() + 2 * (w.length - 1);
        int[] floor = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            int shortHeader = shortHeaders[i] != null ? shortHeaders[i].length() : MIN_TEXT;
            floor[i] = Math.min(w[i], Math.max(fit[i] ? MIN_FIT : dataWidth(i), Math.min(shortHeader, headers.get(i).length())));
        }
        total = take(w, floor, total, width);
        for (int i = 0; i < w.length && total > width; i++) {
            if (optional[i] && w[i] > 0) {
                total -= w[i] + 2;
                w[i] = 0;
            }
        }
        int[] min = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            min[i] = rightAlign[i] || w[i] == 0 ? w[i] : Math.min(w[i], fit[i] ? MIN_FIT : Math.max(MIN_TEXT, Math.min(8, headers.get(i).length())));
        }
        take(w, min, total, width);
    }

    /** Takes one column at a time from the widest column above its floor until the table fits. */
    private static int take(int[] w, int[] floor, int total, int width) {
        while (total > width) {
            int widest = -1;
            for (int i = 0; i < w.length; i++) {
                if (w[i] > floor[i] && w[i] > 0 && (widest < 0 || w[i] > w[widest])) {
                    widest = i;
                }
            }
            if (widest < 0) {
                return total;
            }
            w[widest]--;
            total--;
        }
        return total;
    }

    /**
     * Short forms of the headers, shown when a column is narrower than its header ("DEFER" for
     * "DEFERRED"); null for none (the header is cut with an ellipsis).
     */
    public Table abbreviate(String... shortForms) {
        for (int i = 0; i < shortForms.length && i < shortHeaders.length; i++) {
            shortHeaders[i] = shortForms[i];
        }
        return this;
    }

    /** The widest cell of a column without its header. */
    private int dataWidth(int column) {
        int w = 0;
        for (List<Object> r : rows) {
            if (column < r.size() && r.get(column) instanceof String c) {
                w = Math.max(w, Text.visibleLength(c));
            }
        }
        return w;
    }

    private void printRow(PrintWriter out, List<?> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (int i = 0; i < w.length; i++) {
            if (w[i] == 0 && optional[i]) {
                continue;
            }
            Object o = i < cells.size() ? cells.get(i) : "";
            String c = o instanceof Fit f ? f.fit(w[i]) : Text.cut((String) o, w[i]);
            int pad = Math.max(0, w[i] - Text.visibleLength(c));
            if (!first) {
                sb.append("  ");
            }
            first = false;
            if (rightAlign[i]) {
                sb.append(" ".repeat(pad)).append(c);
            } else {
                sb.append(c);
                if (i < w.length - 1) {
                    sb.append(" ".repeat(pad));
                }
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
