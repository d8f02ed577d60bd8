package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The existing catalogue novelty is judged against: house classics plus designs already shortlisted. */
public final class Catalogue {

    /** A catalogue entry as features. */
    public record Entry(String name, double[] features) {
    }

    private final List<Entry> entries;

    public Catalogue(final List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    public Catalogue plus(final List<Entry> more) {
        final List<Entry> all = new ArrayList<>(entries);
        all.addAll(more);
        return new Catalogue(all);
    }

    /** Distance to the nearest entry, scaled so 0.35 or more counts as fully new. */
    public Critics.Score novelty(final double[] x) {
        double best = Double.MAX_VALUE;
        String name = "";
        for (final Entry e : entries) {
            final double d = distance(x, e.features());
            if (d < best) {
                best = d;
                name = e.name();
            }
        }
        if (entries.isEmpty()) {
            return new Critics.Score("novelty", 1, "empty catalogue");
        }
        final double v = Math.min(1, best / 0.35);
        return new Critics.Score("novelty", v, String.format(Locale.ROOT, "nearest in catalogue: %s (distance %.2f)%s",
                name, best, v < 0.3 ? " — close to a copy" : ""));
    }

    static double distance(final double[] a, final double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            final double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** The house classics. */
    public static Catalogue classics() {
        final List<Entry> out = new ArrayList<>();
        add(out, "Navy gingham", "gingham plain W:0x4,1x4 F:0x4,1x4", "#1f2a44", "#f7f7f2");
        add(out, "Black and white houndstooth", "houndstooth twill_2_2 W:0x4,1x4 F:0x4,1x4", "#1a1a1a", "#f5f5f3");
        add(out, "Indigo denim", "twill twill_3_1 W:0x24 F:1x4", "#2b3d63", "#e8e4d8");
        add(out, "Royal tartan", "check twill_2_2 W:0x16,1x4,0x4,2x8,0x4,3x4 F:0x16,1x4,0x4,2x8,0x4,3x4",
                "#b0202a", "#1f2a44", "#1e4d3a", "#e0c040");
        add(out, "Oxford blue", "melange basket_2_2 W:0x1,1x1,0x2 F:1x2,0x2", "#a9cbe3", "#f7f7f2");
        add(out, "Breton stripe", "stripe plain W:0x12,1x6 F:0x2", "#f7f7f2", "#1b2a4a");
        add(out, "Camel twill", "twill twill_2_2 W:0x4 F:1x4", "#b08a5a", "#4a3024");
        add(out, "Bengal stripe", "stripe plain W:0x4,1x4 F:0x2", "#f7f7f2", "#2f6f9f");
        add(out, "Grey glen check", "check twill_2_2 W:0x4,1x4,0x2,1x2 F:0x4,1x4,0x2,1x2", "#33363b", "#d8d0c0");
        add(out, "Red buffalo check", "check twill_2_2 W:0x16,1x16 F:0x16,1x16", "#b0202a", "#1a1a1a");
        return new Catalogue(out);
    }

    private static void add(final List<Entry> out, final String name, final String code, final String... hex) {
        final List<Colour> pal = new ArrayList<>();
        for (final String h : hex) {
            pal.add(Colour.of(h, h, "", 13));
        }
        out.add(new Entry(name, Critics.features(new Fabric(Genome.parse(code), pal))));
    }
}
