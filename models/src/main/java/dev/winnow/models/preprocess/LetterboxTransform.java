package dev.winnow.models.preprocess;

/**
 * How a frame was placed into the model input: {@code input = frame * scale + pad}. With letterboxing
 * {@code scaleX == scaleY}; a stretched (non-letterbox) input has {@code pad = 0} and two scales.
 *
 * @param scaleX      input pixels per frame pixel, horizontally
 * @param scaleY      input pixels per frame pixel, vertically
 * @param padX        left padding in input pixels
 * @param padY        top padding in input pixels
 * @param frameWidth  frame width in pixels
 * @param frameHeight frame height in pixels
 */
public record LetterboxTransform(float scaleX, float scaleY, float padX, float padY, int frameWidth,
        int frameHeight) {

    /** The uniform scale of a letterboxed input (equals {@code scaleX}). */
    public float scale() {
        return scaleX;
    }

    /** Input-pixel x to frame-pixel x, not clipped. */
    public float toFrameX(final float inputX) {
        return (inputX - padX) / scaleX;
    }

    /** Input-pixel y to frame-pixel y, not clipped. */
    public float toFrameY(final float inputY) {
        return (inputY - padY) / scaleY;
    }

    /** Identity transform for a frame already at the input size. */
    public static LetterboxTransform identity(final int width, final int height) {
        return new LetterboxTransform(1f, 1f, 0f, 0f, width, height);
    }
}
