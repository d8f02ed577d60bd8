package dev.winnow.edge.detect;

import dev.winnow.edge.camera.Frame;
import java.util.List;

/** Finds contaminants in one frame. One instance per camera; not required to be thread-safe. */
public interface FrameDetector extends AutoCloseable {

    List<PixelDetection> detect(Frame frame);

    /** What made the decisions, reported with every rejection, e.g. {@code cotton-colour@1.0.0}. */
    String version();

    @Override
    default void close() {
    }
}
