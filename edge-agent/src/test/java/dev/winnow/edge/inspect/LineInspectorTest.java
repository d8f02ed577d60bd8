package dev.winnow.edge.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.edge.belt.Homography;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.edge.eject.EjectionPlanner;
import dev.winnow.edge.eject.NozzleBar;
import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.valve.ValveBank;
import dev.winnow.protocol.RejectEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class LineInspectorTest {

    private final ManualClock clock = new ManualClock(0);
    private final List<RejectEvent> rejections = new ArrayList<>();
    /** Encoder counts of 0.125 mm: the belt's travel, moved by the tests that need a moving belt. */
    private long encoderCount;

    private LineInspector inspector(final LineInspector.Settings settings) {
        final ValveBank bank = new ValveBank() {
            private final boolean[] open = new boolean[4];

            @Override
            public int size() {
                return open.length;
            }

            @Override
            public void open(final int valve) {
                open[valve] = true;
            }

            @Override
            public void close(final int valve) {
                open[valve] = false;
            }

            @Override
            public boolean isOpen(final int valve) {
                return open[valve];
            }

            @Override
            public void closeAll() {
                java.util.Arrays.fill(open, false);
            }

            @Override
            public void close() {
                closeAll();
            }
        };
        final BeltEncoder encoder = new BeltEncoder() {
            @Override
            public long count() {
                return encoderCount;
            }

            @Override
            public double mmPerCount() {
                return 0.125;
            }
        };
        final Homography h = Homography.fromFourPoints(new double[] {0, 0, 64, 0, 64, 48, 0, 48},
                new double[] {0, 225, 1000, 225, 1000, 975, 0, 975});
        return new LineInspector(settings, Map.of("colour-1", h),
                new EjectionPlanner(new NozzleBar(2400, 4, 250, 0, 5, 3, 8, 250)),
                new ValveScheduler(bank, clock, 250_000_000L, 2_000_000L, new TimingLog(64)), clock,
                Clock.systemUTC(), encoder, () -> 1000, rejections::add);
    }

    /** The same object seen again in the next frame (the belt does not move here: encoder count 0). */
    private static void see(final LineInspector inspector, final String cls, final int times) {
        for (int i = 0; i < times; i++) {
            inspector.accept(new Frame("colour-1", i, 0, 0, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection(cls, 0.9, 20, 20, 4, 4)), "m@1");
        }
    }

    @Test
    void aClassCanNeedMoreSightingsThanTheRest() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 8)));
        see(inspector, "feather", 7);
        assertThat(rejections).as("a feather seen in 7 frames is not acted on").isEmpty();
        see(inspector, "feather", 1);
        assertThat(rejections).hasSize(1);
        assertThat(rejections.get(0).cls()).isEqualTo("feather");
    }

    @Test
    void otherClassesKeepTheLineMinimum() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of("feather", 8)));
        see(inspector, "string", 1);
        assertThat(rejections).isEmpty();
        see(inspector, "string", 1);
        assertThat(rejections).as("a string needs the line's 2 sightings").hasSize(1);
        see(inspector, "string", 5);
        assertThat(rejections).as("one object, one rejection").hasSize(1);
    }

    /**
     * The same object on a moving belt: frame {@code k} is taken after 31.25 mm of travel per frame, which is 2 pixels
     * of this camera (15.625 mm per pixel), so the box moves down the image with the belt.
     */
    private void seeMoving(final LineInspector inspector, final String cls, final int fromFrame, final int toFrame) {
        for (int k = fromFrame; k < toFrame; k++) {
            encoderCount = k * 250L;
            inspector.accept(new Frame("colour-1", k, k * 10_000_000L, encoderCount, 64, 48, new byte[64 * 48 * 3]),
                    List.of(new PixelDetection(cls, 0.9, 20, 10 + 2 * k, 4, 4)), "m@1");
        }
    }

    @Test
    void aClassCanNeedToBeFollowedOverSomeBeltTravel() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("feather", 240.0)));
        seeMoving(inspector, "feather", 0, 8);
        assertThat(rejections).as("a feather followed over 7 x 31.25 = 218.75 mm is not acted on").isEmpty();
        seeMoving(inspector, "feather", 8, 9);
        assertThat(rejections).as("over 250 mm it is").hasSize(1);
        assertThat(rejections.get(0).cls()).isEqualTo("feather");
    }

    @Test
    void followingIsMeasuredInTravelNotFrames() {
        final LineInspector inspector = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("feather", 240.0)));
        see(inspector, "feather", 20);
        assertThat(rejections).as("20 frames of a belt that did not move follow it over 0 mm").isEmpty();
        final LineInspector strings = inspector(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100,
                Map.of(), Map.of("feather", 240.0)));
        encoderCount = 0;
        seeMoving(strings, "string", 0, 2);
        assertThat(rejections).as("a class without a travel demand needs only its sightings").hasSize(1);
        assertThat(new LineInspector.Settings("pi-1", 0.5, 10, false, 2, 0.02, 100).minSeenOverMm("feather"))
                .isZero();
    }

    @Test
    void withoutPerClassValuesEveryClassNeedsTheLineMinimum() {
        final LineInspector.Settings s = new LineInspector.Settings("pi-1", 0.5, 10, false, 3, 0.02, 100);
        assertThat(s.minSightings("feather")).isEqualTo(3);
        final LineInspector inspector = inspector(s);
        see(inspector, "feather", 3);
        assertThat(rejections).hasSize(1);
    }
}
