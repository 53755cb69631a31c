package org.mfshell.cli;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean": the known word nearest to a typo, by Damerau-Levenshtein distance (optimal
 * string alignment: insert, delete, replace, swap two neighbours), when it is at most 2 and
 * less than the typo's length, and no other word is as near. Also a word the typo starts.
 */
public final class Suggest {
    private static final int MAX = 2;

    private Suggest() {
    }

    public static Optional<String> nearest(String typo, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean tie = false;
        for (String k : known) {
            int d = distance(typo, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance && !k.equals(best)) {
                tie = true;
            }
        }
        if (best != null && bestDistance <= MAX && bestDistance < typo.length() && !tie) {
            return Optional.of(best);
        }
        String prefixed = null;
        for (String k : known) {
            if (typo.length() >= 3 && k.startsWith(typo)) {
                if (prefixed != null) {
                    return Optional.empty();
                }
                prefixed = k;
            }
        }
        return Optional.ofNullable(prefixed);
    }

    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
