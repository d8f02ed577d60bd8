package dev.winnow.models.decode;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ultralytics YOLOv8 / YOLO11 detection head: output {@code [1, 4+nc, N]}, rows 0..3 are cx, cy, w, h in
 * input pixels, rows 4.. are per-class scores (already sigmoid; no objectness). Each anchor takes its best
 * class (Ultralytics' default, {@code multi_label=False}); it is a candidate when that score reaches the
 * class's threshold. Candidates go through greedy class-wise NMS (suppress when IoU &gt; nmsIou), best
 * first, up to maxDetections, then are mapped back to frame pixels and clipped to the frame.
 *
 * <p>All scratch arrays are sized for N (read from the concrete output shape, never assumed) at
 * construction; per frame only the result list is allocated. The score rows are copied out of the
 * tensor in one bulk read and scanned class by class (contiguous, so the JIT can vectorise it) to find
 * each anchor's best class, in the same order and with the same comparisons as an anchor-by-anchor scan;
 * an anchor whose best score is below every class threshold is dropped with one comparison, and only
 * the few candidates left have their boxes read.
 */
public final class YoloDecoder implements Decoder {

    private final int nc;
    private final int n;
    private final float[] thresholds;
    private final float nmsIou;
    private final int maxDetections;
    private final List<String> names;
    // Candidate scratch, indexed by candidate number.
    private final float[] x1;
    private final float[] y1;
    private final float[] x2;
    private final float[] y2;
    private final float[] score;
    private final int[] cls;
    private final long[] order;
    private final int[] kept;
    // Per-anchor scratch: the class score rows as copied from the tensor, and the best class so far.
    private final float[] scores;
    private final float[] bestScore;
    private final int[] bestClass;
    /** The lowest per-class threshold: an anchor whose best score is below it cannot be a candidate. */
    private final float minThreshold;

    /**
     * @param card        the card (classes, nmsIou, maxDetections), never null
     * @param outputShape concrete {@code [1, 4+nc, N]}, never null
     * @param thresholds  per-class confidence thresholds, length nc, never null
     */
    public YoloDecoder(final ModelCard card, final long[] outputShape, final float[] thresholds) {
        this.nc = card.classCount();
        if (outputShape.length != 3 || outputShape[1] != 4 + nc) {
            throw new IllegalArgumentException("YOLO output must be [1, " + (4 + nc) + ", N] but is "
                    + Arrays.toString(outputShape));
        }
        if (thresholds.length != nc) {
            throw new IllegalArgumentException("need " + nc + " thresholds but got " + thresholds.length);
        }
        this.n = (int) outputShape[2];
        this.thresholds = thresholds.clone();
        this.nmsIou = (float) card.nmsIou();
        this.maxDetections = card.maxDetections();
        this.names = card.classes();
        x1 = new float[n];
        y1 = new float[n];
        x2 = new float[n];
        y2 = new float[n];
        score = new float[n];
        cls = new int[n];
        order = new long[n];
        kept = new int[Math.min(n, maxDetections)];
        scores = new float[nc * n];
        bestScore = new float[n];
        bestClass = new int[n];
        float min = Float.POSITIVE_INFINITY;
        for (final float t : this.thresholds) {
            min = Math.min(min, t);
        }
        minThreshold = min;
    }

    @Override
    public List<Detection> decode(final FloatBuffer out, final LetterboxTransform t) {
        out.get(4 * n, scores, 0, nc * n);
        final float[] bs = bestScore;
        final int[] bc = bestClass;
        System.arraycopy(scores, 0, bs, 0, n);
        Arrays.fill(bc, 0);
        // Class-major: for each anchor, a later class wins only when strictly better (ties keep the lower
        // class, NaN never wins), exactly as comparing that anchor's classes in order.
        for (int c = 1; c < nc; c++) {
            final int row = c * n;
            for (int a = 0; a < n; a++) {
                final float s = scores[row + a];
                if (s > bs[a]) {
                    bs[a] = s;
                    bc[a] = c;
                }
            }
        }
        final float floor = minThreshold;
        int count = 0;
        for (int a = 0; a < n; a++) {
            final float bestScore = bs[a];
            // Cheap reject first: most anchors score below every threshold. NaN fails these tests too, so
            // a broken model yields nothing rather than garbage.
            if (!(bestScore >= floor)) {
                continue;
            }
            final int best = bc[a];
            if (!(bestScore >= thresholds[best]) || bestScore <= 0f) {
                continue;
            }
            final float cx = out.get(a);
            final float cy = out.get(n + a);
            final float w = out.get(2 * n + a);
            final float h = out.get(3 * n + a);
            if (!(w > 0f && h > 0f)) {
                continue;
            }
            x1[count] = cx - w / 2f;
            y1[count] = cy - h / 2f;
            x2[count] = cx + w / 2f;
            y2[count] = cy + h / 2f;
            score[count] = bestScore;
            cls[count] = best;
            // Positive float bits sort like the floats; the low word keeps the index. Ascending sort,
            // read backwards = best first; ties favour the later anchor, deterministically.
            order[count] = ((long) Float.floatToIntBits(bestScore) << 32) | count;
            count++;
        }
        Arrays.sort(order, 0, count);
        int nKept = 0;
        for (int k = count - 1; k >= 0 && nKept < kept.length; k--) {
            final int i = (int) order[k];
            boolean suppressed = false;
            for (int j = 0; j < nKept; j++) {
                final int o = kept[j];
                if (cls[o] == cls[i]
                        && Boxes.iou(x1[i], y1[i], x2[i], y2[i], x1[o], y1[o], x2[o], y2[o]) > nmsIou) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept[nKept++] = i;
            }
        }
        final List<Detection> result = new ArrayList<>(nKept);
        final float fw = t.frameWidth();
        final float fh = t.frameHeight();
        for (int j = 0; j < nKept; j++) {
            final int i = kept[j];
            final float fx1 = clamp(t.toFrameX(x1[i]), fw);
            final float fy1 = clamp(t.toFrameY(y1[i]), fh);
            final float fx2 = clamp(t.toFrameX(x2[i]), fw);
            final float fy2 = clamp(t.toFrameY(y2[i]), fh);
            if (fx2 > fx1 && fy2 > fy1) {
                result.add(new Detection(cls[i], names.get(cls[i]), score[i], fx1, fy1, fx2 - fx1, fy2 - fy1));
            }
        }
        return result;
    }

    static float clamp(final float v, final float max) {
        return v < 0f ? 0f : Math.min(v, max);
    }
}
