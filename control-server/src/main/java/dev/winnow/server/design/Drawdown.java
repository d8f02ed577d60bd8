package dev.winnow.server.design;

/**
 * The drawdown: {@code up[pick][end]} true where the warp end shows on the face. Computed from a
 * weave's threading, tie-up and treadling.
 */
public final class Drawdown {

    private Drawdown() {
    }

    public static boolean[][] of(final Weave w, final int ends, final int picks) {
        final boolean[][] up = new boolean[picks][ends];
        for (int p = 0; p < picks; p++) {
            for (int e = 0; e < ends; e++) {
                up[p][e] = w.warpUp(e, p);
            }
        }
        return up;
    }

    /** Longest run of equal cells along any row or column, wrapping (a float on either face). */
    public static int maxFloat(final boolean[][] up) {
        final int h = up.length;
        final int w = up[0].length;
        int best = 0;
        for (int p = 0; p < h; p++) {
            final int pp = p;
            best = Math.max(best, cyclicRun(w, i -> up[pp][i]));
        }
        for (int e = 0; e < w; e++) {
            final int ee = e;
            best = Math.max(best, cyclicRun(h, i -> up[i][ee]));
        }
        return best;
    }

    private interface Cell {
        boolean at(int i);
    }

    private static int cyclicRun(final int n, final Cell c) {
        int best = 0;
        for (int start = 0; start < n; start++) {
            if (c.at(start) == c.at((start - 1 + n) % n) && n > 1) {
                continue; // not the start of a run
            }
            int len = 1;
            while (len < n && c.at((start + len) % n) == c.at(start)) {
                len++;
            }
            best = Math.max(best, len);
        }
        return best == 0 ? n : best;
    }

    /** Rows as strings, X for warp up: for tests and the spec. */
    public static String text(final boolean[][] up) {
        final StringBuilder sb = new StringBuilder();
        for (final boolean[] row : up) {
            for (final boolean b : row) {
                sb.append(b ? 'X' : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
