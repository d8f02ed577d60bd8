package dev.winnow.server.design;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Draws fabrics: the swatch (each thread {@code px} pixels wide, shaded as a round yarn that
 * dips at its interlacings), a full-repeat tile, a thumbnail, and the black-and-white draft
 * (threading, tie-up, treadling, drawdown).
 */
public final class Render {

    static {
        ImageIO.setUseCache(false);
    }

    private Render() {
    }

    /** A swatch of {@code w}×{@code h} pixels, threads {@code px} pixels wide, the repeat tiled. */
    public static BufferedImage swatch(final Fabric f, final int px, final int w, final int h) {
        final BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        final int[] data = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        final double[] across = new double[px];
        final double[] along = new double[px];
        for (int k = 0; k < px; k++) {
            across[k] = px < 3 ? 1 : 0.70 + 0.38 * Math.sin(Math.PI * (k + 0.5) / px);
            along[k] = px >= 4 && (k == 0 || k == px - 1) ? 0.86 : 1;
        }
        final int[] rgb = new int[f.palette.size()];
        for (int c = 0; c < rgb.length; c++) {
            rgb[c] = f.palette.get(c).rgb();
        }
        for (int y = 0; y < h; y++) {
            final int pick = y / px;
            final int py = y % px;
            for (int x = 0; x < w; x++) {
                final int end = x / px;
                final int pxx = x % px;
                final int e = end % f.warp.length;
                final int p = pick % f.weft.length;
                final boolean up = f.up[p][e];
                final int base = rgb[up ? f.warp[e] : f.weft[p]];
                final double fac = up ? across[pxx] * along[py] : across[py] * along[pxx];
                data[y * w + x] = shade(base, fac);
            }
        }
        return img;
    }

    private static int shade(final int rgb, final double f) {
        final int r = Math.min(255, (int) (((rgb >> 16) & 0xff) * f));
        final int g = Math.min(255, (int) (((rgb >> 8) & 0xff) * f));
        final int b = Math.min(255, (int) ((rgb & 0xff) * f));
        return (r << 16) | (g << 8) | b;
    }

    /** Exactly one full repeat. */
    public static BufferedImage tile(final Fabric f, final int px) {
        return swatch(f, px, f.ends() * px, f.picks() * px);
    }

    /** A square thumbnail: threads 2..6 px so that at least one repeat shows when it fits. */
    public static BufferedImage thumbnail(final Fabric f, final int size) {
        final int px = Math.max(2, Math.min(6, size / Math.max(f.ends(), f.picks())));
        return swatch(f, px, size, size);
    }

    /**
     * The draft: warp colours and threading on top, tie-up top right, treadling and weft colours
     * on the right, the drawdown (black = warp up) below; at most 48 ends and picks shown.
     */
    public static BufferedImage draft(final Fabric f, final int c) {
        final Weave wv = f.weave;
        final int n = Math.min(48, f.ends());
        final int m = Math.min(48, f.picks());
        final int gap = c;
        final int topH = c + gap + wv.shafts() * c + gap;
        final int rightW = gap + wv.treadles() * c + gap + c;
        final int w = n * c + rightW + 1;
        final int h = topH + m * c + 1;
        final BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        final int[] d = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        java.util.Arrays.fill(d, 0xffffff);
        // warp colours, threading (shaft 1 at the bottom), drawdown
        for (int e = 0; e < n; e++) {
            final int x = e * c;
            box(d, w, x, 0, c, c, f.palette.get(f.warp[e]).rgb(), true);
            for (int s = 0; s < wv.shafts(); s++) {
                final int y = c + gap + (wv.shafts() - 1 - s) * c;
                box(d, w, x, y, c, c, wv.threading()[e % wv.warpRepeat()] == s ? 0x202020 : 0xffffff, true);
            }
            for (int p = 0; p < m; p++) {
                box(d, w, x, topH + p * c, c, c, f.up[p][e] ? 0x202020 : 0xffffff, true);
            }
        }
        final int x0 = n * c + gap;
        for (int s = 0; s < wv.shafts(); s++) {
            final int y = c + gap + (wv.shafts() - 1 - s) * c;
            for (int t = 0; t < wv.treadles(); t++) {
                box(d, w, x0 + t * c, y, c, c, wv.tieup()[s][t] ? 0x202020 : 0xffffff, true);
            }
        }
        for (int p = 0; p < m; p++) {
            final int y = topH + p * c;
            for (int t = 0; t < wv.treadles(); t++) {
                box(d, w, x0 + t * c, y, c, c, wv.treadling()[p % wv.weftRepeat()] == t ? 0x202020 : 0xffffff, true);
            }
            box(d, w, x0 + wv.treadles() * c + gap, y, c, c, f.palette.get(f.weft[p]).rgb(), true);
        }
        return img;
    }

    private static void box(final int[] d, final int w, final int x, final int y, final int bw, final int bh,
                            final int fill, final boolean grid) {
        for (int j = 0; j <= bh; j++) {
            for (int i = 0; i <= bw; i++) {
                final int idx = (y + j) * w + x + i;
                if (idx < 0 || idx >= d.length || x + i >= w) {
                    continue;
                }
                final boolean edge = i == 0 || j == 0 || i == bw || j == bh;
                if (edge && grid) {
                    d[idx] = 0x9aa4ae;
                } else if (!edge) {
                    d[idx] = fill;
                }
            }
        }
    }

    public static byte[] png(final BufferedImage img) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
