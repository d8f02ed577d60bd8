package dev.winnow.models.card;

/**
 * The model input as the card describes it. Layout is always NCHW with 3 channels (the card must say so,
 * so that a card written for another layout fails loudly instead of silently feeding garbage).
 *
 * @param width         input width in pixels, 8..8192
 * @param height        input height in pixels, 8..8192
 * @param colourOrder   channel order of the tensor, never null
 * @param letterbox     true: keep aspect ratio and pad (Ultralytics); false: stretch to width x height
 * @param padValue      value 0..255 of the padding pixels before normalisation (Ultralytics uses 114)
 * @param resize        interpolation, never null
 * @param normalisation pixel normalisation, never null
 */
public record InputSpec(int width, int height, ColourOrder colourOrder, boolean letterbox, int padValue,
        ResizeMode resize, Normalisation normalisation) {

    public static final String LAYOUT = "NCHW";
    public static final int CHANNELS = 3;
}
