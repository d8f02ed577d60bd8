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
        // Across 50 ± 5 mm, plus 5 mm margin: [40, 60] -> valves 2 (40..60). A touch wider reaches valve 3.
        assertThat(planner.plan(100, 10, 50, 10, 0, 1000, 1000).firstValve()).isEqualTo(2);
        assertThat(planner.plan(100, 10, 50, 10, 0, 1000, 1000).lastValve()).isEqualTo(2);
        final PlannedPulse wide = planner.plan(100, 10, 50, 12, 0, 1000, 1000);
        assertThat(wide.firstValve()).isEqualTo(1);
        assertThat(wide.lastValve()).isEqualTo(3);
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
