package dev.winnow.edge.camera;

/**
 * One captured image.
 *
 * @param sequence     per-camera, increasing by one per captured frame (gaps mean drops)
 * @param captureNanos monotonic line clock at exposure
 * @param encoderCount belt encoder count at exposure
 * @param bgr          interleaved BGR, row-major, {@code width * height * 3} bytes
 */
public record Frame(String camera, long sequence, long captureNanos, long encoderCount, int width, int height,
                    byte[] bgr) {

    public Frame {
        if (bgr.length != width * height * 3) {
            throw new IllegalArgumentException("frame of " + width + "x" + height + " needs " + width * height * 3
                    + " BGR bytes, got " + bgr.length);
        }
    }
}
