package dev.winnow.models.card;

/**
 * Settings of the tile decoder: the model input is cut into {@code cols x rows} equal tiles, row-major, and
 * the model outputs one score vector per tile ({@code [1, cols*rows, nc]}; {@code [1, nc]} when 1 x 1).
 *
 * @param cols       tiles across, &ge; 1
 * @param rows       tiles down, &ge; 1
 * @param activation what to apply to the raw scores before thresholding, never null
 * @param ignore     index of a class that means "clean" and is never reported, or -1
 */
public record TileSpec(int cols, int rows, Activation activation, int ignore) {

    public static final TileSpec DEFAULT = new TileSpec(1, 1, Activation.SOFTMAX, -1);

    /** Score activation of the tile head. */
    public enum Activation {
        NONE, SIGMOID, SOFTMAX
    }

    public int tiles() {
        return cols * rows;
    }
}
