package dev.winnow.hardware.sim;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.Objects;

/**
 * One frame from a virtual camera.
 *
 * @param cameraId     never null
 * @param sequence     0, 1, 2, ... per camera
 * @param captureNanos line-clock time of the (mid-exposure) capture
 * @param encoderCount the line's encoder count at capture
 * @param width        image width
 * @param height       image height
 * @param bgr          interleaved B, G, R bytes, row-major, {@code width * height * 3}; never null
 * @param truth        contaminants in view, never null
 */
public record RenderedFrame(String cameraId, long sequence, long captureNanos, long encoderCount, int width,
                            int height, byte[] bgr, List<GroundTruthBox> truth) {

    /** Checks sizes; the pixel array is kept, not copied (frames are large and produced at video rate). */
    public RenderedFrame {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(bgr, "bgr");
        truth = List.copyOf(truth);
        if (bgr.length != width * height * 3) {
            throw new IllegalArgumentException("bgr length " + bgr.length + " != " + width + "x" + height + "x3");
        }
    }

    /** @return the pixel at (x, y) as {@code 0xRRGGBB} */
    public int rgb(final int x, final int y) {
        final int i = (y * width + x) * 3;
        return ((bgr[i + 2] & 0xFF) << 16) | ((bgr[i + 1] & 0xFF) << 8) | (bgr[i] & 0xFF);
    }

    /** @return a {@code TYPE_3BYTE_BGR} copy for saving or showing, never null */
    public BufferedImage toImage() {
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        final byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        System.arraycopy(bgr, 0, target, 0, bgr.length);
        return image;
    }
}
