package dev.winnow.models.decode;

import static dev.winnow.models.decode.DecoderTestSupport.buffer;
import static dev.winnow.models.decode.DecoderTestSupport.card;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.util.List;
import org.junit.jupiter.api.Test;

class TileDecoderTest {

    @Test
    void gridOfTilesWithIgnoredCleanClass() {
        // 2 cols x 2 rows on a 20x10 input → tiles of 10x5. Scores are probabilities (activation none).
        final ModelCard card = card("classify", "tile", "\"clean\", \"plastic_film\", \"straw\"", 20, 10,
                ", \"thresholds\": {\"straw\": 0.6}, \"tiles\": {\"cols\": 2, \"rows\": 2, \"activation\": \"none\","
                        + " \"ignore\": \"clean\"}");
        final List<Detection> d = new TileDecoder(card, new long[] {1, 4, 3}, card.thresholdArray()).decode(buffer(
                0.9f, 0.05f, 0.05f, // tile 0: clean → ignored
                0.1f, 0.8f, 0.1f, // tile 1 (col 1, row 0): plastic_film 0.8
                0.1f, 0.3f, 0.6f, // tile 2 (col 0, row 1): straw 0.6 ≥ 0.6
                0.2f, 0.2f, 0.55f), // tile 3: straw 0.55 < 0.6 → dropped
                LetterboxTransform.identity(20, 10));
        assertThat(d).containsExactly(
                new Detection(1, "plastic_film", 0.8f, 10, 0, 10, 5),
                new Detection(2, "straw", 0.6f, 0, 5, 10, 5));
    }

    @Test
    void singleTileSoftmax() {
        final ModelCard card = card("classify", "tile", "\"clean\", \"feather\"", 8, 8, "");
        // softmax(0, ln 3) = (0.25, 0.75)
        final List<Detection> d = new TileDecoder(card, new long[] {1, 2}, card.thresholdArray())
                .decode(buffer(0f, (float) Math.log(3)), new LetterboxTransform(0.5f, 0.5f, 0f, 0f, 16, 16));
        assertThat(d).hasSize(1);
        assertThat(d.get(0).cls()).isEqualTo("feather");
        assertThat(d.get(0).confidence()).isCloseTo(0.75f, within(1e-6f));
        assertThat(d.get(0).w()).isEqualTo(16f);
    }
}
