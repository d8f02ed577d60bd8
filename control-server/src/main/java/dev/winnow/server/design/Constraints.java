package dev.winnow.server.design;

import dev.winnow.server.design.Genome.Run;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The brief's hard limits. A design that breaks any of them is never shown. */
public final class Constraints {

    private Constraints() {
    }

    public static boolean ok(final Brief b, final Genome g) {
        return check(b, g).isEmpty();
    }

    /** Every broken limit, in words; empty when the design is within the brief. */
    public static List<String> check(final Brief b, final Genome g) {
        final List<String> v = new ArrayList<>();
        final Family f = g.family();
        if (!b.families().contains(f)) {
            v.add("family " + f.id() + " is not in the brief");
        }
        if (!Weave.LIBRARY.containsKey(g.weave())) {
            v.add("unknown weave " + g.weave());
            return v;
        }
        final Weave w = Weave.get(g.weave());
        if (!b.weaves().contains(g.weave())) {
            v.add("weave " + g.weave() + " is not allowed by the brief");
        }
        if (!f.allows(g.weave())) {
            v.add(f.id() + " is not woven " + g.weave());
        }
        if (g.warp().isEmpty() || g.weft().isEmpty()) {
            v.add("empty warp or weft");
            return v;
        }
        final Set<Integer> cols = new HashSet<>();
        for (final Run r : g.warp()) {
            cols.add(r.colour());
            if (r.count() < 1) {
                v.add("warp run of " + r.count() + " threads");
            }
        }
        for (final Run r : g.weft()) {
            cols.add(r.colour());
            if (r.count() < 1) {
                v.add("weft run of " + r.count() + " threads");
            }
        }
        for (final int c : cols) {
            if (c < 0 || c >= b.palette().size()) {
                v.add("colour " + c + " is not in the palette");
                return v;
            }
        }
        if (cols.size() > b.maxColours()) {
            v.add(cols.size() + " colours, more than " + b.maxColours());
        }
        final int wl = Genome.length(g.warp());
        final int fl = Genome.length(g.weft());
        if (wl < b.repeatMin() || wl > b.repeatMax()) {
            v.add("warp repeat " + wl + " outside " + b.repeatMin() + ".." + b.repeatMax());
        }
        if (wl % w.warpRepeat() != 0) {
            v.add("warp repeat " + wl + " is not a multiple of the weave's " + w.warpRepeat());
        }
        if (fl % w.weftRepeat() != 0) {
            v.add("weft repeat " + fl + " is not a multiple of the weave's " + w.weftRepeat());
        }
        if (f.symmetric() && !g.weft().equals(g.warp())) {
            v.add(f.id() + ": the weft must repeat the warp");
        }
        if (f.solidWeft() && g.weft().size() != 1) {
            v.add(f.id() + ": the weft must be one colour");
        }
        if (!f.solidWeft() && (fl < b.repeatMin() || fl > b.repeatMax())) {
            v.add("weft repeat " + fl + " outside " + b.repeatMin() + ".." + b.repeatMax());
        }
        switch (f) {
            case GINGHAM, HOUNDSTOOTH -> {
                if (g.warp().size() != 2 || g.warp().get(0).count() != g.warp().get(1).count()
                        || g.warp().get(0).colour() == g.warp().get(1).colour()) {
                    v.add(f.id() + ": two colours in equal bands");
                } else if (f == Family.HOUNDSTOOTH && g.warp().get(0).count() % 4 != 0) {
                    v.add("houndstooth: bands must be multiples of 4 threads");
                }
            }
            case MELANGE -> {
                for (final Run r : g.warp()) {
                    if (r.count() > 2) {
                        v.add("melange: warp run of " + r.count() + " threads (at most 2)");
                        break;
                    }
                }
                for (final Run r : g.weft()) {
                    if (r.count() > 2) {
                        v.add("melange: weft run of " + r.count() + " threads (at most 2)");
                        break;
                    }
                }
                if (cols.size() < 2) {
                    v.add("melange: at least 2 colours");
                }
            }
            case STRIPE, CHECK -> {
                if (g.warp().stream().map(Run::colour).distinct().count() < 2) {
                    v.add(f.id() + ": the warp needs at least 2 colours");
                }
            }
            case TWILL -> {
                if (g.warp().size() > 3) {
                    v.add("twill: at most 3 warp stripes");
                }
            }
        }
        final Fabric fab = new Fabric(g, b.palette());
        final int flt = Drawdown.maxFloat(fab.up);
        if (flt > b.maxFloat()) {
            v.add("float of " + flt + " threads, more than " + b.maxFloat());
        }
        final double cost = Critics.costPerMetre(b, fab);
        if (cost > b.maxCostPerMetre() + 1e-9) {
            v.add(String.format(Locale.ROOT, "costs EUR %.2f/m, above %.2f", cost, b.maxCostPerMetre()));
        }
        return v;
    }
}
