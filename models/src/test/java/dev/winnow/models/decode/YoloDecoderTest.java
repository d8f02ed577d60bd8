package dev.winnow.models.decode;

import static dev.winnow.models.decode.DecoderTestSupport.buffer;
import static dev.winnow.models.decode.DecoderTestSupport.card;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class YoloDecoderTest {

    private static final ModelCard CARD = card("detect", "yolo", "\"plastic_film\", \"feather\"", 64, 64,
            ", \"confidence\": 0.25, \"thresholds\": {\"feather\": 0.5}, \"nmsIou\": 0.5");

    /**
     * [1, 6, 5], anchor-major columns. Hand-computed expectations:
     * a0 (20,20,10,10) film 0.90 → kept;
     * a1 (21,20,10,10) film 0.80 → IoU with a0 = 90/110 = 0.818 > 0.5 → suppressed;
     * a2 (21,20,10,10) feather 0.70 → other class, NMS is class-wise → kept;
     * a3 (50,50,4,4) feather 0.40 → below feather's 0.5 → dropped (film score 0.3 is not its best);
     * a4 (50,10,4,4) film 0.30 → above the 0.25 default → kept.
     */
    private static final FloatBuffer OUT = buffer(
            20, 21, 21, 50, 50, // cx
            20, 20, 20, 50, 10, // cy
            10, 10, 10, 4, 4, // w
            10, 10, 10, 4, 4, // h
            0.90f, 0.80f, 0.10f, 0.30f, 0.30f, // plastic_film
            0.05f, 0.10f, 0.70f, 0.40f, 0.00f); // feather

    @Test
    void thresholdsAndClassWiseNms() {
        final List<Detection> d = new YoloDecoder(CARD, new long[] {1, 6, 5}, CARD.thresholdArray())
                .decode(OUT, LetterboxTransform.identity(64, 64));
        assertThat(d).containsExactly(
                new Detection(0, "plastic_film", 0.90f, 15, 15, 10, 10),
                new Detection(1, "feather", 0.70f, 16, 15, 10, 10),
                new Detection(0, "plastic_film", 0.30f, 48, 8, 4, 4));
    }

    @Test
    void mapsBackThroughLetterboxAndClips() {
        // Frame 128x64 letterboxed into 64x64: scale 0.5, padY 16. a0: input (15..25, 15..25)
        // → frame x (15/0.5 .. 25/0.5) = 30..50, y ((15-16)/0.5 .. (25-16)/0.5) = -2..18 → clipped to 0..18.
        final List<Detection> d = new YoloDecoder(CARD, new long[] {1, 6, 5}, CARD.thresholdArray())
                .decode(OUT, new LetterboxTransform(0.5f, 0.5f, 0f, 16f, 128, 64));
        assertThat(d.get(0)).isEqualTo(new Detection(0, "plastic_film", 0.90f, 30, 0, 20, 18));
    }

    @Test
    void maxDetectionsKeepsTheBest() {
        final ModelCard one = card("detect", "yolo", "\"plastic_film\", \"feather\"", 64, 64,
                ", \"maxDetections\": 1");
        final List<Detection> d = new YoloDecoder(one, new long[] {1, 6, 5}, one.thresholdArray())
                .decode(OUT, LetterboxTransform.identity(64, 64));
        assertThat(d).extracting(Detection::confidence).containsExactly(0.90f);
    }

    @Test
    void decoderIsReusableAcrossFrames() {
        final YoloDecoder dec = new YoloDecoder(CARD, new long[] {1, 6, 5}, CARD.thresholdArray());
        final LetterboxTransform t = LetterboxTransform.identity(64, 64);
        final List<Detection> first = dec.decode(OUT, t);
        final FloatBuffer empty = buffer(new float[30]);
        assertThat(dec.decode(empty, t)).isEmpty();
        assertThat(dec.decode(OUT, t)).isEqualTo(first);
    }

    /**
     * The class-major scan with its cheap reject must give exactly what an anchor-by-anchor scan gives, for
     * any anchor count (the shipped stride-8 head has 1280 anchors at 320x256, a stride-4 head 5120): random
     * scores quantised so ties between classes and anchors occur, NaN and negative scores, zero-sized boxes.
     */
    @Test
    void matchesTheAnchorByAnchorReferenceForAnyAnchorCount() {
        final ModelCard six = card("detect", "yolo",
                "\"plastic_film\", \"polypropylene_twine\", \"straw\", \"string\", \"feather\", \"coloured_fibre\"",
                320, 256, ", \"confidence\": 0.4, \"thresholds\": {\"feather\": 0.3, \"string\": 0.55}, \"nmsIou\": 0.45");
        final java.util.Random random = new java.util.Random(11);
        final LetterboxTransform t = new LetterboxTransform(1f, 1f, 0f, 8f, 320, 240);
        for (final int n : new int[] {5, 1280, 5120}) {
            final long[] shape = {1, 10, n};
            final YoloDecoder fast = new YoloDecoder(six, shape, six.thresholdArray());
            final ReferenceYoloDecoder reference = new ReferenceYoloDecoder(six, shape, six.thresholdArray());
            for (int frame = 0; frame < 20; frame++) {
                final float[] v = new float[10 * n];
                for (int a = 0; a < n; a++) {
                    v[a] = random.nextFloat() * 320;
                    v[n + a] = random.nextFloat() * 256;
                    v[2 * n + a] = random.nextInt(20) == 0 ? 0f : 2 + random.nextFloat() * 40;
                    v[3 * n + a] = 2 + random.nextFloat() * 40;
                }
                for (int i = 4 * n; i < v.length; i++) {
                    final int r = random.nextInt(1000);
                    v[i] = r == 0 ? Float.NaN : r == 1 ? -0.5f : Math.round(random.nextFloat() * random.nextFloat() * 20) / 20f;
                }
                final FloatBuffer out = buffer(v);
                final List<Detection> expected = reference.decode(out, t);
                if (n > 5) {
                    assertThat(expected).hasSizeGreaterThan(10);
                }
                assertThat(fast.decode(out, t)).as("N=%d frame %d", n, frame).isEqualTo(expected);
            }
        }
    }

    @Test
    void rejectsWrongShape() {
        assertThatThrownBy(() -> new YoloDecoder(CARD, new long[] {1, 84, 5}, CARD.thresholdArray()))
                .hasMessageContaining("[1, 6, N]");
    }
}
