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
                return 0;
            }

            @Override
            public double mmPerCount() {
                return 0.1;
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

    @Test
    void withoutPerClassValuesEveryClassNeedsTheLineMinimum() {
        final LineInspector.Settings s = new LineInspector.Settings("pi-1", 0.5, 10, false, 3, 0.02, 100);
        assertThat(s.minSightings("feather")).isEqualTo(3);
        final LineInspector inspector = inspector(s);
        see(inspector, "feather", 3);
        assertThat(rejections).hasSize(1);
    }
}
