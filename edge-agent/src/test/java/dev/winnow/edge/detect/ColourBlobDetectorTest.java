package dev.winnow.edge.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.edge.camera.Frame;
import dev.winnow.hardware.sim.GroundTruthBox;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.RenderedFrame;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classical colour detector on grey and on coloured belts, against the virtual line's truth. */
class ColourBlobDetectorTest {

    private static List<RenderedFrame> frames(final String beltColour, final double contaminantsPerSecond) {
        final Scenario sc = Scenario.parse("""
                seed: 5
                belt: {speedMps: 1.0, colour: "%s"}
                product: {tuftsPerSecond: 150}
                contaminants: {perSecond: %s, mix: {straw: 1, coloured_fibre: 1}}
                cameras: [{id: c, kind: colour, positionMm: 600}]
                """.formatted(beltColour, contaminantsPerSecond));
        final ManualClock clock = new ManualClock();
        final VirtualLine line = new VirtualLine(sc, clock);
        final List<RenderedFrame> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            out.add(line.camera("c").grab(clock.advanceMillis(400)));
        }
        return out;
    }

    private static Frame frame(final RenderedFrame f) {
        return new Frame("c", f.sequence(), f.captureNanos(), f.encoderCount(), f.width(), f.height(), f.bgr());
    }

    private static boolean overlapsTruth(final PixelDetection d, final List<GroundTruthBox> truth) {
        for (final GroundTruthBox t : truth) {
            final double x0 = t.xPx() - 2;
            final double x1 = t.xPx() + t.wPx() + 2;
            final double y0 = t.yPx() - 2;
            final double y1 = t.yPx() + t.hPx() + 2;
            if (d.x() < x1 && d.x() + d.width() > x0 && d.y() < y1 && d.y() + d.height() > y0) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aBareColouredBeltIsNotAContaminant() {
        try (ColourBlobDetector detector = new ColourBlobDetector(ColourBlobDetector.Mode.COLOUR, 12)) {
            for (final RenderedFrame f : frames("#A83CA8", 0)) {
                assertThat(detector.detect(frame(f))).as("frame %d", f.sequence()).isEmpty();
            }
        }
    }

    @Test
    void findsStrawAndFibresOnGreyAndMagentaBeltsAndNothingOnTheBelt() {
        for (final String belt : List.of("#3C423F", "#A83CA8")) {
            int found = 0;
            int wrong = 0;
            try (ColourBlobDetector detector = new ColourBlobDetector(ColourBlobDetector.Mode.COLOUR, 12)) {
                for (final RenderedFrame f : frames(belt, 6)) {
                    for (final PixelDetection d : detector.detect(frame(f))) {
                        if (overlapsTruth(d, f.truth())) {
                            found++;
                        } else {
                            wrong++;
                        }
                    }
                }
            }
            // On magenta the blended edge pixels of a thin fibre or straw lose saturation or lean to the belt's hue,
            // so fewer are found (16 against 6 when written); none may be on the belt itself.
            assertThat(found).as("detections on a contaminant, belt %s", belt)
                    .isGreaterThanOrEqualTo(belt.equals("#A83CA8") ? 4 : 10);
            assertThat(wrong).as("detections on nothing, belt %s", belt).isLessThanOrEqualTo(found / 10);
        }
    }
}
