package dev.winnow.edge.camera;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** JPEG encoding of frames and parts of frames (OpenCV's encoder, its default quality). */
public final class Jpeg {

    private Jpeg() {
    }

    /** A whole frame as JPEG. */
    public static byte[] encode(final Frame f) {
        return encode(f.bgr(), f.width(), f.height());
    }

    /** Interleaved BGR pixels, {@code width * height * 3} bytes, as JPEG. */
    public static byte[] encode(final byte[] bgr, final int width, final int height) {
        if (width <= 0 || height <= 0 || bgr.length != width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " BGR image needs " + width * height * 3
                    + " bytes, got " + bgr.length);
        }
        try (Mat m = new Mat(height, width, opencv_core.CV_8UC3); BytePointer buf = new BytePointer()) {
            m.data().put(bgr, 0, bgr.length);
            if (!opencv_imgcodecs.imencode(".jpg", m, buf)) {
                throw new IllegalStateException("OpenCV could not encode a " + width + "x" + height + " JPEG");
            }
            final byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
