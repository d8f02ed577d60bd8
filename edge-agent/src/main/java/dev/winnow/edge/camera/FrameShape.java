package dev.winnow.edge.camera;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * What a camera's frames are cut and scaled to before inference: an optional region of the camera's own pixels (the
 * belt, without the frame around it), then an optional size. A camera rarely sees the belt at the shape a model was
 * trained for (the shipped colour model: 1000 x 375 mm at 480 x 180); cropping first keeps the scale the same both
 * ways instead of squashing a 16:9 picture into a wide strip.
 *
 * @param cameraId for messages
 * @param crop     the region to keep, in the camera's pixels; null keeps the whole picture
 * @param width    scale to this width; 0 keeps the (cropped) size, and then {@code height} is 0 too
 * @param height   scale to this height
 */
public record FrameShape(String cameraId, Crop crop, int width, int height) {

    /** A rectangle of the camera's pixels: left, top, width, height. */
    public record Crop(int x, int y, int width, int height) {
        public Crop {
            if (x < 0 || y < 0 || width < 8 || height < 8) {
                throw new IllegalArgumentException("crop [" + x + ", " + y + ", " + width + ", " + height
                        + "]: left and top must be >= 0, width and height >= 8");
            }
        }

        @Override
        public String toString() {
            return "[" + x + ", " + y + ", " + width + ", " + height + "]";
        }
    }

    public FrameShape {
        if ((width == 0) != (height == 0) || width < 0 || height < 0) {
            throw new IllegalArgumentException("camera " + cameraId + ": width and height must both be positive or "
                    + "both 0, got " + width + "x" + height);
        }
    }

    /** Frames as the camera delivers them. */
    public static FrameShape asDelivered(final String cameraId) {
        return new FrameShape(cameraId, null, 0, 0);
    }

    /** True when frames are used as delivered. */
    public boolean identity() {
        return crop == null && width == 0;
    }

    /**
     * Cuts and scales one picture.
     *
     * @param in      the camera's 8-bit BGR picture
     * @param scratch where a scaled picture is written (reused from frame to frame)
     * @return the picture to use: {@code in}, a region of it or {@code scratch}; a region is a new header the
     *         caller closes when it is not {@code in} or {@code scratch}
     * @throws IllegalStateException when the crop reaches outside the picture (the camera delivers another size
     *                               than the configuration was written for)
     */
    public Mat apply(final Mat in, final Mat scratch) {
        Mat m = in;
        if (crop != null) {
            if (crop.x() + crop.width() > in.cols() || crop.y() + crop.height() > in.rows()) {
                throw new IllegalStateException("camera " + cameraId + ": crop " + crop + " reaches outside its "
                        + in.cols() + "x" + in.rows() + " picture");
            }
            m = new Mat(in, new Rect(crop.x(), crop.y(), crop.width(), crop.height()));
        }
        if (width > 0 && (m.cols() != width || m.rows() != height)) {
            // INTER_AREA averages when shrinking: thin fibres fade instead of breaking into dots
            opencv_imgproc.resize(m, scratch, new Size(width, height), 0, 0, opencv_imgproc.INTER_AREA);
            if (m != in) {
                m.close();
            }
            m = scratch;
        }
        return m;
    }

    /** Cuts and scales one picture ({@link #apply}) into a frame. */
    Frame frame(final Mat in, final Mat scratch, final long sequence, final long captureNanos,
                final long encoderCount) {
        final Mat m = apply(in, scratch);
        try {
            return new Frame(cameraId, sequence, captureNanos, encoderCount, m.cols(), m.rows(), bytes(m));
        } finally {
            if (m != in && m != scratch) {
                m.close();
            }
        }
    }

    /** The picture's pixels, row after row, without padding (a region's rows are not contiguous). */
    static byte[] bytes(final Mat m) {
        final byte[] bgr = new byte[m.cols() * m.rows() * 3];
        if (m.isContinuous()) {
            m.data().get(bgr);
        } else {
            try (Mat c = m.clone()) {
                c.data().get(bgr);
            }
        }
        return bgr;
    }
}
