package dev.winnow.models.decode;

import static dev.winnow.models.decode.DecoderTestSupport.buffer;
import static dev.winnow.models.decode.DecoderTestSupport.card;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassMapDecoderTest {

    /**
     * 1 class, 4x4 map on a 16x16 input (cells of 4 px). Class logits (background logit 0 everywhere):
     * <pre>
     *   2 2 . .
     *   . 2 . .
     *   . . 1 .      cell (2,2): logit 1
     *   . . . -     (3,3): logit 0 → tie → argmax keeps background (first max)
     * </pre>
     * Cells (0,0),(1,0),(1,1) form one 4-connected blob of 3 cells; (2,2) touches (1,1) only diagonally.
     * p(2) = e²/(1+e²) = 0.880797, p(1) = e/(1+e) = 0.731059.
     */
    private static final float[] LOGITS = {
        // background channel
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        // plastic_film channel
        2, 2, -5, -5,
        -5, 2, -5, -5,
        -5, -5, 1, -5,
        -5, -5, -5, 0};

    private static List<Detection> decode(final String conn, final int minArea) {
        final ModelCard card = card("segment", "class-map", "\"plastic_film\"", 16, 16,
                ", \"confidence\": 0.5, \"classMap\": {\"connectivity\": " + conn + ", \"minArea\": " + minArea + "}");
        return new ClassMapDecoder(card, new long[] {1, 2, 4, 4}, card.thresholdArray())
                .decode(buffer(LOGITS), LetterboxTransform.identity(16, 16));
    }

    @Test
    void fourConnectivitySplitsDiagonalNeighbours() {
        final List<Detection> d = decode("4", 1);
        assertThat(d).hasSize(2);
        assertThat(d.get(0).confidence()).isCloseTo(0.880797f, within(1e-5f));
        assertThat(d.get(0)).extracting(Detection::x, Detection::y, Detection::w, Detection::h)
                .containsExactly(0f, 0f, 8f, 8f);
        assertThat(d.get(1).confidence()).isCloseTo(0.731059f, within(1e-5f));
        assertThat(d.get(1)).extracting(Detection::x, Detection::y, Detection::w, Detection::h)
                .containsExactly(8f, 8f, 4f, 4f);
    }

    @Test
    void eightConnectivityJoinsThemAndAveragesProbability() {
        final List<Detection> d = decode("8", 1);
        assertThat(d).hasSize(1);
        assertThat(d.get(0).confidence()).isCloseTo((3 * 0.880797f + 0.731059f) / 4, within(1e-5f));
        assertThat(d.get(0)).extracting(Detection::x, Detection::y, Detection::w, Detection::h)
                .containsExactly(0f, 0f, 12f, 12f);
    }

    @Test
    void minAreaDropsSmallBlobs() {
        assertThat(decode("4", 2)).extracting(Detection::w).containsExactly(8f);
    }
}
