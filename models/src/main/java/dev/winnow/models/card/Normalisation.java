package dev.winnow.models.card;

import java.util.List;

/**
 * Pixel normalisation: {@code value = (pixel * scale - mean[c]) / std[c]}, with pixel in 0..255 and
 * {@code c} the channel index in the model's own channel order (so for {@code rgb}, index 0 is red).
 * The Ultralytics default is scale 1/255, mean 0, std 1.
 *
 * @param scale multiplier applied to the raw 0..255 value, &gt; 0
 * @param mean  three per-channel means, never null
 * @param std   three per-channel standard deviations, each &gt; 0, never null
 */
public record Normalisation(double scale, List<Double> mean, List<Double> std) {

    public static final Normalisation ULTRALYTICS = new Normalisation(1.0 / 255.0, List.of(0.0, 0.0, 0.0),
            List.of(1.0, 1.0, 1.0));

    public Normalisation {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (mean.size() != 3 || std.size() != 3) {
            throw new IllegalArgumentException("mean and std need three values each");
        }
    }

    /** Multiplier {@code a} in {@code value = a * pixel + b} for channel {@code c}. */
    public float gain(final int c) {
        return (float) (scale / std.get(c));
    }

    /** Offset {@code b} in {@code value = a * pixel + b} for channel {@code c}. */
    public float offset(final int c) {
        return (float) (-mean.get(c) / std.get(c));
    }
}
