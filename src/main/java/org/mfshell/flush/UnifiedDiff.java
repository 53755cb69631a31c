package org.mfshell.flush;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A unified diff ({@code diff -u} layout, three lines of context) between two texts, used to
 * show a file change before it is made. Line-based LCS: config files are small.
 */
public final class UnifiedDiff {
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /** The diff, or an empty string when the texts are equal. A null text is an absent file. */
    public static String diff(String oldName, String oldText, String newName, String newText) {
        if (oldText == null ? newText == null : oldText.equals(newText)) {
            return "";
        }
        List<String> a = lines(oldText);
        List<String> b = lines(newText);
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        // Edit script: ' ' keep, '-' delete, '+' insert, with positions in both files.
        List<char[]> ops = new ArrayList<>();
        List<int[]> pos = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                ops.add(new char[] {' '});
                pos.add(new int[] {i++, j++});
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add(new char[] {'-'});
                pos.add(new int[] {i++, j});
            } else {
                ops.add(new char[] {'+'});
                pos.add(new int[] {i, j++});
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(oldText == null ? "/dev/null" : oldName).append('\n');
        sb.append("+++ ").append(newText == null ? "/dev/null" : newName).append('\n');
        int k = 0;
        while (k < ops.size()) {
            if (ops.get(k)[0] == ' ') {
                k++;
                continue;
            }
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            // Extend the hunk while changes are closer than 2*CONTEXT lines apart.
            int lastChange = k;
            while (end < ops.size()) {
                if (ops.get(end)[0] != ' ') {
                    lastChange = end;
                } else if (end - lastChange > 2 * CONTEXT) {
                    break;
                }
                end++;
            }
            end = Math.min(ops.size(), lastChange + CONTEXT + 1);
            int oldStart = pos.get(start)[0];
            int newStart = pos.get(start)[1];
            int oldCount = 0;
            int newCount = 0;
            StringBuilder body = new StringBuilder();
            for (int x = start; x < end; x++) {
                char op = ops.get(x)[0];
                int[] p = pos.get(x);
                String line = op == '+' ? b.get(p[1]) : a.get(p[0]);
                body.append(op).append(line).append('\n');
                if (op != '+') {
                    oldCount++;
                }
                if (op != '-') {
                    newCount++;
                }
            }
            sb.append("@@ -").append(range(oldStart, oldCount)).append(" +").append(range(newStart, newCount))
                    .append(" @@\n").append(body);
            k = end;
        }
        return sb.toString();
    }

    private static String range(int start, int count) {
        return count == 0 ? start + ",0" : (start + 1) + "," + count;
    }

    private static List<String> lines(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return Arrays.asList(t.split("\n", -1));
    }
}
