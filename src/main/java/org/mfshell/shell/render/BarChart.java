package org.mfshell.shell.render;

/**
 * A horizontal stacked bar of sent / deferred / bounced, scaled to the largest total. With
 * colour: green, yellow and red blocks; without: {@code =} sent, {@code ~} deferred,
 * {@code x} bounced, so the split is readable in a pipe or a mail.
 */
public final class BarChart {
    private BarChart() {
    }

    public static String bar(long sent, long deferred, long bounced, long max, int width, boolean color) {
        long total = sent + deferred + bounced;
        if (total == 0 || max <= 0) {
            return "";
        }
        int len = (int) Math.max(1, Math.round((double) total * width / max));
        int b = (int) Math.round((double) bounced * len / total);
        int d = (int) Math.round((double) deferred * len / total);
        if (bounced > 0 && b == 0) {
            b = 1;
        }
        if (deferred > 0 && d == 0) {
            d = 1;
        }
        int s = Math.max(0, len - b - d);
        if (color) {
            return Ansi.green(true, "\u2588".repeat(s)) + Ansi.yellow(true, "\u2588".repeat(d))
                    + Ansi.red(true, "\u2588".repeat(b));
        }
        return "=".repeat(s) + "~".repeat(d) + "x".repeat(b);
    }

    public static String legend(boolean color) {
        return color ? Ansi.green(true, "\u2588") + " sent  " + Ansi.yellow(true, "\u2588") + " deferred  "
                + Ansi.red(true, "\u2588") + " bounced" : "= sent  ~ deferred  x bounced";
    }
}
