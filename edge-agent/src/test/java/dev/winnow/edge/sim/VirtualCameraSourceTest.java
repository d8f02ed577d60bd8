package dev.winnow.edge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualCamera;
import dev.winnow.hardware.sim.VirtualLine;
import org.junit.jupiter.api.Test;

class VirtualCameraSourceTest {

    @Test
    void slotsThatPassWhileTheCaptureThreadIsLateAreCountedAsMissed() throws Exception {
        final ManualClock clock = new ManualClock();
        final VirtualCamera camera = new VirtualLine(Scenario.named("demo"), clock).cameras().get(0);
        final long period = camera.framePeriodNanos();
        final VirtualCameraSource source = new VirtualCameraSource(camera, clock, Long.MAX_VALUE);
        assertThat(source.missedFrames()).isZero();

        source.next(); // slot 0, on time
        clock.advance(period);
        source.next(); // slot 1, on time
        assertThat(source.missedFrames()).isZero();

        clock.advance(3 * period + period / 2); // 4.5 periods: slots 2 and 3 passed unrendered
        source.next();
        assertThat(source.missedFrames()).isEqualTo(2);
        clock.advance(period); // back on schedule
        source.next();
        assertThat(source.missedFrames()).isEqualTo(2);
    }
}
