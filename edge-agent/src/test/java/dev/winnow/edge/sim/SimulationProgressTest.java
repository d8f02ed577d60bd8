package dev.winnow.edge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.hardware.sim.LineResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SimulationProgressTest {

    @Test
    void aProgressLineSaysHowFarTheRunIsAndHowItIsGoing() {
        final LineResult sofar = new LineResult(39, 38, 1, 99, 3, 120, Map.of(), Map.of(), 12, 10_000_000_000L);
        assertThat(Simulation.progress(10_004_000_000L, 60, sofar, 2_340, 41)).isEqualTo(
                "10 s of 60: 38 of 39 contaminants captured so far, 99 pulses (3 spurious); 2340 frames, 41 dropped");
    }
}
