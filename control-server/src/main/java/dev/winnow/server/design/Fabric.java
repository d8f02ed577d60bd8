package dev.winnow.server.design;

import java.util.List;

/**
 * A genome expanded thread by thread over one full repeat: warp end and pick colours (palette
 * indices), the weave, the drawdown, and what the critics need. Immutable once built.
 */
public final class Fabric {

    public final Genome genome;
    public final Weave weave;
    public final List<Colour> palette;
    /** Palette index per warp end / per pick over the full repeat. */
    public final int[] warp;
    public final int[] weft;
    /** {@code up[pick][end]}: warp on the face. */
    public final boolean[][] up;
    /** Share of the face showing each palette colour. */
    public final double[] share;

    public Fabric(final Genome g, final List<Colour> palette) {
        this.genome = g;
        this.weave = Weave.get(g.weave());
        this.palette = palette;
        final int[] wc = Genome.expand(g.warp());
        final int[] fc = Genome.expand(g.weft());
        final int ends = lcm(wc.length, weave.warpRepeat());
        final int picks = lcm(fc.length, weave.weftRepeat());
        warp = new int[ends];
        weft = new int[picks];
        for (int i = 0; i < ends; i++) {
            warp[i] = wc[i % wc.length];
        }
        for (int j = 0; j < picks; j++) {
            weft[j] = fc[j % fc.length];
        }
        up = Drawdown.of(weave, ends, picks);
        share = new double[palette.size()];
        for (int j = 0; j < picks; j++) {
            for (int i = 0; i < ends; i++) {
                share[up[j][i] ? warp[i] : weft[j]]++;
            }
        }
        for (int c = 0; c < share.length; c++) {
            share[c] /= (double) ends * picks;
        }
    }

    public int ends() {
        return warp.length;
    }

    public int picks() {
        return weft.length;
    }

    /** Palette index seen on the face at (end, pick), wrapping. */
    public int colourAt(final int end, final int pick) {
        final int e = end % warp.length;
        final int p = pick % weft.length;
        return up[p][e] ? warp[e] : weft[p];
    }

    /** Colour changes between neighbouring threads, per thread, warp and weft together (0..1). */
    public double busyness() {
        int changes = 0;
        for (int i = 0; i < warp.length; i++) {
            changes += warp[i] != warp[(i + 1) % warp.length] ? 1 : 0;
        }
        for (int j = 0; j < weft.length; j++) {
            changes += weft[j] != weft[(j + 1) % weft.length] ? 1 : 0;
        }
        return changes / (double) (warp.length + weft.length);
    }

    /** Area-weighted mean CIELAB of the face. */
    public double[] meanLab() {
        final double[] m = new double[3];
        for (int c = 0; c < share.length; c++) {
            if (share[c] > 0) {
                final Colour k = palette.get(c);
                m[0] += share[c] * k.l();
                m[1] += share[c] * k.a();
                m[2] += share[c] * k.b();
            }
        }
        return m;
    }

    static int lcm(final int a, final int b) {
        return a / gcd(a, b) * b;
    }

    static int gcd(final int a, final int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
