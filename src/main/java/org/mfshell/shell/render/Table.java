package org.mfshell.shell.render;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: header, aligned columns (numbers right-aligned), two spaces between columns.
 * Cells may carry ANSI colour; widths are measured without it.
 */
public final class Table {
    private final List<String> headers;
    private final boolean[] rightAlign;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
        this.rightAlign = new boolean[headers.length];
    }

    /** Right-aligns the given columns (0-based). */
    public Table right(int... columns) {
        for (int c : columns) {
            rightAlign[c] = true;
        }
        return this;
    }

    public Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "-" : c.toString());
        }
        rows.add(r);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public void print(PrintWriter out) {
        int[] w = new int[headers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = visibleLength(headers.get(i));
        }
        for (List<String> r : rows) {
            for (int i = 0; i < w.length && i < r.size(); i++) {
                w[i] = Math.max(w[i], visibleLength(r.get(i)));
            }
        }
        printRow(out, headers, w);
        for (List<String> r : rows) {
            printRow(out, r, w);
        }
    }

    private void printRow(PrintWriter out, List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            int pad = w[i] - visibleLength(c);
            if (i > 0) {
                sb.append("  ");
            }
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

    static int visibleLength(String s) {
        return s.replaceAll("\u001B\\[[0-9;]*m", "").length();
    }
}
