package dev.winnow.hardware.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualLineTest {

    @Test
    void sameSeedGivesSameItemsAndIdenticalFrames() {
        final ManualClock c1 = new ManualClock(1_000);
        final ManualClock c2 = new ManualClock(99_000_000); // a different clock origin must not matter
        final VirtualLine a = new VirtualLine(Scenario.named("demo"), c1);
        final VirtualLine b = new VirtualLine(Scenario.named("demo"), c2);
        c1.advanceMillis(4_000);
        c2.advanceMillis(4_000);
        assertThat(a.groundTruthContaminants(c1.nanos())).isNotEmpty()
                .isEqualTo(b.groundTruthContaminants(c2.nanos()));
        assertThat(a.tuftsBetween(0, 2000)).isEqualTo(b.tuftsBetween(0, 2000));
        for (final String cam : List.of("colour-1", "uv-1")) {
            final RenderedFrame fa = a.camera(cam).grabNow();
            final RenderedFrame fb = b.camera(cam).grabNow();
            assertThat(fa.bgr()).isEqualTo(fb.bgr());
            assertThat(fa.truth()).isEqualTo(fb.truth());
            assertThat(fa.encoderCount()).isEqualTo(fb.encoderCount()).isEqualTo(40_000);
        }
    }

    @Test
    void anotherSeedGivesAnotherBelt() {
        final VirtualLine a = new VirtualLine(Scenario.named("demo"), new ManualClock());
        final VirtualLine b = new VirtualLine(Scenario.named("demo").withSeed(43), new ManualClock());
        assertThat(a.tuftsBetween(0, 1000)).isNotEqualTo(b.tuftsBetween(0, 1000));
        assertThat(a.camera("colour-1").grab(0).bgr()).isNotEqualTo(b.camera("colour-1").grab(0).bgr());
    }

    @Test
    void itemsDoNotDependOnQueryOrder() {
        final VirtualLine a = new VirtualLine(Scenario.named("fast-belt"), new ManualClock());
        final VirtualLine b = new VirtualLine(Scenario.named("fast-belt"), new ManualClock());
        final List<BeltItem> far = a.contaminantsBetween(500_000, 510_000); // far ahead first, evicting nothing we need
        a.contaminantsBetween(0, 10_000);
        assertThat(b.contaminantsBetween(500_000, 510_000)).isEqualTo(far);
    }

    @Test
    void aRunInKeepsContaminantsOffTheBeltsFirstMetresAndLeavesTheRestAsTheSeedHasIt() {
        final Scenario sc = Scenario.named("fast-belt");
        final double firstView = sc.cameras().stream().mapToDouble(Scenario.CameraSpec::viewStartMm).min().orElseThrow();
        final VirtualLine plain = new VirtualLine(sc, new ManualClock());
        final VirtualLine runIn = new VirtualLine(sc, new ManualClock(), 3000);
        final double from = 3000 - firstView; // belt coordinate reaching the first view after 3 m of travel
        assertThat(plain.contaminantsBetween(-firstView, from)).as("the plain line has contaminants there")
                .anySatisfy(i -> assertThat(i.alongMm()).isLessThan(from));
        assertThat(runIn.contaminantsBetween(-firstView, from)).allSatisfy(i ->
                assertThat(i.alongMm()).isGreaterThanOrEqualTo(from));
        assertThat(runIn.contaminantsBetween(from + 500, 30_000))
                .isEqualTo(plain.contaminantsBetween(from + 500, 30_000)).isNotEmpty();
        assertThat(runIn.tuftsBetween(0, 3000)).as("cotton as before").isEqualTo(plain.tuftsBetween(0, 3000));
        assertThatThrownBy(() -> new VirtualLine(sc, new ManualClock(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runInMm");
    }

    @Test
    void contaminantRateFollowsTheScenario() {
        final ManualClock clock = new ManualClock();
        final VirtualLine line = new VirtualLine(Scenario.named("demo"), clock); // 2 per second
        final List<BeltItem> items = line.groundTruthContaminants(line.nanosAtTravel(100_000)); // 100 s of belt
        assertThat(items.size()).isBetween(150, 250);
        assertThat(items).allSatisfy(i -> {
            assertThat(i.isContaminant()).isTrue();
            assertThat(i.cls()).isNotNull();
            assertThat(i.acrossMm()).isBetween(0.0, 1000.0);
        });
        assertThat(items.stream().map(BeltItem::cls).distinct().count()).isEqualTo(6);
    }

    @Test
    void travelEncoderAndGeometryAgree() {
        final ManualClock clock = new ManualClock(5_000);
        final VirtualLine line = new VirtualLine(Scenario.named("fast-belt"), clock);
        clock.advanceMillis(250);
        assertThat(line.travelMm(clock.nanos())).isCloseTo(750, within(1e-6));
        assertThat(line.encoder().count()).isEqualTo(7_500);
        assertThat(line.encoder().travelMm()).isCloseTo(750, within(1e-6));
        assertThat(line.nanosAtTravel(750)).isEqualTo(clock.nanos());

        final CameraGeometry g = line.camera("colour-1").geometry();
        assertThat(g.calibrationPoints()).hasSize(4);
        assertThat(g.calibrationPoints().get(0).worldMm()).isCloseTo(412.5, within(1e-9));
        assertThat(g.calibrationPoints().get(2).acrossMm()).isCloseTo(1000, within(1e-9));
        final CameraGeometry.BeltPoint p = g.pixelToBelt(240, 90);
        assertThat(p.worldMm()).isCloseTo(600, within(1e-9));
        assertThat(g.beltToPixel(p.acrossMm(), p.worldMm()).yPx()).isCloseTo(90, within(1e-9));
        assertThat(g.surfaceAlongMm(90, 750)).isCloseTo(150, within(1e-9));
        assertThatThrownBy(() -> line.camera("nope")).hasMessageContaining("colour-1");
    }
}
