package dev.winnow.edge.sim;

import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.hardware.sim.GroundTruthBox;
import java.util.ArrayList;
import java.util.List;

/**
 * MEASURING TOOL ONLY: the virtual line's ground truth as detections (confidence 1, exact boxes).
 * It isolates what tracking, planning and valve timing lose from what the detector misses. It is
 * never the default, cannot be configured for {@code run}, and {@link Simulation} refuses it with a
 * broker. The agent's own decisions never read ground truth.
 */
final class OracleDetector implements FrameDetector {

    private final VirtualCameraSource source;

    OracleDetector(final VirtualCameraSource source) {
        this.source = source;
        source.keepTruth(true);
    }

    @Override
    public List<PixelDetection> detect(final Frame frame) {
        final List<GroundTruthBox> truth = source.truthOf(frame.sequence());
        final List<PixelDetection> out = new ArrayList<>(truth.size());
        for (final GroundTruthBox b : truth) {
            out.add(new PixelDetection(b.cls().wireName(), 1.0, b.xPx(), b.yPx(), b.wPx(), b.hPx()));
        }
        return out;
    }

    @Override
    public String version() {
        return "oracle@ground-truth";
    }
}
