package org.mfshell.shell.render;

/**
 * A horizontal stacked bar of sent / bounced / deferred (the order of stats' columns), scaled to
 * the largest total; each part gets its rounded share of the cells (largest remainder), so a
 * 1 % share of a 30-cell bar gets no cell of its own. With colour: green, red and yellow blocks;
 * without: {@code =} sent, {@code x} bounced, {@code ~} deferred, so the split is readable in a
 * pipe or a mail.
 */
public final class BarChart {
    private BarChart() {
    }

    public static String bar(long sent, long deferred, long bounced, long max, int width, boolean color) {
        long total = sent + deferred + bounced;
        if (total == 0 || max <= 0 || width <= 0) {
            return "";
        }
        int len = (int) Math.max(1, Math.round((double) total * width / max));
        double es = (double) sent * len / total;
        double eb = (double) bounced * len / total;
        double ed = (double) deferred * len / total;
        int s = (int) es;
        int b = (int) eb;
        int d = (int) ed;
        // Hand the cells rounding left over to the largest remainders.
        for (int left = len - s - b - d; left > 0; left--) {
            double rs = es - s;
            double rb = eb - b;
            double rd = ed - d;
            if (rs >= rb && rs >= rd) {
                s++;
            } else if (rb >= rd) {
                b++;
            } else {
                d++;
            }
        }
        if (color) {
            return Ansi.green(true, "\u2588".repeat(s)) + Ansi.red(true, "\u2588".repeat(b))
                    + Ansi.yellow(true, "\u2588".repeat(d));
        }
        return "=".repeat(s) + "x".repeat(b) + "~".repeat(d);
    }

    public static String legend(boolean color) {
        return color ? Ansi.green(true, "\u2588") + " sent  " + Ansi.red(true, "\u2588") + " bounced  "
                + Ansi.yellow(true, "\u2588") + " deferred" : "= sent  x bounced  ~ deferred";
    }
}
