package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MAP-Elites quality-diversity archive over two descriptors: the face's mean lightness (L*) and
 * its busyness (colour changes per thread). Each of the 6×6 cells keeps its best design, so the
 * parents and the suggested shortlist span dark and light, quiet and busy — not a hundred near-copies.
 */
public final class Archive<T> {

    static final double[] L_EDGES = {30, 45, 60, 72, 84};
    static final double[] B_EDGES = {0.03, 0.08, 0.15, 0.3, 0.5};
    public static final String[] L_NAMES = {"very dark", "dark", "mid-dark", "mid", "light", "very light"};
    public static final String[] B_NAMES = {"solid", "quiet", "calm", "lively", "busy", "very busy"};

    private record Slot<T>(T item, double total) {
    }

    private final Map<String, Slot<T>> cells = new LinkedHashMap<>();

    public static String cell(final Fabric f) {
        return cell(f.meanLab()[0], f.busyness());
    }

    public static String cell(final double lightness, final double busyness) {
        return "L" + bin(lightness, L_EDGES) + "-B" + bin(busyness, B_EDGES);
    }

    static int bin(final double v, final double[] edges) {
        int i = 0;
        while (i < edges.length && v >= edges[i]) {
            i++;
        }
        return i;
    }

    /** Puts {@code item} in its cell if the cell is empty or it beats the incumbent; true if it went in. */
    public boolean offer(final String cell, final T item, final double total) {
        final Slot<T> cur = cells.get(cell);
        if (cur == null || total > cur.total()) {
            cells.put(cell, new Slot<>(item, total));
            return true;
        }
        return false;
    }

    public int size() {
        return cells.size();
    }

    public List<T> elites() {
        final List<T> out = new ArrayList<>();
        cells.values().forEach(s -> out.add(s.item()));
        return out;
    }

    /** Elites best first. */
    public List<T> best(final int n) {
        return cells.values().stream().sorted(Comparator.comparingDouble(s -> -s.total())).limit(n)
                .map(Slot::item).toList();
    }

    public Map<String, T> byCell() {
        final Map<String, T> out = new LinkedHashMap<>();
        cells.forEach((k, v) -> out.put(k, v.item()));
        return out;
    }
}
