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

    @Override
    default void close() {
    }
}
