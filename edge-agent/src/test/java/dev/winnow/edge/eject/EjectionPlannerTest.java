package dev.winnow.edge.eject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

final class EjectionPlannerTest {

    // Bar 2000 mm down the line, 10 valves of 20 mm from the left edge, 5 ms latency, 5 mm margins, 50 ms cap.
    private final NozzleBar bar = new NozzleBar(2000, 10, 20, 0, 5, 5, 5, 50);
    private final EjectionPlanner planner = new EjectionPlanner(bar);

    @Test
    void opensWhenTheLeadingEdgePlusMarginReachesTheBarLessLatency() {
        // Object centred at belt position 100 mm, 10 mm long; belt has travelled 1000 mm; 1 m/s.
        final PlannedPulse p = planner.plan(100, 10, 50, 10, 0, 1000, 1000);
        // Leading edge minus margin: 100 - 5 - 5 = 90; reaches the bar at travel 2090: 1090 mm away = 1.090 s.
        assertThat(p.openNanos()).isEqualTo(1_090_000_000L - 5_000_000L);
        // Trailing edge plus margin: 110 -> travel 2110 -> 1.110 s.
        assertThat(p.closeNanos()).isEqualTo(1_110_000_000L - 5_000_000L);
        assertThat(p.durationMs()).isCloseTo(20, within(1e-9));
        assertThat(p.late()).isFalse();
    }

    @Test
    void choosesEveryNozzleUnderTheObjectPlusMargin() {
        // Across 50 ± 5 mm: core (minus 3 mm strips, more than 15 %) 50 ± 2, plus 5 mm margin: [43, 57] -> valve 2.
        assertThat(planner.plan(100, 10, 50, 10, 0, 1000, 1000).firstValve()).isEqualTo(2);
        assertThat(planner.plan(100, 10, 50, 10, 0, 1000, 1000).lastValve()).isEqualTo(2);
        // 20 mm wide: core 50 ± 7, plus margin: [38, 62] reaches valves 1 and 3.
        final PlannedPulse wide = planner.plan(100, 10, 50, 20, 0, 1000, 1000);
        assertThat(wide.firstValve()).isEqualTo(1);
        assertThat(wide.lastValve()).isEqualTo(3);
    }

    @Test
    void aLaneThatWouldSeeOnlyTheBoxsEdgeStripIsNotFired() {
        final EjectionPlanner exact = new EjectionPlanner(new NozzleBar(2000, 10, 20, 0, 5, 0, 5, 50));
        // Box [38, 100] (62 mm): its left 15 % strip is [38, 47.3]; valve 1 (20..40) would see only 2 mm of it.
        final PlannedPulse p = exact.plan(100, 10, 69, 62, 0, 1000, 1000);
        assertThat(p.firstValve()).isEqualTo(2);
        assertThat(p.lastValve()).isEqualTo(4);
        // Box [30, 92]: 10 mm in valve 1 is more than the strip (9.3 mm): fired.
        final PlannedPulse q = exact.plan(100, 10, 61, 62, 0, 1000, 1000);
        assertThat(q.firstValve()).isEqualTo(1);
        assertThat(q.lastValve()).isEqualTo(4);
    }

    @Test
    void aNarrowBoxKeepsAtLeastThreeMillimetresOfEachSideOutOfTheLanes() {
        final EjectionPlanner exact = new EjectionPlanner(new NozzleBar(2000, 10, 20, 0, 5, 0, 5, 50));
        // A straw's box [34, 42]: 15 % strips (1.2 mm) would leave [35.2, 40.8], 0.8 mm into valve 2 (40..60),
        // less than a detector's box error. The 3 mm strips leave [37, 39]: valve 1 alone.
        final PlannedPulse straw = exact.plan(100, 60, 38, 8, 0, 1000, 1000);
        assertThat(straw.firstValve()).isEqualTo(1);
        assertThat(straw.lastValve()).isEqualTo(1);
        // The same straw 4 mm further right, [38, 46], has its core [41, 43] in valve 2 alone.
        final PlannedPulse moved = exact.plan(100, 60, 42, 8, 0, 1000, 1000);
        assertThat(moved.firstValve()).isEqualTo(2);
        assertThat(moved.lastValve()).isEqualTo(2);
        // Centred on the boundary, [36, 44]: the core [39, 41] reaches both.
        final PlannedPulse straddling = exact.plan(100, 60, 40, 8, 0, 1000, 1000);
        assertThat(straddling.firstValve()).isEqualTo(1);
        assertThat(straddling.lastValve()).isEqualTo(2);
    }

    @Test
    void clampsNozzlesToTheBar() {
        final PlannedPulse p = planner.plan(100, 10, 1, 10, 0, 1000, 1000);
        assertThat(p.firstValve()).isZero();
        final PlannedPulse q = planner.plan(100, 10, 199, 10, 0, 1000, 1000);
        assertThat(q.lastValve()).isEqualTo(9);
    }

    @Test
    void capsTheOnTime() {
        final PlannedPulse p = planner.plan(100, 400, 50, 10, 0, 1000, 1000);
        assertThat(p.durationMs()).isCloseTo(50, within(1e-6));
    }

    @Test
    void aDecisionAfterTheOpenInstantIsLateButStillFires() {
        // Travel 2090: the leading edge is at the bar already.
        final PlannedPulse p = planner.plan(100, 10, 50, 10, 7, 2090, 1000);
        assertThat(p.late()).isTrue();
        assertThat(p.openNanos()).isEqualTo(7);
    }

    @Test
    void anObjectAlreadyPastTheBarGetsNoPulse() {
        assertThat(planner.plan(100, 10, 50, 10, 0, 2200, 1000)).isNull();
    }

    @Test
    void refusesAStoppedBelt() {
        assertThatThrownBy(() -> planner.plan(100, 10, 50, 10, 0, 1000, 0)).hasMessageContaining("speed");
    }
}
