package dev.winnow.edge.belt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

final class HomographyTest {

    @Test
    void mapsAScaledShiftedView() {
        // 320x240 px showing belt across 0..1000 mm and along 1500..2250 mm.
        final Homography h = Homography.fromFourPoints(
                new double[] {0, 0, 320, 0, 320, 240, 0, 240},
                new double[] {0, 2250, 1000, 2250, 1000, 1500, 0, 1500});
        assertThat(h.across(160, 120)).isCloseTo(500, within(1e-3));
        assertThat(h.along(160, 120)).isCloseTo(1875, within(1e-3));
        assertThat(h.along(0, 240)).isCloseTo(1500, within(1e-3));
    }

    @Test
    void mapsAPerspectiveView() {
        // A camera looking obliquely: the far edge of the belt appears narrower.
        final Homography h = Homography.fromFourPoints(
                new double[] {100, 0, 220, 0, 320, 240, 0, 240},
                new double[] {0, 1000, 100, 1000, 100, 0, 0, 0});
        assertThat(h.across(100, 0)).isCloseTo(0, within(1e-6));
        assertThat(h.across(220, 0)).isCloseTo(100, within(1e-3));
        assertThat(h.along(160, 240)).isCloseTo(0, within(1e-3));
        // The far end is compressed: the middle image row (220 px wide) lies where depth, proportional to
        // 1 / row width, gives along = 1000 * (1/220 - 1/320) / (1/120 - 1/320) = 3000 / 11 mm.
        assertThat(h.along(160, 120)).isCloseTo(3000.0 / 11, within(1e-3));
    }

    @Test
    void refusesDegeneratePoints() {
        assertThatThrownBy(() -> Homography.fromFourPoints(
                new double[] {0, 0, 1, 1, 2, 2, 3, 3},
                new double[] {0, 0, 1, 0, 1, 1, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
