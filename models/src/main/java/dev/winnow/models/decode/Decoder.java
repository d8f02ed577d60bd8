package dev.winnow.models.decode;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.preprocess.LetterboxTransform;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Turns a model's raw output into detections in frame pixels. Implementations keep their scratch arrays
 * between frames (sized from the output shape at construction) and are not thread-safe.
 */
public interface Decoder {

    /**
     * @param output    the output tensor, row-major, read with absolute gets, never null
     * @param transform how the frame was placed into the input, never null
     * @return detections sorted by descending confidence, at most the card's maxDetections; never null
     */
    List<Detection> decode(FloatBuffer output, LetterboxTransform transform);

    /** The decoder the card names, for an output of the given concrete shape and the given thresholds. */
    static Decoder of(final ModelCard card, final long[] outputShape, final float[] thresholds) {
        return switch (card.decoder()) {
            case YOLO -> new YoloDecoder(card, outputShape, thresholds);
            case CLASS_MAP -> new ClassMapDecoder(card, outputShape, thresholds);
            case TILE -> new TileDecoder(card, outputShape, thresholds);
        };
    }
}
