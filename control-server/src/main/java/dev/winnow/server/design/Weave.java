package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A weave structure as a loom draft: threading (shaft per warp end, 0-based), tie-up
 * ({@code tieup[shaft][treadle]} true = that shaft rises with that treadle, rising shed) and
 * treadling (treadle per pick). A warp end shows on the face at a crossing when its shaft rises.
 */
public record Weave(String name, String label, int shafts, int treadles, int[] threading, boolean[][] tieup,
                    int[] treadling) {

    public static final Map<String, Weave> LIBRARY = library();

    public static Weave get(final String name) {
        final Weave w = LIBRARY.get(name);
        if (w == null) {
            throw new IllegalArgumentException("unknown weave '" + name + "'");
        }
        return w;
    }

    /** Warp ends in one repeat of the structure. */
    public int warpRepeat() {
        return threading.length;
    }

    /** Picks in one repeat of the structure. */
    public int weftRepeat() {
        return treadling.length;
    }

    /** True when warp end {@code end} is up (on the face) at pick {@code pick}; both wrap around. */
    public boolean warpUp(final int end, final int pick) {
        return tieup[threading[end % threading.length]][treadling[pick % treadling.length]];
    }

    /** Longest float on either face, in threads (cyclic). */
    public int maxFloat() {
        return FLOATS.computeIfAbsent(name, k -> Drawdown.maxFloat(Drawdown.of(this, warpRepeat() * 2, weftRepeat() * 2)));
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Integer> FLOATS = new java.util.concurrent.ConcurrentHashMap<>();

    public boolean isTwill() {
        return name.startsWith("twill");
    }

    /** Builds a weave with a straight draw (end i on shaft i) and straight treadling. */
    static Weave straight(final String name, final String label, final int n, final boolean[][] tieup) {
        final int[] th = new int[n];
        for (int i = 0; i < n; i++) {
            th[i] = i;
        }
        return new Weave(name, label, n, n, th, tieup, th.clone());
    }

    /** A twill with {@code up} shafts up and {@code down} down, moving one shaft per pick. */
    static Weave twill(final int up, final int down) {
        final int n = up + down;
        final boolean[][] t = new boolean[n][n];
        for (int tr = 0; tr < n; tr++) {
            for (int k = 0; k < up; k++) {
                t[(tr + k) % n][tr] = true;
            }
        }
        return straight("twill_" + up + "_" + down, up + "/" + down + " twill", n, t);
    }

    private static Map<String, Weave> library() {
        final Map<String, Weave> m = new LinkedHashMap<>();
        final boolean[][] plainTie = {{true, false}, {false, true}};
        m.put("plain", straight("plain", "plain weave", 2, plainTie));
        m.put("basket_2_2", new Weave("basket_2_2", "2/2 basket (hopsack)", 2, 2, new int[] {0, 0, 1, 1},
                plainTie, new int[] {0, 0, 1, 1}));
        for (final int[] ud : new int[][] {{2, 1}, {1, 2}, {2, 2}, {3, 1}}) {
            final Weave w = twill(ud[0], ud[1]);
            m.put(w.name(), w);
        }
        final boolean[][] sat = new boolean[5][5];
        for (int tr = 0; tr < 5; tr++) {
            sat[(tr * 2) % 5][tr] = true;
        }
        m.put("satin_5", straight("satin_5", "5-end weft-faced satin (sateen)", 5, sat));
        return m;
    }

    public static List<String> names() {
        return new ArrayList<>(LIBRARY.keySet());
    }
}
