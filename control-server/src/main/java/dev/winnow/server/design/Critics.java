package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The automatic critics. Each returns a score in [0, 1] with its reason in words; the total is
 * the brief's weighted mean of them plus the people's (preference) and the market's scores.
 */
public final class Critics {

    /** One critic's verdict. */
    public record Score(String name, double value, String reason) {
    }

    private final Brief brief;
    private final Catalogue catalogue;
    private final Preference preference;

    public Critics(final Brief brief, final Catalogue catalogue, final Preference preference) {
        this.brief = brief;
        this.catalogue = catalogue;
        this.preference = preference;
    }

    public Brief brief() {
        return brief;
    }

    /** All critics in {@link Brief#OBJECTIVES} order; {@code market} is supplied by the caller. */
    public List<Score> score(final Fabric f, final Score market) {
        final List<Score> out = new ArrayList<>(7);
        out.add(harmony(f));
        out.add(contrast(f));
        out.add(manufacturability(brief, f));
        out.add(cost(brief, f));
        out.add(catalogue.novelty(features(f)));
        out.add(preference.score(features(f)));
        out.add(market);
        return out;
    }

    public double total(final List<Score> scores) {
        double s = 0;
        double w = 0;
        for (final Score sc : scores) {
            final double wt = brief.weight(sc.name());
            s += wt * sc.value();
            w += wt;
        }
        return w == 0 ? 0 : s / w;
    }

    /** Colours covering at least 2 % of the face. */
    static List<Colour> visible(final Fabric f) {
        final List<Colour> out = new ArrayList<>();
        for (int c = 0; c < f.share.length; c++) {
            if (f.share[c] >= 0.02) {
                out.add(f.palette.get(c));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ harmony

    /** How well two hues a {@code d}-degree apart sit together: analogous, triadic and complementary pairs score high. */
    static double hueAffinity(final double d) {
        final double analogous = Math.exp(-Math.pow(d / 35, 2));
        final double triad = 0.8 * Math.exp(-Math.pow((d - 120) / 18, 2));
        final double complement = 0.95 * Math.exp(-Math.pow((d - 180) / 30, 2));
        return Math.max(0.25, Math.max(analogous, Math.max(triad, complement)));
    }

    public static Score harmony(final Fabric f) {
        final List<Colour> vis = visible(f);
        final List<Colour> chromatic = new ArrayList<>();
        final List<String> neutrals = new ArrayList<>();
        for (final Colour c : vis) {
            if (c.chroma() > 15) {
                chromatic.add(c);
            } else {
                neutrals.add(c.name());
            }
        }
        double hue;
        String hueWhy;
        if (chromatic.size() < 2) {
            hue = 0.9;
            hueWhy = chromatic.isEmpty() ? "all neutrals" : "one hue (" + chromatic.get(0).name() + ") on neutrals";
        } else {
            double sum = 0;
            double wsum = 0;
            double worst = 2;
            String worstPair = "";
            double maxD = 0;
            for (int i = 0; i < chromatic.size(); i++) {
                for (int j = i + 1; j < chromatic.size(); j++) {
                    final Colour a = chromatic.get(i);
                    final Colour b = chromatic.get(j);
                    double d = Math.abs(a.hue() - b.hue());
                    d = d > 180 ? 360 - d : d;
                    maxD = Math.max(maxD, d);
                    double aff = hueAffinity(d);
                    if (aff < 0.5 && a.chroma() > 45 && b.chroma() > 45) {
                        aff *= 0.6; // two strong colours at an awkward angle clash
                    }
                    final double w = Math.min(a.chroma(), b.chroma());
                    sum += aff * w;
                    wsum += w;
                    if (aff < worst) {
                        worst = aff;
                        worstPair = String.format(Locale.ROOT, "%s/%s %.0f°", a.name(), b.name(), d);
                    }
                }
            }
            hue = sum / wsum;
            hueWhy = worst >= 0.6
                    ? String.format(Locale.ROOT, "%s hues (widest %.0f°)", maxD < 45 ? "analogous" : maxD > 150 ? "complementary" : "balanced", maxD)
                    : "awkward hue pair " + worstPair;
        }
        double minL = 100;
        double maxL = 0;
        for (final Colour c : vis) {
            minL = Math.min(minL, c.l());
            maxL = Math.max(maxL, c.l());
        }
        final double lightness = vis.size() < 2 ? 0.6 : smooth(maxL - minL, 8, 45);
        final double v = 0.7 * hue + 0.3 * lightness;
        return new Score("harmony", v, String.format(Locale.ROOT, "%s%s; lightness L* %.0f–%.0f", hueWhy,
                neutrals.isEmpty() ? "" : " with " + String.join(", ", neutrals), minL, maxL));
    }

    // ------------------------------------------------------------------ contrast

    public static Score contrast(final Fabric f) {
        final List<Colour> vis = visible(f);
        if (vis.size() < 2) {
            return new Score("contrast", 0.3, "one colour: only the weave makes a pattern");
        }
        double max = -1;
        double min = 1e9;
        String maxPair = "";
        String minPair = "";
        for (int i = 0; i < vis.size(); i++) {
            for (int j = i + 1; j < vis.size(); j++) {
                final double d = vis.get(i).deltaE(vis.get(j));
                if (d > max) {
                    max = d;
                    maxPair = vis.get(i).name() + "/" + vis.get(j).name();
                }
                if (d < min) {
                    min = d;
                    minPair = vis.get(i).name() + "/" + vis.get(j).name();
                }
            }
        }
        final boolean subtle = f.genome.family() == Family.MELANGE;
        final double legible = subtle ? 1 - 0.8 * smooth(max, 30, 70) : smooth(max, 12, 50);
        final double distinct = smooth(min, 3, 15);
        final double v = 0.7 * legible + 0.3 * distinct;
        String why = String.format(Locale.ROOT, "strongest %s ΔE %.0f", maxPair, max);
        if (vis.size() > 2) {
            why += String.format(Locale.ROOT, ", closest %s ΔE %.0f%s", minPair, min, min < 6 ? " (look alike)" : "");
        }
        if (subtle) {
            why += max > 40 ? "; too loud for a melange" : "; quiet, as a melange should be";
        } else if (max < 20) {
            why += "; pattern barely readable";
        }
        return new Score("contrast", v, why);
    }

    // ------------------------------------------------------------------ manufacturability

    public static Score manufacturability(final Brief b, final Fabric f) {
        final int flt = Drawdown.maxFloat(f.up);
        final Set<Integer> weftCols = new HashSet<>();
        for (final int c : f.weft) {
            weftCols.add(c);
        }
        int weftChanges = 0;
        for (int j = 0; j < f.weft.length; j++) {
            weftChanges += f.weft[j] != f.weft[(j + 1) % f.weft.length] ? 1 : 0;
        }
        int ones = 0;
        for (final Genome.Run r : f.genome.warp()) {
            ones += r.count() == 1 ? 1 : 0;
        }
        final int colours = f.genome.colours().size();
        final int wl = Genome.length(f.genome.warp());
        double pen = 0.08 * (flt - 1);
        pen += weftCols.size() > 4 ? 0.25 : 0;
        pen += Math.min(0.2, 0.006 * weftChanges * 100.0 / Math.max(1, f.weft.length) / 2);
        pen += 0.05 * Math.max(0, f.weave.shafts() - 4);
        pen += 0.1 * wl / (double) b.repeatMax();
        pen += f.genome.family() == Family.MELANGE ? 0 : 0.15 * ones / Math.max(1, f.genome.warp().size());
        pen += 0.08 * colours / b.maxColours();
        final double v = clamp(1 - pen);
        return new Score("manufacturability", v, String.format(Locale.ROOT,
                "float %d (limit %d), %d colour%s, %d weft colour%s with %d changes per repeat, %d shafts, repeat %d×%d",
                flt, b.maxFloat(), colours, colours == 1 ? "" : "s", weftCols.size(), weftCols.size() == 1 ? "" : "s",
                weftChanges, f.weave.shafts(), f.ends(), f.picks()));
    }

    // ------------------------------------------------------------------ cost

    /** Weaving cost per metre: loom time grows with shafts and weft colours. */
    public static double weavingCost(final int shafts, final int weftColours) {
        return 0.9 + 0.08 * shafts + 0.12 * (weftColours - 1);
    }

    /** Yarn (by colour, dyed-yarn prices) plus weaving, EUR per metre. */
    public static double costPerMetre(final Brief b, final Fabric f) {
        return yarnCost(b, f) + weavingCost(f.weave.shafts(), weftColours(f));
    }

    static double yarnCost(final Brief b, final Fabric f) {
        double warp = 0;
        for (final int c : f.warp) {
            warp += f.palette.get(c).costPerKg();
        }
        double weft = 0;
        for (final int c : f.weft) {
            weft += f.palette.get(c).costPerKg();
        }
        return (warp / f.warp.length * b.warpGramsPerMetre() + weft / f.weft.length * b.weftGramsPerMetre()) / 1000.0;
    }

    static int weftColours(final Fabric f) {
        final Set<Integer> s = new HashSet<>();
        for (final int c : f.weft) {
            s.add(c);
        }
        return s.size();
    }

    public static Score cost(final Brief b, final Fabric f) {
        final double yarn = yarnCost(b, f);
        final double weave = weavingCost(f.weave.shafts(), weftColours(f));
        final double total = yarn + weave;
        return new Score("cost", clamp(1 - 0.8 * total / b.maxCostPerMetre()), String.format(Locale.ROOT,
                "EUR %.2f/m of %.2f allowed: yarn %.2f, weaving %.2f", total, b.maxCostPerMetre(), yarn, weave));
    }

    // ------------------------------------------------------------------ features

    /** Names of {@link #features} entries, for the preference model's reasons. */
    public static final String[] FEATURES = {"lightness", "red-green", "yellow-blue", "colourfulness",
        "light-dark spread", "colour count", "busyness", "float length", "twill", "strongest contrast"};

    /** A design as ten numbers of similar scale (0..1-ish) for novelty and preference. */
    public static double[] features(final Fabric f) {
        final double[] m = f.meanLab();
        double chroma = 0;
        double lvar = 0;
        for (int c = 0; c < f.share.length; c++) {
            if (f.share[c] > 0) {
                final Colour k = f.palette.get(c);
                chroma += f.share[c] * k.chroma();
                lvar += f.share[c] * (k.l() - m[0]) * (k.l() - m[0]);
            }
        }
        double maxDe = 0;
        final List<Colour> vis = visible(f);
        for (int i = 0; i < vis.size(); i++) {
            for (int j = i + 1; j < vis.size(); j++) {
                maxDe = Math.max(maxDe, vis.get(i).deltaE(vis.get(j)));
            }
        }
        return new double[] {m[0] / 100, m[1] / 100, m[2] / 100, chroma / 100, Math.sqrt(lvar) / 50,
            f.genome.colours().size() / 8.0, f.busyness(), f.weave.maxFloat() / 4.0, f.weave.isTwill() ? 1 : 0,
            maxDe / 100};
    }

    static double smooth(final double x, final double lo, final double hi) {
        final double t = clamp((x - lo) / (hi - lo));
        return t * t * (3 - 2 * t);
    }

    static double clamp(final double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
}
