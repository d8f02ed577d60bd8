package dev.winnow.server.design;

import dev.winnow.server.design.Genome.Run;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Makes genomes within a brief: at random, by mutation and by crossover. Every result goes
 * through {@link #repair}, which projects it back onto the family's form, and then
 * {@link Constraints#check}; whatever still fails is replaced by a fresh random design.
 */
public final class Generator {

    /** A genome and how it was made ("random", "crossover+recolour", ...). */
    public record Child(Genome genome, String operator) {
    }

    private final Brief brief;

    public Generator(final Brief brief) {
        this.brief = brief;
    }

    /** Warp repeat lengths a family may take with a weave inside [min, max]. */
    public static List<Integer> warpLengths(final Family f, final Weave w, final int min, final int max) {
        final List<Integer> out = new ArrayList<>();
        final int r = w.warpRepeat();
        for (int l = r; l <= max; l += r) {
            if (l < min) {
                continue;
            }
            final boolean ok = switch (f) {
                case GINGHAM -> l % 2 == 0;
                case HOUNDSTOOTH -> l % 8 == 0;
                case STRIPE, CHECK, MELANGE -> l >= 2;
                case TWILL -> true;
            };
            if (ok) {
                out.add(l);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- random

    public Genome random(final Random rng) {
        for (int attempt = 0; attempt < 50; attempt++) {
            final Family f = brief.families().get(rng.nextInt(brief.families().size()));
            final List<String> ws = usableWeaves(f);
            if (ws.isEmpty()) {
                continue;
            }
            final Weave w = Weave.get(ws.get(rng.nextInt(ws.size())));
            final List<Integer> lengths = warpLengths(f, w, brief.repeatMin(), brief.repeatMax());
            final int len = lengths.get(rng.nextInt(lengths.size()));
            final List<Integer> cols = pickColours(f, rng);
            final List<Run> warp;
            List<Run> weft;
            switch (f) {
                case GINGHAM, HOUNDSTOOTH -> warp = List.of(new Run(cols.get(0), len / 2), new Run(cols.get(1), len / 2));
                case MELANGE -> warp = melange(cols, len, rng);
                case TWILL -> warp = rng.nextDouble() < 0.6 || len < 2
                        ? List.of(new Run(cols.get(0), len)) : stripes(cols, len, 2 + rng.nextInt(2), rng);
                default -> warp = stripes(cols, len, 2 + rng.nextInt(Math.max(1, Math.min(len - 1, 11))), rng);
            }
            if (f.symmetric()) {
                weft = warp;
            } else if (f.solidWeft()) {
                weft = List.of(new Run(cols.get(rng.nextInt(cols.size())), w.weftRepeat()));
                if (f == Family.TWILL && cols.size() > 1) {
                    weft = List.of(new Run(cols.get(cols.size() - 1), w.weftRepeat()));
                }
            } else {
                final List<Integer> wl = warpLengths(f, w, brief.repeatMin(), brief.repeatMax());
                weft = melange(cols, wl.get(rng.nextInt(wl.size())), rng);
            }
            final Genome g = repair(new Genome(f, w.name(), warp, weft), rng);
            if (g != null && Constraints.ok(brief, g)) {
                return g;
            }
        }
        throw new IllegalStateException("cannot generate a design within the brief");
    }

    private List<String> usableWeaves(final Family f) {
        final List<String> out = new ArrayList<>();
        for (final String w : brief.weavesFor(f)) {
            if (!warpLengths(f, Weave.get(w), brief.repeatMin(), brief.repeatMax()).isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private List<Integer> pickColours(final Family f, final Random rng) {
        final int max = brief.maxColours();
        final int n = switch (f) {
            case GINGHAM, HOUNDSTOOTH -> 2;
            case MELANGE -> 2 + rng.nextInt(Math.min(3, max) - 1);
            case TWILL -> 1 + rng.nextInt(Math.min(3, max));
            default -> 2 + rng.nextInt(max - 1);
        };
        final List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < brief.palette().size(); i++) {
            idx.add(i);
        }
        if (f == Family.MELANGE) {
            // close colours: a seed and its nearest neighbours in CIELAB
            final Colour seed = brief.palette().get(rng.nextInt(idx.size()));
            idx.sort((a, b) -> Double.compare(seed.deltaE(brief.palette().get(a)), seed.deltaE(brief.palette().get(b))));
            final List<Integer> out = new ArrayList<>(idx.subList(0, Math.min(n + 1, idx.size())));
            Collections.shuffle(out, rng);
            return new ArrayList<>(out.subList(0, n));
        }
        Collections.shuffle(idx, rng);
        return new ArrayList<>(idx.subList(0, n));
    }

    private static List<Run> stripes(final List<Integer> cols, final int len, final int wantRuns, final Random rng) {
        final int n = Math.max(1, Math.min(wantRuns, len));
        final double[] wts = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            wts[i] = 0.3 + -Math.log(1 - rng.nextDouble());
            sum += wts[i];
        }
        final int[] widths = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            widths[i] = Math.max(1, (int) Math.round(wts[i] / sum * len));
            total += widths[i];
        }
        fixSum(widths, len, rng);
        final List<Run> out = new ArrayList<>();
        int prev = -1;
        for (int i = 0; i < n; i++) {
            int c;
            int guard = 0;
            do {
                c = cols.get(rng.nextInt(cols.size()));
            } while ((c == prev || (i == n - 1 && n > 2 && c == out.get(0).colour())) && cols.size() > 1 && guard++ < 20);
            out.add(new Run(c, widths[i]));
            prev = c;
        }
        return out;
    }

    private static List<Run> melange(final List<Integer> cols, final int len, final Random rng) {
        final List<Run> out = new ArrayList<>();
        int sum = 0;
        int prev = -1;
        while (sum < len) {
            final int w = Math.min(len - sum, 1 + rng.nextInt(2));
            int c = cols.get(rng.nextInt(cols.size()));
            if (c == prev && cols.size() > 1) {
                c = cols.get((cols.indexOf(c) + 1) % cols.size());
            }
            out.add(new Run(c, w));
            sum += w;
            prev = c;
        }
        return out;
    }

    private static void fixSum(final int[] widths, final int target, final Random rng) {
        int total = 0;
        for (final int w : widths) {
            total += w;
        }
        int guard = 0;
        while (total != target && guard++ < 10_000) {
            final int i = rng.nextInt(widths.length);
            if (total < target) {
                widths[i]++;
                total++;
            } else if (widths[i] > 1) {
                widths[i]--;
                total--;
            }
        }
    }

    // ---------------------------------------------------------------- mutation and crossover

    public Child mutate(final Genome g, final Random rng) {
        final int n = 1 + (rng.nextDouble() < 0.35 ? 1 : 0);
        Genome cur = g;
        final List<String> ops = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            final String op = OPS[rng.nextInt(OPS.length)];
            cur = apply(op, cur, rng);
            ops.add(op);
        }
        return new Child(cur, String.join("+", ops));
    }

    static final String[] OPS = {"recolour", "recolour", "widths", "widths", "insert", "delete", "weave", "swap", "scale"};

    private Genome apply(final String op, final Genome g, final Random rng) {
        final boolean onWeft = !g.family().symmetric() && rng.nextDouble() < 0.3;
        final List<Run> runs = new ArrayList<>(onWeft ? g.weft() : g.warp());
        final int pal = brief.palette().size();
        switch (op) {
            case "recolour" -> {
                final int i = rng.nextInt(runs.size());
                final List<Integer> used = g.colours();
                final int c = rng.nextDouble() < 0.5 && used.size() > 1 ? used.get(rng.nextInt(used.size())) : rng.nextInt(pal);
                runs.set(i, new Run(c, runs.get(i).count()));
            }
            case "widths" -> {
                final int i = rng.nextInt(runs.size());
                final int d = (rng.nextBoolean() ? 1 : -1) * (1 + rng.nextInt(3));
                runs.set(i, new Run(runs.get(i).colour(), Math.max(1, runs.get(i).count() + d)));
                if (runs.size() > 1) {
                    final int j = (i + 1) % runs.size();
                    runs.set(j, new Run(runs.get(j).colour(), Math.max(1, runs.get(j).count() - d)));
                }
            }
            case "insert" -> {
                final int i = rng.nextInt(runs.size() + 1);
                final List<Integer> used = g.colours();
                final int c = rng.nextDouble() < 0.6 ? used.get(rng.nextInt(used.size())) : rng.nextInt(pal);
                runs.add(i, new Run(c, 1 + rng.nextInt(4)));
            }
            case "delete" -> {
                if (runs.size() > 2) {
                    runs.remove(rng.nextInt(runs.size()));
                }
            }
            case "swap" -> {
                final List<Integer> used = g.colours();
                final int from = used.get(rng.nextInt(used.size()));
                final int to = rng.nextInt(pal);
                final List<Run> w2 = new ArrayList<>();
                for (final Run r : g.warp()) {
                    w2.add(r.colour() == from ? new Run(to, r.count()) : r);
                }
                final List<Run> f2 = new ArrayList<>();
                for (final Run r : g.weft()) {
                    f2.add(r.colour() == from ? new Run(to, r.count()) : r);
                }
                return new Genome(g.family(), g.weave(), w2, f2);
            }
            case "scale" -> {
                final boolean up = rng.nextBoolean();
                runs.replaceAll(r -> new Run(r.colour(), Math.max(1, up ? r.count() * 2 : (r.count() + 1) / 2)));
            }
            case "weave" -> {
                final List<String> ws = usableWeaves(g.family());
                return new Genome(g.family(), ws.get(rng.nextInt(ws.size())), g.warp(), g.weft());
            }
            default -> throw new IllegalArgumentException(op);
        }
        return onWeft ? new Genome(g.family(), g.weave(), g.warp(), runs)
                : new Genome(g.family(), g.weave(), runs, g.weft());
    }

    /** One-point crossover of the warp orders (and a parent's weft and weave); same family only. */
    public Child crossover(final Genome a, final Genome b, final Random rng) {
        if (a.family() != b.family()) {
            return new Child(a, "copy");
        }
        final int ca = 1 + rng.nextInt(Math.max(1, a.warp().size()));
        final int cb = rng.nextInt(Math.max(1, b.warp().size()));
        final List<Run> warp = new ArrayList<>(a.warp().subList(0, Math.min(ca, a.warp().size())));
        warp.addAll(b.warp().subList(Math.min(cb, b.warp().size()), b.warp().size()));
        final List<Run> weft = rng.nextBoolean() ? a.weft() : b.weft();
        final String weave = rng.nextBoolean() ? a.weave() : b.weave();
        return new Child(new Genome(a.family(), weave, warp, weft), "crossover");
    }

    // ---------------------------------------------------------------- repair

    /** Projects a genome onto the brief and its family's form; null when it cannot. */
    public Genome repair(final Genome in, final Random rng) {
        final Family f = in.family();
        if (!brief.families().contains(f)) {
            return null;
        }
        String weave = in.weave();
        final List<String> ws = usableWeaves(f);
        if (ws.isEmpty()) {
            return null;
        }
        if (!ws.contains(weave)) {
            weave = ws.get(rng.nextInt(ws.size()));
        }
        final Weave w = Weave.get(weave);
        final List<Integer> lengths = warpLengths(f, w, brief.repeatMin(), brief.repeatMax());
        List<Run> warp = merge(limitColours(in.warp(), in.weft(), true));
        List<Run> weft = merge(limitColours(in.warp(), in.weft(), false));
        if (warp.isEmpty()) {
            return null;
        }
        switch (f) {
            case GINGHAM, HOUNDSTOOTH -> {
                final int a = warp.get(0).colour();
                int b = -1;
                for (final Run r : warp) {
                    if (r.colour() != a) {
                        b = r.colour();
                        break;
                    }
                }
                if (b < 0) {
                    b = otherColour(a, rng);
                }
                final int len = nearest(lengths, Genome.length(warp));
                warp = List.of(new Run(a, len / 2), new Run(b, len / 2));
            }
            case MELANGE -> {
                final List<Run> clamped = new ArrayList<>();
                for (final Run r : warp) {
                    clamped.add(new Run(r.colour(), Math.min(2, r.count())));
                }
                warp = fitLength(merge2(clamped), nearest(lengths, Genome.length(clamped)), rng);
                final List<Run> wc = new ArrayList<>();
                for (final Run r : weft) {
                    wc.add(new Run(r.colour(), Math.min(2, r.count())));
                }
                weft = fitLength(merge2(wc), nearest(lengths, Genome.length(wc)), rng);
                if (distinct(warp, weft) < 2) {
                    final List<Run> x = new ArrayList<>(weft);
                    x.set(0, new Run(otherColour(x.get(0).colour(), rng), x.get(0).count()));
                    weft = merge2(x);
                    weft = fitLength(weft, nearest(lengths, Genome.length(weft)), rng);
                }
            }
            case TWILL -> {
                while (warp.size() > 3) {
                    final List<Run> x = new ArrayList<>(warp);
                    final Run last = x.remove(x.size() - 1);
                    final Run prev = x.remove(x.size() - 1);
                    x.add(new Run(prev.colour(), prev.count() + last.count()));
                    warp = x;
                }
                warp = fitLength(warp, nearest(lengths, Genome.length(warp)), rng);
            }
            default -> {
                if (distinct(warp, List.of()) < 2) {
                    final List<Run> x = new ArrayList<>(warp);
                    if (x.size() == 1) {
                        final Run r = x.get(0);
                        x.set(0, new Run(r.colour(), Math.max(1, r.count() / 2)));
                        x.add(new Run(otherColour(r.colour(), rng), Math.max(1, r.count() - r.count() / 2)));
                    } else {
                        x.set(x.size() - 1, new Run(otherColour(x.get(0).colour(), rng), x.get(x.size() - 1).count()));
                    }
                    warp = merge(x);
                }
                warp = fitLength(warp, nearest(lengths, Genome.length(warp)), rng);
                if (distinct(warp, List.of()) < 2) {
                    return null;
                }
            }
        }
        if (f.symmetric()) {
            weft = warp;
        } else if (f.solidWeft()) {
            weft = List.of(new Run(weft.get(0).colour(), w.weftRepeat()));
        }
        Genome g = new Genome(f, weave, warp, weft);
        g = limitTotalColours(g);
        // cost: swap the dearest colour for the cheapest until within the ceiling
        for (int guard = 0; guard < 8 && Critics.costPerMetre(brief, new Fabric(g, brief.palette())) > brief.maxCostPerMetre(); guard++) {
            g = cheapen(g);
        }
        return g;
    }

    private int otherColour(final int c, final Random rng) {
        final int pal = brief.palette().size();
        if (pal < 2) {
            return c;
        }
        final int o = rng.nextInt(pal - 1);
        return o >= c ? o + 1 : o;
    }

    private Genome cheapen(final Genome g) {
        final List<Integer> used = g.colours();
        int dear = used.get(0);
        for (final int c : used) {
            if (brief.palette().get(c).costPerKg() > brief.palette().get(dear).costPerKg()) {
                dear = c;
            }
        }
        int cheap = -1;
        for (int c = 0; c < brief.palette().size(); c++) {
            if (!used.contains(c) && (cheap < 0 || brief.palette().get(c).costPerKg() < brief.palette().get(cheap).costPerKg())) {
                cheap = c;
            }
        }
        if (cheap < 0 || brief.palette().get(cheap).costPerKg() >= brief.palette().get(dear).costPerKg()) {
            return g;
        }
        final int from = dear;
        final int to = cheap;
        return new Genome(g.family(), g.weave(),
                g.warp().stream().map(r -> r.colour() == from ? new Run(to, r.count()) : r).toList(),
                g.weft().stream().map(r -> r.colour() == from ? new Run(to, r.count()) : r).toList());
    }

    /** Keeps at most maxColours distinct colours (warp and weft together), mapping the rest to the nearest kept. */
    private Genome limitTotalColours(final Genome g) {
        final List<Integer> used = g.colours();
        if (used.size() <= brief.maxColours()) {
            return g;
        }
        final List<Integer> keep = used.subList(0, brief.maxColours());
        final java.util.function.UnaryOperator<Run> map = r -> keep.contains(r.colour()) ? r
                : new Run(nearestOf(keep, r.colour()), r.count());
        final List<Run> warp = merge(g.warp().stream().map(map).toList());
        final List<Run> weft = g.family().symmetric() ? warp : merge(g.weft().stream().map(map).toList());
        return new Genome(g.family(), g.weave(), warp, weft);
    }

    private List<Run> limitColours(final List<Run> warp, final List<Run> weft, final boolean wantWarp) {
        return wantWarp ? warp : weft;
    }

    private int nearestOf(final List<Integer> keep, final int c) {
        final Colour k = brief.palette().get(c);
        int best = keep.get(0);
        for (final int o : keep) {
            if (k.deltaE(brief.palette().get(o)) < k.deltaE(brief.palette().get(best))) {
                best = o;
            }
        }
        return best;
    }

    private static int distinct(final List<Run> a, final List<Run> b) {
        final java.util.Set<Integer> s = new java.util.HashSet<>();
        a.forEach(r -> s.add(r.colour()));
        b.forEach(r -> s.add(r.colour()));
        return s.size();
    }

    private static int nearest(final List<Integer> lengths, final int want) {
        int best = lengths.get(0);
        for (final int l : lengths) {
            if (Math.abs(l - want) < Math.abs(best - want)) {
                best = l;
            }
        }
        return best;
    }

    /** Merges neighbouring runs of the same colour. */
    static List<Run> merge(final List<Run> runs) {
        final List<Run> out = new ArrayList<>();
        for (final Run r : runs) {
            if (r.count() <= 0) {
                continue;
            }
            if (!out.isEmpty() && out.get(out.size() - 1).colour() == r.colour()) {
                final Run last = out.remove(out.size() - 1);
                out.add(new Run(r.colour(), last.count() + r.count()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Like merge, but keeps runs at most 2 long (melange). */
    private static List<Run> merge2(final List<Run> runs) {
        final List<Run> out = new ArrayList<>();
        for (final Run r : runs) {
            if (!out.isEmpty() && out.get(out.size() - 1).colour() == r.colour() && out.get(out.size() - 1).count() + r.count() <= 2) {
                final Run last = out.remove(out.size() - 1);
                out.add(new Run(r.colour(), last.count() + r.count()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Grows or shrinks runs (never below 1, melange never above 2) until the total is {@code target}. */
    private static List<Run> fitLength(final List<Run> runs, final int target, final Random rng) {
        final List<Run> x = new ArrayList<>(runs);
        int total = Genome.length(x);
        final boolean mel = x.stream().allMatch(r -> r.count() <= 2);
        int guard = 0;
        while (total != target && guard++ < 10_000) {
            if (total > target) {
                final int i = rng.nextInt(x.size());
                final Run r = x.get(i);
                if (r.count() > 1) {
                    x.set(i, new Run(r.colour(), r.count() - 1));
                    total--;
                } else if (x.size() > 2 && total - 1 >= target) {
                    x.remove(i);
                    total--;
                }
            } else {
                final int i = rng.nextInt(x.size());
                final Run r = x.get(i);
                if (mel && r.count() >= 2) {
                    final int c = x.get((i + 1) % x.size()).colour() == r.colour() ? x.get((i + x.size() - 1) % x.size()).colour() : x.get((i + 1) % x.size()).colour();
                    x.add(i + 1, new Run(c, 1));
                } else {
                    x.set(i, new Run(r.colour(), r.count() + 1));
                }
                total++;
            }
        }
        return mel ? merge2(x) : merge(x);
    }
}
