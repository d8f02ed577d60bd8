package dev.winnow.edge.detect;

import dev.winnow.edge.camera.Frame;
import java.util.List;

/** Finds contaminants in one frame. One instance per camera; not required to be thread-safe. */
public interface FrameDetector extends AutoCloseable {

    List<PixelDetection> detect(Frame frame);

    /** What made the decisions, reported with every rejection, e.g. {@code cotton-colour@1.0.0}. */
    String version();

    /**
     * Per class, the mean confidence over its sightings that an object this detector names must reach before it is
     * fired at: the model card's {@code decision.minMeanConfidence}, so the rule changes with the model. Empty for
     * detectors without one.
     */
    default java.util.Map<String, Double> minMeanConfidenceByClass() {
        return java.util.Map.of();
    }

    /** Frames run through a detector before it meets the belt. */
    int WARM_UP_FRAMES = 20;

    /**
     * Runs {@link #WARM_UP_FRAMES} mid-grey frames of the camera's size through the detector, so that the first frame
     * of the belt is inspected as fast as any other: ONNX Runtime allocates its buffers and the JIT compiles the
     * pre-processing and decoding on first use, and until then frames queue up and are dropped (measured: the first
     * 0.1–0.3 s of a fast-belt run, in which three contaminants passed unseen). Call it before the belt runs, or
     * before swapping a new model in.
     */
    default void warmUp(final String camera, final int width, final int height) {
        final byte[] grey = new byte[width * height * 3];
        java.util.Arrays.fill(grey, (byte) 128);
        for (int i = 0; i < WARM_UP_FRAMES; i++) {
            detect(new Frame(camera, -1 - i, 0, 0, width, height, grey));
        }
    }

    @Override
    default void close() {
    }
}
