package dev.winnow.models.decode;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.card.TileSpec;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Tile classification: the model input is a {@code cols x rows} grid (row-major tiles) and the output holds
 * one score vector per tile, {@code [1, tiles, nc]} or {@code [1, nc]} for a single tile. Each tile takes its
 * best class after the card's activation; it is reported (box = the tile, mapped to frame pixels and clipped)
 * when the score reaches the class threshold and the class is not the card's {@code tiles.ignore} ("clean").
 */
public final class TileDecoder implements Decoder {

    private static final Comparator<Detection> BEST_FIRST = Comparator.comparingDouble(
            (Detection d) -> -d.confidence()).thenComparingDouble(Detection::y).thenComparingDouble(Detection::x);

    private final int nc;
    private final TileSpec spec;
    private final float[] thresholds;
    private final int maxDetections;
    private final List<String> names;
    private final float tileW;
    private final float tileH;
    private final float[] scores;

    public TileDecoder(final ModelCard card, final long[] outputShape, final float[] thresholds) {
        this.nc = card.classCount();
        this.spec = card.tiles();
        final boolean flat = outputShape.length == 2 && spec.tiles() == 1 && outputShape[1] == nc;
        final boolean grid = outputShape.length == 3 && outputShape[1] == spec.tiles() && outputShape[2] == nc;
        if (!flat && !grid) {
            throw new IllegalArgumentException("tile output must be [1, " + spec.tiles() + ", " + nc + "] but is "
                    + Arrays.toString(outputShape));
        }
        if (thresholds.length != nc) {
            throw new IllegalArgumentException("need " + nc + " thresholds but got " + thresholds.length);
        }
        this.thresholds = thresholds.clone();
        this.maxDetections = card.maxDetections();
        this.names = card.classes();
        this.tileW = card.input().width() / (float) spec.cols();
        this.tileH = card.input().height() / (float) spec.rows();
        this.scores = new float[nc];
    }

    @Override
    public List<Detection> decode(final FloatBuffer out, final LetterboxTransform t) {
        final List<Detection> result = new ArrayList<>();
        for (int tile = 0; tile < spec.tiles(); tile++) {
            out.get(tile * nc, scores, 0, nc);
            activate(scores, spec.activation());
            int best = 0;
            for (int c = 1; c < nc; c++) {
                if (scores[c] > scores[best]) {
                    best = c;
                }
            }
            if (best == spec.ignore() || !(scores[best] >= thresholds[best])) {
                continue;
            }
            final int col = tile % spec.cols();
            final int row = tile / spec.cols();
            final float fx1 = YoloDecoder.clamp(t.toFrameX(col * tileW), t.frameWidth());
            final float fy1 = YoloDecoder.clamp(t.toFrameY(row * tileH), t.frameHeight());
            final float fx2 = YoloDecoder.clamp(t.toFrameX((col + 1) * tileW), t.frameWidth());
            final float fy2 = YoloDecoder.clamp(t.toFrameY((row + 1) * tileH), t.frameHeight());
            if (fx2 > fx1 && fy2 > fy1) {
                result.add(new Detection(best, names.get(best), scores[best], fx1, fy1, fx2 - fx1, fy2 - fy1));
            }
        }
        return bestFirst(result, maxDetections);
    }

    static void activate(final float[] s, final TileSpec.Activation a) {
        switch (a) {
            case NONE -> {
            }
            case SIGMOID -> {
                for (int i = 0; i < s.length; i++) {
                    s[i] = (float) (1.0 / (1.0 + Math.exp(-s[i])));
                }
            }
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (final float v : s) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int i = 0; i < s.length; i++) {
                    s[i] = (float) Math.exp(s[i] - max);
                    sum += s[i];
                }
                for (int i = 0; i < s.length; i++) {
                    s[i] = (float) (s[i] / sum);
                }
            }
            default -> throw new IllegalStateException("unknown activation " + a);
        }
    }

    static List<Detection> bestFirst(final List<Detection> list, final int max) {
        list.sort(BEST_FIRST);
        return list.size() > max ? new ArrayList<>(list.subList(0, max)) : list;
    }
}
