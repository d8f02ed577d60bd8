package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.List;

/**
 * A design's genes: family, weave, and the warp and weft colour orders as runs (palette index,
 * thread count). The palette is the brief's; a design uses a few of its colours.
 */
public record Genome(Family family, String weave, List<Run> warp, List<Run> weft) {

    /** {@code count} threads of palette colour {@code colour}. */
    public record Run(int colour, int count) {
    }

    public Genome {
        warp = List.copyOf(warp);
        weft = List.copyOf(weft);
    }

    public static int length(final List<Run> runs) {
        int n = 0;
        for (final Run r : runs) {
            n += r.count();
        }
        return n;
    }

    public static int[] expand(final List<Run> runs) {
        final int[] out = new int[length(runs)];
        int i = 0;
        for (final Run r : runs) {
            for (int k = 0; k < r.count(); k++) {
                out[i++] = r.colour();
            }
        }
        return out;
    }

    /** Distinct palette indices used, in order of first use (warp, then weft). */
    public List<Integer> colours() {
        final List<Integer> out = new ArrayList<>();
        for (final Run r : warp) {
            if (!out.contains(r.colour())) {
                out.add(r.colour());
            }
        }
        for (final Run r : weft) {
            if (!out.contains(r.colour())) {
                out.add(r.colour());
            }
        }
        return out;
    }

    /** Compact text, e.g. {@code check twill_2_2 W:0x4,1x2 F:0x4,1x2}. */
    public String code() {
        return family.id() + " " + weave + " W:" + runs(warp) + " F:" + runs(weft);
    }

    private static String runs(final List<Run> rs) {
        final StringBuilder sb = new StringBuilder();
        for (final Run r : rs) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r.colour()).append('x').append(r.count());
        }
        return sb.toString();
    }

    /** Parses {@link #code()}. */
    public static Genome parse(final String code) {
        final String[] p = code.trim().split(" ");
        return new Genome(Family.parse(p[0]), p[1], parseRuns(p[2].substring(2)), parseRuns(p[3].substring(2)));
    }

    private static List<Run> parseRuns(final String s) {
        final List<Run> out = new ArrayList<>();
        for (final String r : s.split(",")) {
            final int x = r.indexOf('x');
            out.add(new Run(Integer.parseInt(r.substring(0, x)), Integer.parseInt(r.substring(x + 1))));
        }
        return out;
    }
}
