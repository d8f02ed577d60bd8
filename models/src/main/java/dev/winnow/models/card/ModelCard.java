package dev.winnow.models.card;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model card ({@code model.json}): everything needed to feed a model and read its output. Loaded
 * strictly by {@link ModelCardParser}: unknown keys, missing keys and out-of-range values fail naming the key.
 *
 * @param name          short identifier, wire-style token, never null
 * @param version       free-form version string (semver recommended), never null
 * @param task          what the model does, never null
 * @param input         how frames become the input tensor, never null
 * @param classes       class names in output order, wire-style tokens like {@code plastic_film}, never empty
 * @param thresholds    per-class confidence threshold in [0, 1], same order and size as {@code classes}
 * @param nmsIou        IoU above which NMS suppresses a same-class box, in (0, 1]
 * @param decoder       how the output is decoded, never null
 * @param maxDetections cap on detections per frame, 1..10000
 * @param classMap      class-map decoder settings, never null (defaults when the decoder is not class-map)
 * @param tiles         tile decoder settings, never null (defaults when the decoder is not tile)
 * @param sha256        expected SHA-256 of {@code model.onnx} (lower-case hex), or empty
 * @param description   free text for people, never null (may be empty)
 * @param minMeanConfidence per class ({@code decision.minMeanConfidence}), the mean confidence over all its
 *                      sightings that an object this model names must reach before the agent fires at it; never
 *                      null, empty when the card sets none. It travels with the model because it is a property of
 *                      the model's scores: a new version that scores real and imagined objects differently needs
 *                      another value, and a rollout must not leave the old one behind on the line
 * @param verify        per class ({@code decision.verify}), the sub-folder of this model's folder holding a
 *                      second model that takes a second look at each object of that class: a one-class
 *                      {@code classify} model scoring a cut around the object. Never null, empty when none
 */
public record ModelCard(String name, String version, Task task, InputSpec input, List<String> classes,
        List<Double> thresholds, double nmsIou, DecoderKind decoder, int maxDetections, ClassMapSpec classMap,
        TileSpec tiles, Optional<String> sha256, String description, Map<String, Double> minMeanConfidence,
        Map<String, String> verify) {

    /** Wire-style token: lower-case letter, then lower-case letters, digits, '_' or '-'. */
    public static final Pattern TOKEN = Pattern.compile("[a-z][a-z0-9_\\-]{0,63}");

    public ModelCard {
        classes = List.copyOf(classes);
        thresholds = List.copyOf(thresholds);
        minMeanConfidence = Map.copyOf(minMeanConfidence);
        verify = Map.copyOf(verify);
        if (thresholds.size() != classes.size()) {
            throw new IllegalArgumentException("one threshold per class is required");
        }
    }

    /**
     * A free-form class name as a wire-style token ({@code "Plastic Film"} → {@code plastic_film}), so datasets
     * exported by labelling tools can be matched to card classes.
     */
    public static String toToken(final String name) {
        final String t = name.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_\\-]+", "_")
                .replaceAll("^[^a-z]+", "");
        return t.isEmpty() ? "class" : t;
    }

    /** Number of classes. */
    public int classCount() {
        return classes.size();
    }

    /** Thresholds as a fresh primitive array, for decoders' hot loops. */
    public float[] thresholdArray() {
        final float[] t = new float[thresholds.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = thresholds.get(i).floatValue();
        }
        return t;
    }

    /** Reads and validates a card file. */
    public static ModelCard load(final Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ModelCardParser.parse(in);
        } catch (final NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "model card not found");
        }
    }

    /** Parses and validates a card from JSON text. */
    public static ModelCard parse(final String json) {
        return ModelCardParser.parse(json);
    }
}
