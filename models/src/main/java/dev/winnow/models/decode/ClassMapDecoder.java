package dev.winnow.models.decode;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Segmentation logits {@code [1, nc+1, H, W]} (channel 0 = background, channel k+1 = class k) to blobs:
 * per-cell argmax, then connected components of equal class (4- or 8-connectivity from the card). A blob
 * is reported when its area (cells) reaches {@code classMap.minArea} and its confidence — the mean over its
 * cells of the softmax probability of the winning channel — reaches the class threshold. The box covers the
 * blob's cells, scaled from map cells to input pixels (the map may be strided) and then to frame pixels.
 * Blobs are disjoint, so no NMS. Scratch arrays are sized at construction.
 */
public final class ClassMapDecoder implements Decoder {

    private final int channels;
    private final int mapH;
    private final int mapW;
    private final boolean eight;
    private final int minArea;
    private final float[] thresholds;
    private final int maxDetections;
    private final List<String> names;
    private final float cellW;
    private final float cellH;
    private final int[] label;
    private final float[] prob;
    private final int[] stack;
    private final boolean[] seen;

    public ClassMapDecoder(final ModelCard card, final long[] outputShape, final float[] thresholds) {
        final int nc = card.classCount();
        if (outputShape.length != 4 || outputShape[1] != nc + 1) {
            throw new IllegalArgumentException("class-map output must be [1, " + (nc + 1) + ", H, W] but is "
                    + Arrays.toString(outputShape));
        }
        if (thresholds.length != nc) {
            throw new IllegalArgumentException("need " + nc + " thresholds but got " + thresholds.length);
        }
        this.channels = nc + 1;
        this.mapH = (int) outputShape[2];
        this.mapW = (int) outputShape[3];
        this.eight = card.classMap().connectivity() == 8;
        this.minArea = card.classMap().minArea();
        this.thresholds = thresholds.clone();
        this.maxDetections = card.maxDetections();
        this.names = card.classes();
        this.cellW = card.input().width() / (float) mapW;
        this.cellH = card.input().height() / (float) mapH;
        final int cells = mapH * mapW;
        label = new int[cells];
        prob = new float[cells];
        stack = new int[cells];
        seen = new boolean[cells];
    }

    @Override
    public List<Detection> decode(final FloatBuffer out, final LetterboxTransform t) {
        final int cells = mapH * mapW;
        for (int p = 0; p < cells; p++) {
            int best = 0;
            float max = out.get(p);
            for (int c = 1; c < channels; c++) {
                final float v = out.get(c * cells + p);
                if (v > max) {
                    max = v;
                    best = c;
                }
            }
            // Softmax probability of the winner = 1 / sum(exp(l_c - l_max)); stable for any logit range.
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                sum += (float) Math.exp(out.get(c * cells + p) - max);
            }
            label[p] = best;
            prob[p] = 1f / sum;
        }
        Arrays.fill(seen, false);
        final List<Detection> result = new ArrayList<>();
        for (int p = 0; p < cells; p++) {
            if (seen[p] || label[p] == 0) {
                continue;
            }
            final int lab = label[p];
            int sp = 0;
            stack[sp++] = p;
            seen[p] = true;
            int area = 0;
            double probSum = 0;
            int minX = Integer.MAX_VALUE;
            int minY = Integer.MAX_VALUE;
            int maxX = -1;
            int maxY = -1;
            while (sp > 0) {
                final int q = stack[--sp];
                final int qy = q / mapW;
                final int qx = q - qy * mapW;
                area++;
                probSum += prob[q];
                minX = Math.min(minX, qx);
                maxX = Math.max(maxX, qx);
                minY = Math.min(minY, qy);
                maxY = Math.max(maxY, qy);
                for (int dy = -1; dy <= 1; dy++) {
                    final int ny = qy + dy;
                    if (ny < 0 || ny >= mapH) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) {
                            continue;
                        }
                        final int nx = qx + dx;
                        if (nx < 0 || nx >= mapW) {
                            continue;
                        }
                        final int r = ny * mapW + nx;
                        if (!seen[r] && label[r] == lab) {
                            seen[r] = true;
                            stack[sp++] = r;
                        }
                    }
                }
            }
            final int k = lab - 1;
            final float conf = (float) (probSum / area);
            if (area < minArea || conf < thresholds[k]) {
                continue;
            }
            final float fx1 = YoloDecoder.clamp(t.toFrameX(minX * cellW), t.frameWidth());
            final float fy1 = YoloDecoder.clamp(t.toFrameY(minY * cellH), t.frameHeight());
            final float fx2 = YoloDecoder.clamp(t.toFrameX((maxX + 1) * cellW), t.frameWidth());
            final float fy2 = YoloDecoder.clamp(t.toFrameY((maxY + 1) * cellH), t.frameHeight());
            if (fx2 > fx1 && fy2 > fy1) {
                result.add(new Detection(k, names.get(k), conf, fx1, fy1, fx2 - fx1, fy2 - fy1));
            }
        }
        return TileDecoder.bestFirst(result, maxDetections);
    }
}
