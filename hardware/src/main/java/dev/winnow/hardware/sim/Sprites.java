package dev.winnow.hardware.sim;

import java.util.Random;

/**
 * Pre-computed procedural textures, 64 x 64 texels, generated once from fixed seeds so every run
 * and every JVM draws the same. A texel holds coverage (alpha 0..255) and brightness (lum 0..255).
 * Texel u runs across an item's minor axis, v along its major axis.
 */
final class Sprites {

    static final int SIZE = 64;
    static final int TUFT_VARIANTS = 16;
    static final int SHAPE_VARIANTS = 8;

    /** One sprite: alpha and lum, row-major, {@code SIZE * SIZE}. */
    record Sprite(byte[] alpha, byte[] lum) {
    }

    static final Sprite[] TUFTS = new Sprite[TUFT_VARIANTS];
    static final Sprite[] FILMS = new Sprite[SHAPE_VARIANTS];
    static final Sprite[] PLUMES = new Sprite[SHAPE_VARIANTS];

    static {
        for (int i = 0; i < TUFT_VARIANTS; i++) {
            TUFTS[i] = tuft(new Random(1000 + i));
        }
        for (int i = 0; i < SHAPE_VARIANTS; i++) {
            FILMS[i] = film(new Random(2000 + i));
            PLUMES[i] = plume(new Random(3000 + i));
        }
    }

    private Sprites() {
    }

    /** A cotton tuft: a soft lumpy blob covered in fine fibre strokes, with wispy edges. */
    private static Sprite tuft(final Random r) {
        final int n = SIZE * SIZE;
        final float[] field = new float[n];
        final int blobs = 5 + r.nextInt(4);
        for (int b = 0; b < blobs; b++) {
            final double cx = 0.5 + 0.22 * r.nextGaussian();
            final double cy = 0.5 + 0.22 * r.nextGaussian();
            final double rad = 0.12 + 0.12 * r.nextDouble();
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    final double dx = (x + 0.5) / SIZE - cx;
                    final double dy = (y + 0.5) / SIZE - cy;
                    field[y * SIZE + x] += (float) Math.exp(-(dx * dx + dy * dy) / (2 * rad * rad));
                }
            }
        }
        final float[] alpha = new float[n];
        final float[] lum = new float[n];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                final int i = y * SIZE + x;
                final double dx = (x + 0.5) / SIZE - 0.5;
                final double dy = (y + 0.5) / SIZE - 0.5;
                final double edge = Math.max(0, 1 - Math.pow(Math.sqrt(dx * dx + dy * dy) * 2, 4));
                alpha[i] = (float) (Math.min(1, Math.max(0, (field[i] - 0.45) * 2.2)) * edge);
                lum[i] = (float) (0.80 + 0.08 * r.nextDouble());
            }
        }
        // Fibres: short bright strokes, densest where the blob is, some reaching past its edge.
        final int strokes = 260;
        for (int s = 0; s < strokes; s++) {
            double x = r.nextDouble() * SIZE;
            double y = r.nextDouble() * SIZE;
            if (alpha[(int) y * SIZE + (int) x] < 0.15 && r.nextDouble() < 0.8) {
                continue;
            }
            final double angle = r.nextDouble() * Math.PI;
            final double len = 6 + r.nextDouble() * 16;
            final float bright = (float) (0.9 + 0.1 * r.nextDouble());
            final double sx = Math.cos(angle);
            final double sy = Math.sin(angle);
            for (double t = 0; t < len; t += 0.7) {
                final int px = (int) x;
                final int py = (int) y;
                if (px >= 0 && py >= 0 && px < SIZE && py < SIZE) {
                    final int i = py * SIZE + px;
                    lum[i] = Math.max(lum[i], bright);
                    alpha[i] = Math.min(1, alpha[i] + 0.25f);
                }
                x += sx * 0.7;
                y += sy * 0.7;
            }
        }
        // Shading: folds of a tuft are darker.
        for (int i = 0; i < n; i++) {
            lum[i] *= (float) (0.9 + 0.1 * Math.min(1, field[i] / 2));
        }
        return pack(alpha, lum);
    }

    /** A crumpled film fragment: an irregular polygon, faint inside, brighter creases and edges. */
    private static Sprite film(final Random r) {
        final int corners = 5 + r.nextInt(4);
        final double[] radius = new double[corners];
        for (int c = 0; c < corners; c++) {
            radius[c] = 0.32 + 0.18 * r.nextDouble();
        }
        final double creaseAngle = r.nextDouble() * Math.PI;
        final float[] alpha = new float[SIZE * SIZE];
        final float[] lum = new float[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                final double dx = (x + 0.5) / SIZE - 0.5;
                final double dy = (y + 0.5) / SIZE - 0.5;
                final double a = (Math.atan2(dy, dx) + 2 * Math.PI) % (2 * Math.PI);
                final double pos = a / (2 * Math.PI) * corners;
                final int c0 = (int) pos % corners;
                final int c1 = (c0 + 1) % corners;
                final double f = pos - Math.floor(pos);
                final double edgeR = radius[c0] * (1 - f) + radius[c1] * f;
                final double d = Math.sqrt(dx * dx + dy * dy);
                final int i = y * SIZE + x;
                if (d < edgeR) {
                    final double rim = d > edgeR - 0.04 ? 1 : 0;
                    final double crease = Math.abs(dx * Math.cos(creaseAngle) + dy * Math.sin(creaseAngle)) < 0.02 ? 1 : 0;
                    alpha[i] = (float) Math.min(1, 0.75 + 0.25 * Math.max(rim, crease));
                    lum[i] = (float) (0.88 + 0.12 * Math.max(rim, crease));
                }
            }
        }
        return pack(alpha, lum);
    }

    /** A feather: a thin bright shaft along v, soft barbs fanning out, fading to the tip. */
    private static Sprite plume(final Random r) {
        final float[] alpha = new float[SIZE * SIZE];
        final float[] lum = new float[SIZE * SIZE];
        final double bend = 0.06 * r.nextGaussian();
        for (int y = 0; y < SIZE; y++) {
            final double v = (y + 0.5) / SIZE;
            final double shaftU = 0.5 + bend * Math.sin(Math.PI * v);
            final double halfWidth = 0.48 * Math.sin(Math.PI * Math.min(1, v * 1.1));
            for (int x = 0; x < SIZE; x++) {
                final double u = (x + 0.5) / SIZE;
                final double d = Math.abs(u - shaftU);
                final int i = y * SIZE + x;
                if (d < 0.03) {
                    alpha[i] = 1;
                    lum[i] = 1;
                } else if (d < halfWidth) {
                    final double barb = 0.5 + 0.5 * Math.sin((v * 40 + d * 25) * Math.PI);
                    alpha[i] = (float) ((1 - d / halfWidth) * (0.5 + 0.4 * barb));
                    lum[i] = (float) (0.85 + 0.1 * barb);
                }
            }
        }
        return pack(alpha, lum);
    }

    private static Sprite pack(final float[] alpha, final float[] lum) {
        final byte[] a = new byte[alpha.length];
        final byte[] l = new byte[lum.length];
        for (int i = 0; i < alpha.length; i++) {
            a[i] = (byte) Math.round(Math.max(0, Math.min(1, alpha[i])) * 255);
            l[i] = (byte) Math.round(Math.max(0, Math.min(1, lum[i])) * 255);
        }
        return new Sprite(a, l);
    }
}
