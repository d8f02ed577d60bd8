package dev.winnow.edge.belt;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.javacpp.indexer.DoubleIndexer;

/**
 * A camera's calibration: the plane-to-plane mapping from image pixels to belt millimetres,
 * computed from four points whose positions are known in both (e.g. the corners of a calibration
 * card laid on the belt). Immutable and allocation-free when mapping.
 */
public final class Homography {

    private final double[] h = new double[9];

    private Homography(final double[] h) {
        System.arraycopy(h, 0, this.h, 0, 9);
    }

    /**
     * @param pixels four image points {@code {x0,y0, x1,y1, x2,y2, x3,y3}}
     * @param belt   the same four points on the belt, mm {@code {across, along, ...}}
     */
    public static Homography fromFourPoints(final double[] pixels, final double[] belt) {
        if (pixels.length != 8 || belt.length != 8) {
            throw new IllegalArgumentException("a homography needs exactly four point pairs (8 numbers each)");
        }
        try (Point2f src = new Point2f(4); Point2f dst = new Point2f(4)) {
            for (int i = 0; i < 4; i++) {
                src.position(i).x((float) pixels[2 * i]).y((float) pixels[2 * i + 1]);
                dst.position(i).x((float) belt[2 * i]).y((float) belt[2 * i + 1]);
            }
            src.position(0);
            dst.position(0);
            try (Mat m = opencv_imgproc.getPerspectiveTransform(src, dst); DoubleIndexer idx = m.createIndexer()) {
                final double[] h = new double[9];
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        h[3 * r + c] = idx.get(r, c);
                    }
                }
                if (!isFinite(h) || Math.abs(determinant(h)) < 1e-12) {
                    throw new IllegalArgumentException("the four calibration points are degenerate (three on a line?)");
                }
                return new Homography(h);
            }
        }
    }

    private static boolean isFinite(final double[] h) {
        for (final double v : h) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static double determinant(final double[] m) {
        return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
    }

    /** Across-belt mm of pixel (x, y). */
    public double across(final double x, final double y) {
        return (h[0] * x + h[1] * y + h[2]) / (h[6] * x + h[7] * y + h[8]);
    }

    /** Along-line mm of pixel (x, y). */
    public double along(final double x, final double y) {
        return (h[3] * x + h[4] * y + h[5]) / (h[6] * x + h[7] * y + h[8]);
    }
}
