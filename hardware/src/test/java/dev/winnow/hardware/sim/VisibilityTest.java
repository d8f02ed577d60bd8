package dev.winnow.hardware.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VisibilityTest {

    private static final int W = 10;
    private static final int H = 8;
    /** A 4 x 3 box at (2, 2). */
    private static final GroundTruthBox BOX = new GroundTruthBox(1, ContaminantClass.FEATHER, 2, 2, 4, 3, 0, 0, 4, 3);

    private static byte[] grey() {
        final byte[] b = new byte[W * H * 3];
        Arrays.fill(b, (byte) 100);
        return b;
    }

    /** The background with {@code n} pixels of the box's first row and then its second changed by {@code delta} in green. */
    private static RenderedFrame changed(final int n, final int delta) {
        final byte[] f = grey();
        for (int i = 0; i < n; i++) {
            final int x = 2 + i % 4;
            final int y = 2 + i / 4;
            f[(y * W + x) * 3 + 1] = (byte) (100 + delta);
        }
        return new RenderedFrame("c", 0, 0, 0, W, H, f, List.of(BOX));
    }

    @Test
    void aContaminantIsShownByEnoughPixelsThatDifferEnough() {
        final Visibility v = new Visibility(24, 4);
        assertFalse(v.shows(BOX, changed(3, 40), grey()), "three pixels are not enough");
        assertTrue(v.shows(BOX, changed(4, 40), grey()), "four are");
        assertFalse(v.shows(BOX, changed(12, 23), grey()), "23 levels are not a visible difference");
        assertTrue(v.shows(BOX, changed(4, 24), grey()), "24 levels are");
        assertTrue(v.shows(BOX, changed(4, -24), grey()), "darker counts as well as lighter");
    }

    @Test
    void onlyPixelsInsideTheBoxCount() {
        final byte[] f = grey();
        for (int x = 0; x < W; x++) {
            f[x * 3] = (byte) 200; // row 0, above the box
        }
        assertFalse(new Visibility(24, 4).shows(BOX, new RenderedFrame("c", 0, 0, 0, W, H, f, List.of(BOX)), grey()));
    }

    @Test
    void zeroPixelsShowsEverything() {
        assertTrue(new Visibility(24, 0).shows(BOX, changed(0, 0), grey()));
    }

    @Test
    void aDeltaOutsideOneTo255IsRefused() {
        assertEquals("visibility delta must be 1 to 255 levels, not 0",
                assertThrows(IllegalArgumentException.class, () -> new Visibility(0, 4)).getMessage());
        assertEquals("visibility delta must be 1 to 255 levels, not 256",
                assertThrows(IllegalArgumentException.class, () -> new Visibility(256, 4)).getMessage());
    }

    @Test
    void negativePixelsAreRefused() {
        assertEquals("visibility pixels must be 0 or more, not -1",
                assertThrows(IllegalArgumentException.class, () -> new Visibility(24, -1)).getMessage());
    }

    @Test
    void theUvCameraShowsPolypropyleneAndNotFeathers() {
        // Polypropylene fluoresces under the UV lamp and feathers do not: with the UV camera alone, every twine is
        // shown and no feather is.
        final Scenario both = Scenario.named("fast-belt");
        final Scenario uvOnly = new Scenario(both.name(), both.seed(), both.durationSeconds(), both.belt(),
                both.product(), both.contaminants(),
                both.cameras().stream().filter(c -> c.kind() == Scenario.CameraKind.UV).toList(),
                both.nozzleBar(), both.lighting());
        final List<BeltItem> items = new VirtualLine(both, new ManualClock(0)).contaminantsBetween(2_000, 60_000);
        final List<BeltItem> twine = items.stream()
                .filter(i -> i.cls() == ContaminantClass.POLYPROPYLENE_TWINE).limit(10).toList();
        final List<BeltItem> feathers = items.stream().filter(i -> i.cls() == ContaminantClass.FEATHER).limit(10).toList();
        assertEquals(10, twine.size(), "the scenario has twine");
        assertEquals(10, feathers.size(), "the scenario has feathers");
        twine.forEach(t -> assertTrue(Visibility.DEFAULT.anyCameraShows(uvOnly, t), "twine " + t.id()));
        feathers.forEach(f -> assertFalse(Visibility.DEFAULT.anyCameraShows(uvOnly, f), "feather " + f.id()));
        feathers.forEach(f -> assertTrue(Visibility.DEFAULT.anyCameraShows(both, f), "feather " + f.id()
                + " in colour"));
    }
}
