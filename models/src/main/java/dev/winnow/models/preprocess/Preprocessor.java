package dev.winnow.models.preprocess;

import dev.winnow.models.card.ColourOrder;
import dev.winnow.models.card.InputSpec;
import dev.winnow.models.card.ResizeMode;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Interleaved BGR frame to NCHW float tensor: resize (letterbox or stretch, bilinear or nearest), channel
 * order and normalisation, all from the card.
 *
 * <p>Hot path: per frame it allocates nothing. The sampling tables and pad-filled row buffers are built once
 * per frame size (cameras do not change size between frames); each frame is written one output row at a
 * time into a small reused row buffer per plane and bulk-copied into the tensor's direct buffer, so the
 * whole input (padding included) is rewritten every frame without a tensor-sized scratch copy.
 * Normalisation is affine, so it is applied after interpolation (one multiply-add per value).
 *
 * <p>When the frame already has the input's scale (a 320x240 camera into a 320x256 letterboxed input, or a
 * frame of exactly the input size) every bilinear weight is 0 and every nearest index is the pixel itself,
 * so resampling is the identity. That common case takes a copy path: each byte value goes through a
 * 256-entry table per plane holding {@code gain * value + offset}, computed with the same float operations
 * as the general path, so the result is bit-identical to it (pinned by a test). Not thread-safe.
 */
public final class Preprocessor {

    private final int inW;
    private final int inH;
    private final boolean letterbox;
    private final boolean bilinear;
    /** Source byte offset (0=B, 1=G, 2=R) feeding each output plane. */
    private final int[] srcChannel = new int[3];
    private final float[] gain = new float[3];
    private final float[] offset = new float[3];
    private final float[] padNorm = new float[3];
    private final FloatBuffer target;
    private final boolean identityPath;
    /** Per plane: the normalised value of each byte 0..255, for the identity path. */
    private final float[][] table = new float[3][256];
    /** Per plane: one output row, its padding columns pre-filled; rewritten per row, copied to the target. */
    private final float[][] rows;
    /** One row of padding per plane, for the pad rows above and below the image. */
    private final float[][] padRows;

    // Per-frame-size state, rebuilt by configure().
    private int frameW = -1;
    private int frameH = -1;
    private int regionW;
    private int regionH;
    private int padX;
    private int padY;
    private int[] x0 = new int[0];
    private int[] x1 = new int[0];
    private float[] fx = new float[0];
    private int[] y0 = new int[0];
    private int[] y1 = new int[0];
    private float[] fy = new float[0];
    private LetterboxTransform transform;
    private boolean identity;

    /**
     * @param spec   the card's input section, never null
     * @param target the tensor buffer to fill, capacity &ge; {@code 3*H*W}, never null
     */
    public Preprocessor(final InputSpec spec, final FloatBuffer target) {
        this(spec, target, true);
    }

    /** @param identityPath false forces the general resampling path (tests pin the identity path to it) */
    Preprocessor(final InputSpec spec, final FloatBuffer target, final boolean identityPath) {
        this.identityPath = identityPath;
        this.inW = spec.width();
        this.inH = spec.height();
        if (target.capacity() < 3 * inW * inH) {
            throw new IllegalArgumentException("target buffer holds " + target.capacity() + " floats, needs "
                    + 3 * inW * inH);
        }
        this.letterbox = spec.letterbox();
        this.bilinear = spec.resize() == ResizeMode.BILINEAR;
        for (int p = 0; p < 3; p++) {
            // Frames are BGR; an RGB model wants R (byte 2) in plane 0.
            srcChannel[p] = spec.colourOrder() == ColourOrder.RGB ? 2 - p : p;
            gain[p] = spec.normalisation().gain(p);
            offset[p] = spec.normalisation().offset(p);
            padNorm[p] = spec.padValue() * gain[p] + offset[p];
            for (int v = 0; v < 256; v++) {
                // Same expression and operand types as the general path: (float) v is exact.
                table[p][v] = gain[p] * (float) v + offset[p];
            }
        }
        this.rows = new float[3][inW];
        this.padRows = new float[3][inW];
        for (int p = 0; p < 3; p++) {
            Arrays.fill(padRows[p], padNorm[p]);
        }
        this.target = target;
    }

    /**
     * Fills the target buffer from one frame.
     *
     * @param bgr    interleaved BGR bytes, row-major, no row padding, length &ge; {@code 3*width*height}
     * @param width  frame width, &ge; 1
     * @param height frame height, &ge; 1
     * @return the transform from input pixels back to frame pixels (same instance while the size is unchanged)
     */
    public LetterboxTransform apply(final byte[] bgr, final int width, final int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("frame size must be positive but is " + width + "x" + height);
        }
        if (bgr.length < 3 * width * height) {
            throw new IllegalArgumentException("frame buffer holds " + bgr.length + " bytes, a " + width + "x"
                    + height + " BGR frame needs " + 3 * width * height);
        }
        if (width != frameW || height != frameH) {
            configure(width, height);
        }
        final int plane = inW * inH;
        for (int dy = 0; dy < padY; dy++) {
            putRow(padRows, dy * inW, plane);
        }
        if (identity) {
            copyRows(bgr, width, plane);
        } else {
            resampleRows(bgr, width, plane);
        }
        for (int dy = padY + regionH; dy < inH; dy++) {
            putRow(padRows, dy * inW, plane);
        }
        return transform;
    }

    /** Identity scale: output pixel (dx, dy) is frame pixel (dx, dy); one table lookup per value. */
    private void copyRows(final byte[] bgr, final int width, final int plane) {
        final float[] t0 = table[0];
        final float[] t1 = table[1];
        final float[] t2 = table[2];
        final float[] out0 = rows[0];
        final float[] out1 = rows[1];
        final float[] out2 = rows[2];
        final int s0 = srcChannel[0];
        final int s1 = srcChannel[1];
        final int s2 = srcChannel[2];
        final int rowStride = 3 * width;
        final int end = padX + regionW;
        for (int dy = 0; dy < regionH; dy++) {
            int src = dy * rowStride;
            for (int dx = padX; dx < end; dx++, src += 3) {
                out0[dx] = t0[bgr[src + s0] & 0xFF];
                out1[dx] = t1[bgr[src + s1] & 0xFF];
                out2[dx] = t2[bgr[src + s2] & 0xFF];
            }
            putRow(rows, (dy + padY) * inW, plane);
        }
    }

    /** Any scale: bilinear or nearest sampling through the per-size tables. */
    private void resampleRows(final byte[] bgr, final int width, final int plane) {
        final int rowStride = 3 * width;
        final int s0 = srcChannel[0];
        final int s1 = srcChannel[1];
        final int s2 = srcChannel[2];
        final float g0 = gain[0];
        final float g1 = gain[1];
        final float g2 = gain[2];
        final float o0 = offset[0];
        final float o1 = offset[1];
        final float o2 = offset[2];
        final float[] out0 = rows[0];
        final float[] out1 = rows[1];
        final float[] out2 = rows[2];
        for (int dy = 0; dy < regionH; dy++) {
            int dst = padX;
            if (bilinear) {
                final int r0 = y0[dy] * rowStride;
                final int r1 = y1[dy] * rowStride;
                final float wy = fy[dy];
                for (int dx = 0; dx < regionW; dx++, dst++) {
                    final int a = r0 + x0[dx];
                    final int b = r0 + x1[dx];
                    final int c = r1 + x0[dx];
                    final int d = r1 + x1[dx];
                    final float wx = fx[dx];
                    out0[dst] = g0 * lerp(bgr, a + s0, b + s0, c + s0, d + s0, wx, wy) + o0;
                    out1[dst] = g1 * lerp(bgr, a + s1, b + s1, c + s1, d + s1, wx, wy) + o1;
                    out2[dst] = g2 * lerp(bgr, a + s2, b + s2, c + s2, d + s2, wx, wy) + o2;
                }
            } else {
                final int r0 = y0[dy] * rowStride;
                for (int dx = 0; dx < regionW; dx++, dst++) {
                    final int a = r0 + x0[dx];
                    out0[dst] = g0 * (bgr[a + s0] & 0xFF) + o0;
                    out1[dst] = g1 * (bgr[a + s1] & 0xFF) + o1;
                    out2[dst] = g2 * (bgr[a + s2] & 0xFF) + o2;
                }
            }
            putRow(rows, (dy + padY) * inW, plane);
        }
    }

    /** Bulk-copies one row of each plane to the target (a memory copy into the direct buffer). */
    private void putRow(final float[][] src, final int offset, final int plane) {
        target.put(offset, src[0], 0, inW);
        target.put(plane + offset, src[1], 0, inW);
        target.put(2 * plane + offset, src[2], 0, inW);
    }

    private static float lerp(final byte[] p, final int a, final int b, final int c, final int d, final float wx,
            final float wy) {
        final float top = (p[a] & 0xFF) + wx * ((p[b] & 0xFF) - (p[a] & 0xFF));
        final float bottom = (p[c] & 0xFF) + wx * ((p[d] & 0xFF) - (p[c] & 0xFF));
        return top + wy * (bottom - top);
    }

    /** Builds the sampling tables for a new frame size; runs once per size, not per frame. */
    private void configure(final int width, final int height) {
        if (letterbox) {
            final float r = Math.min(inW / (float) width, inH / (float) height);
            regionW = Math.max(1, Math.min(inW, Math.round(width * r)));
            regionH = Math.max(1, Math.min(inH, Math.round(height * r)));
            // Centred like Ultralytics' letterbox (odd padding puts the extra pixel right/bottom).
            padX = (inW - regionW) / 2;
            padY = (inH - regionH) / 2;
        } else {
            regionW = inW;
            regionH = inH;
            padX = 0;
            padY = 0;
        }
        final float sx = regionW / (float) width;
        final float sy = regionH / (float) height;
        x0 = new int[regionW];
        x1 = new int[regionW];
        fx = new float[regionW];
        y0 = new int[regionH];
        y1 = new int[regionH];
        fy = new float[regionH];
        table(regionW, width, sx, x0, x1, fx, 3);
        table(regionH, height, sy, y0, y1, fy, 1);
        // Left and right padding columns of the row buffers; the image columns are rewritten every row.
        for (int p = 0; p < 3; p++) {
            Arrays.fill(rows[p], padNorm[p]);
        }
        identity = identityPath && regionW == width && regionH == height;
        frameW = width;
        frameH = height;
        transform = new LetterboxTransform(sx, sy, padX, padY, width, height);
    }

    private void table(final int dst, final int src, final float scale, final int[] i0, final int[] i1,
            final float[] f, final int mul) {
        for (int i = 0; i < dst; i++) {
            if (bilinear) {
                // Pixel-centre alignment (as OpenCV INTER_LINEAR / half_pixel_centers).
                float s = (i + 0.5f) / scale - 0.5f;
                if (s < 0f) {
                    s = 0f;
                }
                int a = (int) s;
                if (a > src - 1) {
                    a = src - 1;
                }
                final int b = Math.min(a + 1, src - 1);
                i0[i] = a * mul;
                i1[i] = b * mul;
                f[i] = Math.min(1f, s - a);
            } else {
                final int a = Math.min(src - 1, (int) ((i + 0.5f) / scale));
                i0[i] = a * mul;
                i1[i] = a * mul;
                f[i] = 0f;
            }
        }
    }
}
