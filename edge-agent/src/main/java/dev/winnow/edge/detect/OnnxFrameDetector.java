package dev.winnow.edge.detect;

import dev.winnow.edge.camera.Frame;
import dev.winnow.models.Detector;
import dev.winnow.models.decode.Detection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained model on one camera: the models module's {@link Detector} (pre-processing from the card,
 * ONNX Runtime session, decoder, per-class thresholds) adapted to the pipeline. One instance per
 * camera, each with its own session and {@code threads} intra-op threads.
 */
public final class OnnxFrameDetector implements FrameDetector {

    private final Detector detector;
    private final String version;

    public OnnxFrameDetector(final Detector detector) {
        this.detector = detector;
        this.version = detector.card().name() + "@" + detector.card().version();
    }

    /**
     * Opens {@code dir/model.onnx} checked against {@code dir/model.json}.
     *
     * @throws dev.winnow.models.onnx.ModelMismatchException when the graph does not match its card
     */
    public static OnnxFrameDetector open(final Path dir, final int threads) throws IOException {
        return new OnnxFrameDetector(Detector.open(dir, threads));
    }

    @Override
    public List<PixelDetection> detect(final Frame frame) {
        final List<Detection> found = detector.detect(frame.bgr(), frame.width(), frame.height());
        final List<PixelDetection> out = new ArrayList<>(found.size());
        for (final Detection d : found) {
            out.add(new PixelDetection(d.cls(), d.confidence(), d.x(), d.y(), d.w(), d.h()));
        }
        return out;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public java.util.Map<String, Double> minMeanConfidenceByClass() {
        return detector.card().minMeanConfidence();
    }

    public Detector detector() {
        return detector;
    }

    @Override
    public void close() {
        detector.close();
    }
}
