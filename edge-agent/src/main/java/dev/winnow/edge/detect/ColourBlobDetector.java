package dev.winnow.edge.detect;

import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2HSV;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_OPEN;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_RECT;

import dev.winnow.edge.camera.Frame;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A classical detector with no model: contaminants are what cotton is not. On a colour camera
 * that is saturated colour (cotton and the belt are both nearly grey); on a UV camera it is
 * fluorescence (cotton stays dark). Blobs are found with OpenCV's connected components and named
 * by hue and shape.
 *
 * <p>A coloured belt is saturated too: when one hue covers more than {@value #BELT_SHARE_PERCENT} % of a
 * colour frame, that hue (± {@value #BELT_HUE_BAND} in OpenCV's 0..180 scale) is taken as the belt and left out,
 * frame by frame, so the detector follows the belt without being told its colour. A contaminant of the belt's
 * own hue is then invisible to it, as it is to the eye.
 *
 * <p>It is the fallback when no model is configured and the baseline a model must beat. It cannot
 * see what looks like cotton in visible light (feathers, clear film) — that is what the trained
 * models and the UV camera are for.
 */
public final class ColourBlobDetector implements FrameDetector {

    /** Which kind of camera the frames come from. */
    public enum Mode { COLOUR, UV }

    static final int BELT_SHARE_PERCENT = 25;
    static final int BELT_HUE_BAND = 10;
    /** Saturation and value from which a pixel counts as coloured (OpenCV's 8-bit scale). */
    private static final int MIN_SAT = 70;
    private static final int MIN_VAL = 60;

    private final Mode mode;
    private final int minAreaPx;
    private final int[] hueCounts = new int[180];
    private Mat bgr;
    private final Mat hsv = new Mat();
    private final Mat mask = new Mat();
    private final Mat labels = new Mat();
    private final Mat stats = new Mat();
    private final Mat centroids = new Mat();
    private final Mat kernel = opencv_imgproc.getStructuringElement(MORPH_RECT, new Size(2, 2));
    private final Mat lower;
    private final Mat upper;

    public ColourBlobDetector(final Mode mode, final int minAreaPx) {
        this.mode = mode;
        this.minAreaPx = minAreaPx;
        // HSV in OpenCV's 8-bit scale: H 0..180, S and V 0..255.
        if (mode == Mode.COLOUR) {
            lower = new Mat(new Scalar(0, MIN_SAT, MIN_VAL, 0));
            upper = new Mat(new Scalar(180, 255, 255, 0));
        } else {
            lower = new Mat(new Scalar(0, 0, 110, 0));
            upper = new Mat(new Scalar(180, 255, 255, 0));
        }
    }

    @Override
    public String version() {
        return mode == Mode.COLOUR ? "classical-colour@1" : "classical-uv@1";
    }

    @Override
    public List<PixelDetection> detect(final Frame frame) {
        final int w = frame.width();
        final int h = frame.height();
        if (bgr == null || bgr.cols() != w || bgr.rows() != h) {
            if (bgr != null) {
                bgr.close();
            }
            bgr = new Mat(h, w, CV_8UC3);
        }
        bgr.data().put(frame.bgr(), 0, frame.bgr().length);
        opencv_imgproc.cvtColor(bgr, hsv, COLOR_BGR2HSV);
        opencv_core.inRange(hsv, lowerFor(), upperFor(), mask);
        if (mode == Mode.COLOUR) {
            leaveOutBelt();
        }
        opencv_imgproc.morphologyEx(mask, mask, MORPH_OPEN, kernel);
        final int n = opencv_imgproc.connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
        final List<PixelDetection> out = new ArrayList<>();
        if (n <= 1) {
            return out;
        }
        try (IntIndexer s = stats.createIndexer(); IntIndexer lab = labels.createIndexer();
             UByteIndexer hsvIdx = hsv.createIndexer()) {
            for (int i = 1; i < n; i++) {
                final int x = s.get(i, opencv_imgproc.CC_STAT_LEFT);
                final int y = s.get(i, opencv_imgproc.CC_STAT_TOP);
                final int bw = s.get(i, opencv_imgproc.CC_STAT_WIDTH);
                final int bh = s.get(i, opencv_imgproc.CC_STAT_HEIGHT);
                final int area = s.get(i, opencv_imgproc.CC_STAT_AREA);
                if (area < minAreaPx) {
                    continue;
                }
                // Mean hue, saturation and value over the blob's own pixels.
                double sinH = 0;
                double cosH = 0;
                double sat = 0;
                double val = 0;
                for (int yy = y; yy < y + bh; yy++) {
                    for (int xx = x; xx < x + bw; xx++) {
                        if (lab.get(yy, xx) == i) {
                            final double angle = hsvIdx.get(yy, xx, 0) * Math.PI / 90.0;
                            sinH += Math.sin(angle);
                            cosH += Math.cos(angle);
                            sat += hsvIdx.get(yy, xx, 1);
                            val += hsvIdx.get(yy, xx, 2);
                        }
                    }
                }
                double hue = Math.atan2(sinH, cosH) * 90.0 / Math.PI;
                if (hue < 0) {
                    hue += 180;
                }
                sat /= area;
                val /= area;
                final double elongation = (double) Math.max(bw, bh) / Math.max(1, Math.min(bw, bh));
                final double fill = (double) area / (bw * (double) bh);
                final String cls = mode == Mode.COLOUR ? nameColour(hue, elongation, fill, area)
                        : nameUv(elongation, fill);
                final double strength = mode == Mode.COLOUR ? sat / 255.0 : val / 255.0;
                final double confidence = Math.min(0.99, 0.5 + 0.5 * strength * Math.min(1.0, area / (4.0 * minAreaPx)));
                out.add(new PixelDetection(cls, confidence, x, y, bw, bh));
            }
        }
        return out;
    }

    /** Clears the mask where the pixel has the belt's hue, when a coloured belt fills much of the frame. */
    private void leaveOutBelt() {
        java.util.Arrays.fill(hueCounts, 0);
        int sampled = 0;
        try (UByteIndexer m = mask.createIndexer(); UByteIndexer hsvIdx = hsv.createIndexer()) {
            // Every other pixel of every other row is plenty to find a hue that covers a quarter of the frame.
            for (int y = 0; y < hsv.rows(); y += 2) {
                for (int x = 0; x < hsv.cols(); x += 2) {
                    sampled++;
                    if (m.get(y, x) != 0) {
                        hueCounts[hsvIdx.get(y, x, 0) % 180]++;
                    }
                }
            }
        }
        int best = 0;
        int bestCount = 0;
        for (int h = 0; h < 180; h++) {
            int c = 0;
            for (int d = -BELT_HUE_BAND; d <= BELT_HUE_BAND; d++) {
                c += hueCounts[Math.floorMod(h + d, 180)];
            }
            if (c > bestCount) {
                bestCount = c;
                best = h;
            }
        }
        if (bestCount * 100L < (long) sampled * BELT_SHARE_PERCENT) {
            return;
        }
        try (UByteIndexer m = mask.createIndexer(); UByteIndexer hsvIdx = hsv.createIndexer()) {
            for (int y = 0; y < hsv.rows(); y++) {
                for (int x = 0; x < hsv.cols(); x++) {
                    if (m.get(y, x) != 0) {
                        final int d = Math.abs(hsvIdx.get(y, x, 0) - best);
                        if (Math.min(d, 180 - d) <= BELT_HUE_BAND) {
                            m.put(y, x, 0);
                        }
                    }
                }
            }
        }
    }

    private Mat lowerFor() {
        return lower;
    }

    private Mat upperFor() {
        return upper;
    }

    /** Straw is yellow-brown; long saturated lines are twine; short thin squiggles are fibres or string. */
    private static String nameColour(final double hue, final double elongation, final double fill, final int area) {
        final boolean yellowBrown = hue >= 8 && hue <= 35;
        if (yellowBrown && elongation >= 2.0) {
            return "straw";
        }
        if (elongation >= 3.0 && area >= 60) {
            return "polypropylene_twine";
        }
        if (fill < 0.35) {
            return "string";
        }
        if (yellowBrown) {
            return "straw";
        }
        return "coloured_fibre";
    }

    /** Under UV only plastics glow: long ones are twine, compact ones film. */
    private static String nameUv(final double elongation, final double fill) {
        return elongation >= 3.0 || fill < 0.3 ? "polypropylene_twine" : "plastic_film";
    }

    @Override
    public void close() {
        if (bgr != null) {
            bgr.close();
        }
        hsv.close();
        mask.close();
        labels.close();
        stats.close();
        centroids.close();
        kernel.close();
        lower.close();
        upper.close();
    }
}
