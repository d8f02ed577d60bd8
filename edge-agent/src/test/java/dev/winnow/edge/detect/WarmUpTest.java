package dev.winnow.edge.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.edge.camera.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    /** Remembers the size and first byte of every frame it is shown. */
    static class Recording implements FrameDetector {
        final List<String> seen = new ArrayList<>();
        final String version;

        Recording(final String version) {
            this.version = version;
        }

        @Override
        public List<PixelDetection> detect(final Frame frame) {
            seen.add(frame.width() + "x" + frame.height() + ":" + (frame.bgr()[0] & 0xFF));
            return List.of();
        }

        @Override
        public String version() {
            return version;
        }
    }

    @Test
    void warmingUpRunsGreyFramesOfTheCamerasSize() {
        final Recording d = new Recording("m@1");
        d.warmUp("cam", 48, 32);
        assertThat(d.seen).hasSize(FrameDetector.WARM_UP_FRAMES).containsOnly("48x32:128");
    }

    @Test
    void aModelSwappedInIsWarmedWithTheFramesItWillSee() {
        final Recording first = new Recording("m@1");
        final SwappableDetector swappable = new SwappableDetector("cam", first);
        final Recording second = new Recording("m@2");
        // nothing seen yet: the size is unknown, so nothing to warm with
        swappable.swap(second);
        assertThat(second.seen).isEmpty();
        swappable.detect(new Frame("cam", 1, 0, 0, 64, 24, new byte[64 * 24 * 3]));
        final Recording third = new Recording("m@3");
        swappable.swap(third);
        assertThat(third.seen).as("warmed before the swap, at the size of the last frame")
                .hasSize(FrameDetector.WARM_UP_FRAMES).containsOnly("64x24:128");
        swappable.detect(new Frame("cam", 2, 0, 0, 64, 24, new byte[64 * 24 * 3]));
        assertThat(third.seen).hasSize(FrameDetector.WARM_UP_FRAMES + 1).endsWith("64x24:0");
    }

    @Test
    void aModelThatFailsWhileWarmingIsStillSwappedInForProbationToJudge() {
        final SwappableDetector swappable = new SwappableDetector("cam", new Recording("m@1"));
        swappable.detect(new Frame("cam", 1, 0, 0, 8, 8, new byte[8 * 8 * 3]));
        final FrameDetector broken = new Recording("m@2") {
            @Override
            public List<PixelDetection> detect(final Frame frame) {
                throw new IllegalStateException("bad model");
            }
        };
        assertThat(swappable.swap(broken)).isEqualTo("m@1");
        assertThat(swappable.version()).isEqualTo("m@2");
    }
}
