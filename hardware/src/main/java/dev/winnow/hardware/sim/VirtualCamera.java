package dev.winnow.hardware.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Renders what one camera of the virtual line sees at a given instant.
 *
 * <p>The frame is a pure function of (scenario, camera, capture time, sequence number): cotton
 * tufts with fibre texture over a textured belt, contaminants drawn by class, illumination drift
 * and vignetting, motion blur of {@code speed x exposure}, optical blur and sensor noise. A UV
 * camera sees a dark scene in which cotton glows faintly blue and fluorescing plastics glow bright.
 *
 * <p>Speed: everything is drawn into three reused {@code int} planes with pre-computed sprites, belt
 * texture, vignette and noise table; the only allocation per frame is the output (and the small
 * item lists). Grabs on one camera are serialised; different cameras may render in parallel.
 */
public final class VirtualCamera {

    private static final int TEX_H = 256;
    private static final int NOISE_BITS = 18;
    private static final int NOISE_MASK = (1 << NOISE_BITS) - 1;
    private static final int[] NOISE = new int[1 << NOISE_BITS];

    static {
        final Random r = new Random(42);
        for (int i = 0; i < NOISE.length; i++) {
            NOISE[i] = (int) Math.round(Math.max(-4, Math.min(4, r.nextGaussian())) * 256);
        }
    }

    private final VirtualLine line;
    private final Scenario.CameraSpec spec;
    private final CameraGeometry geometry;
    private final int index;
    private final boolean uv;
    private final int width;
    private final int height;
    private final double mmX;
    private final double mmY;
    /** The belt texture's red, green and blue planes, so drawing the belt is three row copies per row. */
    private final int[] beltR;
    private final int[] beltG;
    private final int[] beltB;
    private final int[] vignette;
    /** {@code (NOISE[i] * sigma) >> 16} for this camera's noise level: the per-pixel noise term, looked up. */
    private final int[] noise;
    private int[] pr;
    private int[] pg;
    private int[] pb;
    private int[] tmp;
    private final int[] stamp;
    private final int[] colSums;
    private int token;
    private long sequence;
    private double travel;
    private final List<BeltItem> scratch = new ArrayList<>();

    VirtualCamera(final VirtualLine line, final Scenario.CameraSpec spec, final int index) {
        this.line = line;
        this.spec = spec;
        this.index = index;
        this.uv = spec.kind() == Scenario.CameraKind.UV;
        this.width = spec.widthPx();
        this.height = spec.heightPx();
        this.geometry = CameraGeometry.of(spec, line.scenario().belt().widthMm());
        this.mmX = geometry.mmPerPxX();
        this.mmY = geometry.mmPerPxY();
        final int n = width * height;
        this.pr = new int[n];
        this.pg = new int[n];
        this.pb = new int[n];
        this.tmp = new int[n];
        this.stamp = new int[n];
        this.colSums = new int[width];
        final int[] beltTex = beltTexture(line.scenario().seed(), width, uv, line.scenario().belt().colourRgb());
        this.beltR = new int[beltTex.length];
        this.beltG = new int[beltTex.length];
        this.beltB = new int[beltTex.length];
        for (int i = 0; i < beltTex.length; i++) {
            beltR[i] = (beltTex[i] >> 16) & 0xFF;
            beltG[i] = (beltTex[i] >> 8) & 0xFF;
            beltB[i] = beltTex[i] & 0xFF;
        }
        this.vignette = vignette(width, height, line.scenario().lighting().vignetting());
        final int sigma = (int) Math.round(spec.noise() * 256);
        this.noise = new int[NOISE.length];
        for (int i = 0; i < NOISE.length; i++) {
            noise[i] = (NOISE[i] * sigma) >> 16;
        }
    }

    /** @return the camera's id, never null */
    public String id() {
        return spec.id();
    }

    /** @return the scenario's description of this camera, never null */
    public Scenario.CameraSpec spec() {
        return spec;
    }

    /** @return the exact pixel/belt mapping, never null */
    public CameraGeometry geometry() {
        return geometry;
    }

    /** @return nanoseconds between frames at the nominal frame rate */
    public long framePeriodNanos() {
        return Math.round(1e9 / spec.fps());
    }

    /** @return the next frame at the line clock's current time, never null */
    public RenderedFrame grabNow() {
        return grab(line.clock().nanos());
    }

    /**
     * @param nanos line-clock time of the capture
     * @return the rendered frame, never null; its pixel array is freshly allocated
     */
    public RenderedFrame grab(final long nanos) {
        return grab(nanos, null);
    }

    /**
     * Like {@link #grab(long)} but writes the pixels into {@code reuse} when it has the right size,
     * so a capture loop can run without allocating frame buffers.
     *
     * @param nanos line-clock time of the capture
     * @param reuse a {@code width*height*3} buffer to fill, or null to allocate one
     * @return the rendered frame, never null
     */
    public synchronized RenderedFrame grab(final long nanos, final byte[] reuse) {
        final byte[] out = reuse != null && reuse.length == width * height * 3 ? reuse : new byte[width * height * 3];
        final long seq = sequence++;
        travel = line.travelMm(nanos);
        final List<GroundTruthBox> truth = new ArrayList<>();
        drawBelt();
        final double from = travel - geometry.viewStartMm() - geometry.viewLengthMm();
        final double to = travel - geometry.viewStartMm();
        scratch.clear();
        line.items().tufts(from, to, scratch);
        for (final BeltItem tuft : scratch) {
            drawTuft(tuft);
        }
        scratch.clear();
        line.items().contaminants(from, to, scratch);
        for (final BeltItem item : scratch) {
            drawContaminant(item);
            addTruth(item, truth);
        }
        final double speedMmPerMs = line.scenario().belt().speedMps();
        final int motion = (int) Math.round(speedMmPerMs * spec.exposureMs() / mmY);
        if (motion >= 2) {
            final int lo = motion / 2;
            boxAll(false, lo, motion - 1 - lo);
        }
        if (spec.blur() > 0) {
            // Repeated 3-tap passes approximate a Gaussian; sub-pixel blur stays sub-pixel.
            final int passes = (int) Math.ceil(spec.blur());
            final int side = (int) Math.round(spec.blur() / passes / 3 * 256);
            for (int p = 0; p < passes; p++) {
                pr = tap3(pr, side);
                pg = tap3(pg, side);
                pb = tap3(pb, side);
            }
        }
        finish(out, nanos, seq);
        return new RenderedFrame(spec.id(), seq, nanos, line.encoderCountAt(nanos), width, height, out, truth);
    }

    // ------------------------------------------------------------------ drawing

    private void drawBelt() {
        final double viewStart = geometry.viewStartMm();
        for (int y = 0; y < height; y++) {
            final double surface = travel - (viewStart + (y + 0.5) * mmY);
            final int row = (int) Math.floorMod((long) Math.floor(surface / mmY), (long) TEX_H);
            final int src = row * width;
            final int dst = y * width;
            System.arraycopy(beltR, src, pr, dst, width);
            System.arraycopy(beltG, src, pg, dst, width);
            System.arraycopy(beltB, src, pb, dst, width);
        }
    }

    private void drawTuft(final BeltItem tuft) {
        final int c = tuft.colourRgb();
        final int alpha = (int) (tuft.opacity() * 256);
        if (uv) {
            // Cotton under UV: a faint blue, scaled by the tuft's shade.
            final int shade = (c >> 16) & 0xFF;
            drawSprite(tuft, Sprites.TUFTS[tuft.variant()], 22 * shade / 238, 24 * shade / 238, 54 * shade / 238, alpha);
        } else {
            drawSprite(tuft, Sprites.TUFTS[tuft.variant()], (c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF, alpha);
        }
    }

    private void drawContaminant(final BeltItem item) {
        final ContaminantClass cls = item.cls();
        int r = (item.colourRgb() >> 16) & 0xFF;
        int g = (item.colourRgb() >> 8) & 0xFF;
        int b = item.colourRgb() & 0xFF;
        int alpha = (int) (item.opacity() * 256);
        if (uv) {
            if (cls.fluorescesUnderUv()) {
                r = 205;
                g = 220;
                b = 255;
                alpha = Math.min(256, alpha * 2);
            } else {
                r = 9;
                g = 8;
                b = 13;
            }
        }
        switch (cls.shape()) {
            case FILM -> drawSprite(item, Sprites.FILMS[item.variant()], r, g, b, alpha);
            case PLUME -> drawSprite(item, Sprites.PLUMES[item.variant()], r, g, b, alpha);
            case LINE -> drawLine(item, r, g, b, alpha);
            default -> throw new IllegalStateException("unknown shape " + cls.shape());
        }
    }

    private void drawSprite(final BeltItem item, final Sprites.Sprite sprite, final int r, final int g, final int b,
                            final int alphaScale) {
        final double cx = item.acrossMm() / mmX;
        final double cy = (travel - item.alongMm() - geometry.viewStartMm()) / mmY;
        final double hx = item.halfAcrossExtent() / mmX + 1;
        final double hy = item.halfAlongExtent() / mmY + 1;
        final int x0 = Math.max(0, (int) Math.floor(cx - hx));
        final int x1 = Math.min(width - 1, (int) Math.ceil(cx + hx));
        final int y0 = Math.max(0, (int) Math.floor(cy - hy));
        final int y1 = Math.min(height - 1, (int) Math.ceil(cy + hy));
        if (x0 > x1 || y0 > y1) {
            return;
        }
        final int s = Sprites.SIZE;
        final double sin = Math.sin(item.orientationRad());
        final double cos = Math.cos(item.orientationRad());
        final double w = item.widthMm();
        final double l = item.lengthMm();
        final double duDx = mmX * cos / w * s;
        final double dvDx = mmX * sin / l * s;
        final byte[] alpha = sprite.alpha();
        final byte[] lum = sprite.lum();
        for (int y = y0; y <= y1; y++) {
            final double dym = (y + 0.5 - cy) * mmY;
            final double dxm = (x0 + 0.5 - cx) * mmX;
            double u = ((dxm * cos - dym * sin) / w + 0.5) * s;
            double v = ((dxm * sin + dym * cos) / l + 0.5) * s;
            int o = y * width + x0;
            for (int x = x0; x <= x1; x++, o++, u += duDx, v += dvDx) {
                if (u >= 0 && u < s && v >= 0 && v < s) {
                    final int t = (int) v * s + (int) u;
                    final int a = ((alpha[t] & 0xFF) * alphaScale) >> 8;
                    if (a > 0) {
                        final int lm = (lum[t] & 0xFF) + 1;
                        final int aa = a + (a >> 7);
                        pr[o] += (((r * lm) >> 8) - pr[o]) * aa >> 8;
                        pg[o] += (((g * lm) >> 8) - pg[o]) * aa >> 8;
                        pb[o] += (((b * lm) >> 8) - pb[o]) * aa >> 8;
                    }
                }
            }
        }
    }

    private void drawLine(final BeltItem item, final int r, final int g, final int b, final int alphaScale) {
        token++;
        if (token == Integer.MAX_VALUE) {
            java.util.Arrays.fill(stamp, 0);
            token = 1;
        }
        final double cx = item.acrossMm() / mmX;
        final double cy = (travel - item.alongMm() - geometry.viewStartMm()) / mmY;
        final double length = item.lengthMm();
        final double sin = Math.sin(item.orientationRad());
        final double cos = Math.cos(item.orientationRad());
        final double tpx = item.thicknessMm() / ((mmX + mmY) / 2);
        final double rad = tpx > 1 ? tpx / 2 : 0;
        // A stroke thinner than a pixel covers only part of it: draw it fainter rather than not at all.
        final int alpha = tpx > 1 ? alphaScale : (int) (alphaScale * Math.max(0.35, tpx));
        final double step = 0.5 * Math.min(mmX, mmY);
        final int n = (int) Math.ceil(length / step);
        final boolean twisted = item.cls() == ContaminantClass.POLYPROPYLENE_TWINE
                || item.cls() == ContaminantClass.STRAW;
        for (int i = 0; i <= n; i++) {
            final double s = Math.min(length / 2, -length / 2 + i * step);
            final double off = item.waveOffsetMm(s);
            final double px = cx + (s * sin + off * cos) / mmX;
            final double py = cy + (s * cos - off * sin) / mmY;
            final int lm = twisted ? 216 + (int) (40 * Math.sin(s * 1.7)) : 256;
            final int rr = (r * lm) >> 8;
            final int gg = (g * lm) >> 8;
            final int bb = (b * lm) >> 8;
            if (rad == 0) {
                plot((int) Math.floor(px), (int) Math.floor(py), rr, gg, bb, alpha);
            } else {
                final int ya = (int) Math.floor(py - rad);
                final int yb = (int) Math.floor(py + rad);
                final int xa = (int) Math.floor(px - rad);
                final int xb = (int) Math.floor(px + rad);
                final double r2 = rad * rad + 0.25;
                for (int yy = ya; yy <= yb; yy++) {
                    for (int xx = xa; xx <= xb; xx++) {
                        final double dx = xx + 0.5 - px;
                        final double dy = yy + 0.5 - py;
                        if (dx * dx + dy * dy <= r2) {
                            plot(xx, yy, rr, gg, bb, alpha);
                        }
                    }
                }
            }
        }
    }

    /** Blends one pixel once per stroke: the stamp keeps overlapping dabs from darkening translucent lines. */
    private void plot(final int x, final int y, final int r, final int g, final int b, final int alpha) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return;
        }
        final int o = y * width + x;
        if (stamp[o] == token) {
            return;
        }
        stamp[o] = token;
        pr[o] += (r - pr[o]) * alpha >> 8;
        pg[o] += (g - pg[o]) * alpha >> 8;
        pb[o] += (b - pb[o]) * alpha >> 8;
    }

    private void addTruth(final BeltItem item, final List<GroundTruthBox> truth) {
        final double ha = item.halfAcrossExtent();
        final double hl = item.halfAlongExtent();
        final double world = travel - item.alongMm();
        final double x0 = Math.max(0, (item.acrossMm() - ha) / mmX);
        final double x1 = Math.min(width, (item.acrossMm() + ha) / mmX);
        final double y0 = Math.max(0, (world - hl - geometry.viewStartMm()) / mmY);
        final double y1 = Math.min(height, (world + hl - geometry.viewStartMm()) / mmY);
        if (x1 > x0 && y1 > y0) {
            truth.add(new GroundTruthBox(item.id(), item.cls(), x0, y0, x1 - x0, y1 - y0, item.acrossMm(),
                    item.alongMm(), 2 * ha, 2 * hl));
        }
    }

    // ------------------------------------------------------------------ post-processing

    /** Box-filters all three planes horizontally or vertically over the window [-lo, +hi]. */
    private void boxAll(final boolean horizontal, final int lo, final int hi) {
        pr = box(pr, horizontal, lo, hi);
        pg = box(pg, horizontal, lo, hi);
        pb = box(pb, horizontal, lo, hi);
    }

    /** @return the filtered plane; the old {@code src} becomes the scratch plane */
    private int[] box(final int[] src, final boolean horizontal, final int lo, final int hi) {
        final int[] dst = tmp;
        final int n = lo + hi + 1;
        final int inv = (1 << 16) / n;
        if (horizontal) {
            for (int y = 0; y < height; y++) {
                final int row = y * width;
                int sum = 0;
                for (int k = -lo; k <= hi; k++) {
                    sum += src[row + clamp(k, width)];
                }
                for (int x = 0; x < width; x++) {
                    dst[row + x] = (sum * inv) >> 16;
                    sum += src[row + clamp(x + hi + 1, width)] - src[row + clamp(x - lo, width)];
                }
            }
        } else {
            final int[] sums = colSums;
            java.util.Arrays.fill(sums, 0);
            for (int k = -lo; k <= hi; k++) {
                final int row = clamp(k, height) * width;
                for (int x = 0; x < width; x++) {
                    sums[x] += src[row + x];
                }
            }
            for (int y = 0; y < height; y++) {
                final int row = y * width;
                final int add = clamp(y + hi + 1, height) * width;
                final int sub = clamp(y - lo, height) * width;
                for (int x = 0; x < width; x++) {
                    dst[row + x] = (sums[x] * inv) >> 16;
                    sums[x] += src[add + x] - src[sub + x];
                }
            }
        }
        tmp = src;
        return dst;
    }

    /** One separable [side, 256 - 2 side, side] / 256 pass, horizontal then vertical; returns the result plane. */
    private int[] tap3(final int[] src, final int side) {
        final int centre = 256 - 2 * side;
        final int[] dst = tmp;
        for (int y = 0; y < height; y++) {
            final int row = y * width;
            final int last = row + width - 1;
            // The edge pixels repeat themselves as their missing neighbour; the interior loop has no
            // branches, so the JIT vectorises it.
            dst[row] = (side * (src[row] + src[Math.min(row + 1, last)]) + centre * src[row]) >> 8;
            for (int i = row + 1; i < last; i++) {
                dst[i] = (side * (src[i - 1] + src[i + 1]) + centre * src[i]) >> 8;
            }
            if (last > row) {
                dst[last] = (side * (src[last - 1] + src[last]) + centre * src[last]) >> 8;
            }
        }
        for (int y = 0; y < height; y++) {
            final int row = y * width;
            final int up = (y == 0 ? 0 : y - 1) * width;
            final int down = (y == height - 1 ? y : y + 1) * width;
            for (int x = 0; x < width; x++) {
                src[row + x] = (side * (dst[up + x] + dst[down + x]) + centre * dst[row + x]) >> 8;
            }
        }
        return src;
    }

    private static int clamp(final int i, final int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }

    private void finish(final byte[] out, final long nanos, final long seq) {
        final Scenario.Lighting lighting = line.scenario().lighting();
        final long seed = line.scenario().seed();
        final Random r = new Random(seed * 31 + index * 1_000_003L + seq * 7_919L);
        final double seconds = (nanos - line.startNanos()) / 1e9;
        final double drift = Math.sin(2 * Math.PI * seconds / 7.3 + index);
        final double flicker = 2 * r.nextDouble() - 1;
        final double gain = lighting.brightness() * (1 + lighting.variation() * (0.6 * drift + 0.4 * flicker));
        final int g = (int) Math.round(gain * 4096);
        int noiseAt = r.nextInt(NOISE.length);
        final int[] nz = noise;
        final int n = width * height;
        for (int i = 0, o = 0; i < n; i++, o += 3) {
            final int k = (g * vignette[i]) >> 12;
            out[o] = clampByte(((pb[i] * k) >> 12) + nz[noiseAt & NOISE_MASK]);
            out[o + 1] = clampByte(((pg[i] * k) >> 12) + nz[(noiseAt + 1) & NOISE_MASK]);
            out[o + 2] = clampByte(((pr[i] * k) >> 12) + nz[(noiseAt + 2) & NOISE_MASK]);
            noiseAt += 3;
        }
    }

    /**
     * {@code v} clamped to 0..255, without branches: on the dark UV image noise pushes about half the pixels
     * below 0, so a branch there is mispredicted at random.
     */
    private static byte clampByte(final int v) {
        final int low = v & ~(v >> 31); // v < 0 -> 0
        return (byte) (low | ((255 - low) >> 31)); // low > 255 -> all ones, i.e. 255 as a byte
    }

    private static int[] beltTexture(final long seed, final int width, final boolean uv, final int colourRgb) {
        final int baseR = (colourRgb >> 16) & 0xFF;
        final int baseG = (colourRgb >> 8) & 0xFF;
        final int baseB = colourRgb & 0xFF;
        final Random r = new Random(seed ^ 0xBE17L);
        final int[] tex = new int[width * TEX_H];
        for (int y = 0; y < TEX_H; y++) {
            final int weave = (y & 3) == 0 ? -5 : 0;
            for (int x = 0; x < width; x++) {
                final int d = weave + (int) Math.round(r.nextGaussian() * (uv ? 1.5 : 5));
                final int red = uv ? 7 + d / 3 : baseR + d;
                final int green = uv ? 5 + d / 3 : baseG + d;
                final int blue = uv ? 15 + d / 2 : baseB + d;
                tex[y * width + x] = (clamp255(red) << 16) | (clamp255(green) << 8) | clamp255(blue);
            }
        }
        return tex;
    }

    private static int clamp255(final int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static int[] vignette(final int width, final int height, final double strength) {
        final int[] v = new int[width * height];
        for (int y = 0; y < height; y++) {
            final double dy = (y + 0.5) / height - 0.5;
            for (int x = 0; x < width; x++) {
                final double dx = (x + 0.5) / width - 0.5;
                v[y * width + x] = (int) Math.round(4096 * (1 - strength * (dx * dx + dy * dy) / 0.5));
            }
        }
        return v;
    }
}
