package dev.winnow.hardware.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualValveBankTest {

    /** Sparse straw on an empty belt, no jitter: exact, readable timing. */
    private static final String SPARSE = """
            seed: 3
            belt: {speedMps: 1.0}
            product: {tuftsPerSecond: 0}
            contaminants: {perSecond: 0.5, mix: {straw: 1}}
            cameras: [{id: c, positionMm: 600}]
            nozzleBar: {positionMm: 2400, latencyMs: 5, jitterMs: 0}
            """;

    private final ManualClock clock = new ManualClock(1_000_000);

    private static BeltItem firstAfter(final VirtualLine line, final double along) {
        return line.groundTruthContaminants(line.nanosAtTravel(along + 5_000)).stream()
                .filter(i -> i.alongMm() > along).findFirst().orElseThrow();
    }

    /** Opens the valves over an item's width so that the jet covers its length plus a margin; returns the close time. */
    private static long fire(final VirtualLine line, final ManualClock clock, final BeltItem item, final double margin,
                             final double shiftMm) {
        final Scenario.NozzleBar bar = line.scenario().nozzleBar();
        final long latency = Math.round(bar.latencyMs() * 1e6);
        final double hl = item.halfAlongExtent();
        final long open = line.nanosAtTravel(item.alongMm() - hl - margin + bar.positionMm() + bar.footprintMm() / 2
                + shiftMm) - latency;
        final long close = line.nanosAtTravel(item.alongMm() + hl + margin + bar.positionMm() - bar.footprintMm() / 2
                + shiftMm) - latency;
        final VirtualValveBank valves = line.valves();
        final int v0 = valves.valveAt(item.acrossMm() - item.halfAcrossExtent());
        final int v1 = valves.valveAt(item.acrossMm() + item.halfAcrossExtent());
        clock.set(open);
        for (int v = v0; v <= v1; v++) {
            valves.open(v);
        }
        clock.set(Math.max(open, close));
        for (int v = v0; v <= v1; v++) {
            valves.close(v);
        }
        return close;
    }

    @Test
    void aPerfectlyTimedPulseCapturesTheItem() {
        final VirtualLine line = new VirtualLine(Scenario.parse(SPARSE), clock);
        final BeltItem item = firstAfter(line, 500);
        fire(line, clock, item, 10, 0);
        clock.set(line.nanosAtTravel(item.alongMm() + 3_500));
        final Judgement j = line.valves().judge();
        assertThat(j.verdictOf(item.id()).outcome()).isEqualTo(Judgement.Outcome.CAPTURED);
        assertThat(j.verdictOf(item.id()).coverage()).isEqualTo(1.0);
        assertThat(j.result().captured()).isGreaterThanOrEqualTo(1);
        assertThat(j.result().capturedByClass().get(ContaminantClass.STRAW)).isEqualTo(j.result().captured());
        assertThat(j.pulses()).isNotEmpty().allSatisfy(p -> assertThat(p.itemsHit()).contains(item.id()));
        assertThat(j.result().spuriousPulses()).isZero();
    }

    @Test
    void aLatePulseMissesAndTheItemEscapes() {
        final VirtualLine line = new VirtualLine(Scenario.parse(SPARSE), clock);
        final BeltItem item = firstAfter(line, 500);
        // 200 mm late: the item has left the jet zone before any air arrives.
        fire(line, clock, item, 10, item.halfAlongExtent() * 2 + 200);
        clock.set(line.nanosAtTravel(item.alongMm() + 3_500));
        final Judgement j = line.valves().judge();
        assertThat(j.verdictOf(item.id()).outcome()).isEqualTo(Judgement.Outcome.ESCAPED);
        assertThat(j.result().escaped()).isGreaterThanOrEqualTo(1);
        assertThat(j.pulses()).allSatisfy(p -> assertThat(p.itemsHit()).doesNotContain(item.id()));
    }

    @Test
    void aPulseSlightlyTooShortCoversOnlyPartOfTheItem() {
        final VirtualLine line = new VirtualLine(Scenario.parse(SPARSE), clock);
        final BeltItem item = firstAfter(line, 500);
        // Air arrives when the item's centre has already passed: at most half of it is hit.
        fire(line, clock, item, 10, item.halfAlongExtent() + 10 + line.scenario().nozzleBar().footprintMm());
        clock.set(line.nanosAtTravel(item.alongMm() + 3_500));
        final Judgement.ItemVerdict v = line.valves().judge().verdictOf(item.id());
        assertThat(v.outcome()).isEqualTo(Judgement.Outcome.ESCAPED);
        assertThat(v.coverage()).isLessThan(0.5);
    }

    @Test
    void aPulseOnAnEmptyBeltIsSpuriousAndCleanCottonIsCollateral() {
        final VirtualLine line = new VirtualLine(Scenario.parse("""
                belt: {speedMps: 1.0}
                product: {tuftsPerSecond: 400}
                contaminants: {perSecond: 0}
                cameras: [{id: c, positionMm: 600}]
                nozzleBar: {jitterMs: 0}
                """), clock);
        final VirtualValveBank valves = line.valves();
        clock.advanceMillis(1_000);
        valves.open(5);
        clock.advanceMillis(20);
        valves.close(5);
        clock.advanceMillis(1_000);
        LineResult r = valves.result();
        assertThat(r.pulses()).isEqualTo(1);
        assertThat(r.spuriousPulses()).isEqualTo(1);
        assertThat(r.contaminants()).isZero();

        for (int v = 0; v < valves.size(); v++) {
            valves.open(v);
        }
        clock.advanceMillis(500);
        valves.closeAll();
        clock.advanceMillis(3_000);
        r = valves.result();
        assertThat(r.pulses()).isEqualTo(33);
        assertThat(r.spuriousPulses()).isEqualTo(33);
        assertThat(r.collateralTufts()).isGreaterThan(10);
        assertThat(valves.judge().verdicts()).allSatisfy(v -> assertThat(v.outcome()).isEqualTo(Judgement.Outcome.COLLATERAL));
    }

    @Test
    void aValveHeldOpenCapturesWhatPassesUnderIt() {
        final VirtualLine line = new VirtualLine(Scenario.parse(SPARSE), clock);
        final BeltItem item = firstAfter(line, 500);
        final VirtualValveBank valves = line.valves();
        for (int v = 0; v < valves.size(); v++) {
            valves.open(v); // a diverter: everything open
        }
        clock.set(line.nanosAtTravel(item.alongMm() + 3_500));
        final Judgement j = valves.judge();
        assertThat(j.verdictOf(item.id()).outcome()).isEqualTo(Judgement.Outcome.CAPTURED);
        assertThat(j.result().escaped()).isZero();
        assertThat(j.result().pulses()).isZero(); // still in progress
    }

    @Test
    void unpulsedContaminantsEscapeOnlyOnceTheyHavePassed() {
        final VirtualLine line = new VirtualLine(Scenario.parse(SPARSE), clock);
        clock.set(line.nanosAtTravel(20_000));
        final LineResult r = line.valves().result();
        final long passed = line.groundTruthContaminants(clock.nanos()).stream()
                .filter(i -> i.alongMm() + i.halfAlongExtent() < 20_000 - 2400 - line.scenario().nozzleBar().footprintMm() / 2)
                .count();
        assertThat(r.escaped()).isEqualTo(passed).isGreaterThan(3);
        assertThat(r.captured()).isZero();
        assertThat(r.pending() + r.contaminants()).isEqualTo(line.groundTruthContaminants(clock.nanos()).size());
    }

    @Test
    void jitterIsSeededSoRunsRepeat() {
        final String jittery = SPARSE.replace("jitterMs: 0", "jitterMs: 2");
        final List<PulseRecord> a = run(jittery);
        final List<PulseRecord> b = run(jittery);
        assertThat(a).hasSize(4).isEqualTo(b);
        assertThat(a.get(0).jetStartNanos() - a.get(0).openNanos()).isNotEqualTo(5_000_000L); // jitter applied
    }

    /** One valve's successive pulses: late and early alike around its latency, not a bias of that valve. */
    @Test
    void jitterVariesFromPulseToPulseOfOneValve() {
        final ManualClock c = new ManualClock();
        final VirtualValveBank valves = new VirtualLine(Scenario.parse(SPARSE.replace("jitterMs: 0", "jitterMs: 1")), c)
                .valves();
        for (int i = 0; i < 200; i++) {
            c.advanceMillis(50);
            valves.open(3);
            c.advanceMillis(10);
            valves.close(3);
        }
        final double[] ms = valves.pulses().stream()
                .mapToDouble(p -> (p.jetStartNanos() - p.openNanos() - 5_000_000L) / 1e6).toArray();
        assertThat(ms).hasSize(200);
        final double mean = java.util.Arrays.stream(ms).average().orElseThrow();
        final double sd = Math.sqrt(java.util.Arrays.stream(ms).map(x -> (x - mean) * (x - mean)).sum() / ms.length);
        assertThat(mean).as("mean opening jitter, ms").isBetween(-0.25, 0.25);
        assertThat(sd).as("its standard deviation, ms (1 configured)").isBetween(0.8, 1.2);
        assertThat(java.util.Arrays.stream(ms).filter(x -> x < 0).count()).as("early pulses").isBetween(70L, 130L);
    }

    private static List<PulseRecord> run(final String yaml) {
        final ManualClock c = new ManualClock();
        final VirtualValveBank valves = new VirtualLine(Scenario.parse(yaml), c).valves();
        for (int i = 0; i < 4; i++) {
            c.advanceMillis(100);
            valves.open(i);
            c.advanceMillis(10);
            valves.close(i);
        }
        return valves.pulses();
    }

    @Test
    void indicesAreCheckedAndCloseReleases() {
        final VirtualValveBank valves = new VirtualLine(Scenario.parse(SPARSE), clock).valves();
        assertThatThrownBy(() -> valves.open(32)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 31]");
        assertThatThrownBy(() -> valves.isOpen(-1)).isInstanceOf(IllegalArgumentException.class);
        valves.open(3);
        assertThat(valves.isOpen(3)).isTrue();
        valves.close();
        assertThat(valves.isOpen(3)).isFalse();
        assertThat(valves.pulses()).hasSize(1);
        assertThatThrownBy(() -> valves.open(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aJetOnATwinesAxisBetweenSamplePointsTouchesItButDoesNotCaptureIt() {
        // A 280 mm twine lying straight across the belt: its 21 sample points are 13.3 mm apart.
        final BeltItem twine = new BeltItem(1, BeltItem.Kind.CONTAMINANT, ContaminantClass.POLYPROPYLENE_TWINE, 500,
                1000, 4, 280, Math.PI / 2, 4, 0xFFFFFF, 0, 0, 0, 1);
        // Sample points at 500 + k*13.33 (k = -10..10): an 8 mm lane at [503, 511] holds none of them.
        assertThat(VirtualValveBank.mask(twine, 503, 511, 990, 1010)).isZero();
        assertThat(VirtualValveBank.axisTouches(twine, 503, 511, 990, 1010)).isTrue();
        // Off the twine along the belt: no touch.
        assertThat(VirtualValveBank.axisTouches(twine, 503, 511, 1010, 1030)).isFalse();
        // Beyond its end across the belt: no touch.
        assertThat(VirtualValveBank.axisTouches(twine, 645, 675, 990, 1010)).isFalse();
    }

    @Test
    void aJetOverAnyPartOfAFilmAsDrawnTouchesIt() {
        // A 60 x 60 mm film: its sprite reaches at least 19 mm from its centre in every direction, at most 30 mm.
        final BeltItem film = new BeltItem(1, BeltItem.Kind.CONTAMINANT, ContaminantClass.PLASTIC_FILM, 500, 1000,
                60, 60, 0, 60, 0xFFFFFF, 0, 0, 0, 0.5);
        // Its sample points lie across at 480, 500 and 520: a jet over [505, 515] holds none, yet covers film.
        assertThat(VirtualValveBank.mask(film, 505, 515, 996, 1004)).isZero();
        assertThat(VirtualValveBank.touches(film, 505, 515, 996, 1004)).isTrue();
        // The corner of its rectangle, 35 mm and more from the centre, holds no film.
        assertThat(VirtualValveBank.touches(film, 525, 530, 1025, 1030)).isFalse();
        // Beyond its rectangle: nothing.
        assertThat(VirtualValveBank.touches(film, 531, 560, 990, 1010)).isFalse();
    }

    @Test
    void aJetOnTheEdgeOfAStringsStrokeTouchesIt() {
        // 200 mm of twine lying straight along the belt at 500 mm across, its stroke 4 mm thick: 498 to 502.
        final BeltItem twine = new BeltItem(1, BeltItem.Kind.CONTAMINANT, ContaminantClass.POLYPROPYLENE_TWINE, 500,
                1000, 4, 200, 0, 4, 0xFFFFFF, 0, 0, 0, 1);
        assertThat(VirtualValveBank.mask(twine, 501.5, 520, 900, 1100)).isZero();
        assertThat(VirtualValveBank.touches(twine, 501.5, 520, 900, 1100)).isTrue();
        assertThat(VirtualValveBank.touches(twine, 502.5, 520, 900, 1100)).isFalse();
        // past its end along the belt (it ends at 1100, its stroke 2 mm further)
        assertThat(VirtualValveBank.touches(twine, 490, 510, 1101, 1120)).isTrue();
        assertThat(VirtualValveBank.touches(twine, 490, 510, 1103, 1120)).isFalse();
    }

    @Test
    void aBowedTwineIsJudgedAlongTheLineTheCameraDrawsNotItsRectangle() {
        // 200 mm of twine lying along the belt, bowed by half a wave to the far side: its line runs from its axis
        // out to 20 mm off it and back (envelope 44 mm = 4 mm stroke + 2 x 20 mm), never on the near side.
        final BeltItem twine = new BeltItem(1, BeltItem.Kind.CONTAMINANT, ContaminantClass.POLYPROPYLENE_TWINE, 500,
                1000, 44, 200, 0, 4, 0xFFFFFF, 0, 0.5, 0, 1);
        assertThat(twine.waveOffsetMm(0)).isCloseTo(20, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(twine.waveOffsetMm(-100)).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
        // A jet over the far side, from 2 mm off the axis: most of the line is under it (the rectangle's grid
        // would have put only its far third there, 7 of 21 points, and called it an escape).
        final int far = Integer.bitCount(VirtualValveBank.mask(twine, 502, 560, 850, 1150));
        assertThat(far).isGreaterThanOrEqualTo(11);
        // A jet over the near side meets none of it, though it covers a third of the rectangle.
        assertThat(VirtualValveBank.mask(twine, 440, 499, 850, 1150)).isZero();
        assertThat(VirtualValveBank.axisTouches(twine, 440, 499, 850, 1150)).isFalse();
        // A straight twine (no waves) along the same axis is met by a jet on its axis at all 21 points.
        final BeltItem straight = new BeltItem(2, BeltItem.Kind.CONTAMINANT, ContaminantClass.POLYPROPYLENE_TWINE,
                500, 1000, 4, 200, 0, 4, 0xFFFFFF, 0, 0, 0, 1);
        assertThat(Integer.bitCount(VirtualValveBank.mask(straight, 495, 505, 850, 1150))).isEqualTo(21);
    }
}
