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

    @Test
    void rejectsWrongShape() {
        assertThatThrownBy(() -> new YoloDecoder(CARD, new long[] {1, 84, 5}, CARD.thresholdArray()))
                .hasMessageContaining("[1, 6, N]");
    }
}
