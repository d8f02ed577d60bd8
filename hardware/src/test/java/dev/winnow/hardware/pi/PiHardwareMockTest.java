package dev.winnow.hardware.pi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dev.winnow.hardware.light.StackLightState;
import dev.winnow.hardware.valve.Pi4jValveBank;
import dev.winnow.hardware.valve.ValvePins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PiHardwareMockTest {

    private static DigitalState out(final PiHardware hw, final String id) {
        return hw.context().registry().get(id, DigitalOutput.class).state();
    }

    @Test
    void valvesStartClosedOpenHighAndCloseLow() {
        try (PiHardware hw = PiHardware.mock()) {
            assertThat(hw.isMock()).isTrue();
            assertThat(hw.valves().size()).isEqualTo(12);
            for (int i = 0; i < 12; i++) {
                assertThat(out(hw, Pi4jValveBank.ioId(i))).isEqualTo(DigitalState.LOW);
            }
            hw.valves().open(3);
            hw.valves().open(7);
            assertThat(out(hw, "valve-3")).isEqualTo(DigitalState.HIGH);
            assertThat(out(hw, "valve-4")).isEqualTo(DigitalState.LOW);
            assertThat(hw.valves().isOpen(7)).isTrue();
            hw.valves().close(3);
            assertThat(out(hw, "valve-3")).isEqualTo(DigitalState.LOW);
            hw.valves().closeAll();
            assertThat(out(hw, "valve-7")).isEqualTo(DigitalState.LOW);
            assertThat(hw.valves().isOpen(7)).isFalse();
            assertThatThrownBy(() -> hw.valves().open(12)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[0, 11]");
        }
    }

    @Test
    void shutdownDrivesAnOpenValveLow() {
        final PiHardware hw = PiHardware.mock();
        hw.valves().open(0);
        final DigitalOutput valve0 = hw.context().registry().get("valve-0", DigitalOutput.class);
        assertThat(valve0.state()).isEqualTo(DigitalState.HIGH);
        hw.close();
        assertThat(valve0.state()).isEqualTo(DigitalState.LOW);
        assertThat(hw.context().isShutdown()).isTrue();
        assertThatThrownBy(() -> hw.valves().open(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void contextShutdownAloneAlsoClosesValves() {
        final PiHardware hw = PiHardware.mock();
        hw.valves().open(5);
        final DigitalOutput valve5 = hw.context().registry().get("valve-5", DigitalOutput.class);
        hw.context().shutdown(); // what Pi4J's JVM shutdown hook does
        assertThat(valve5.state()).isEqualTo(DigitalState.LOW);
    }

    @Test
    void activeLowValvesInvertTheLevels() {
        final HardwarePins d = HardwarePins.defaults();
        final HardwarePins pins = new HardwarePins(new ValvePins(List.of(16, 17), false), d.encoderPin(),
                d.stackGreenPin(), d.stackAmberPin(), d.stackRedPin(), d.estopPin(), d.airPressurePin(), d.stopLinePin());
        try (PiHardware hw = PiHardware.mock(pins, 0.1)) {
            assertThat(out(hw, "valve-0")).isEqualTo(DigitalState.HIGH);
            hw.valves().open(0);
            assertThat(out(hw, "valve-0")).isEqualTo(DigitalState.LOW);
        }
    }

    @Test
    void encoderCountsRisingEdges() {
        try (PiHardware hw = PiHardware.mock(HardwarePins.defaults(), 0.5)) {
            final MockDigitalInput a = hw.context().registry().get("encoder", MockDigitalInput.class);
            for (int i = 0; i < 10; i++) {
                a.mockState(DigitalState.HIGH);
                a.mockState(DigitalState.LOW);
            }
            assertThat(hw.encoder().count()).isEqualTo(10);
            assertThat(hw.encoder().travelMm()).isEqualTo(5.0);
        }
    }

    @Test
    void interlocksAreOkOnlyWhenContactsPullLow() {
        try (PiHardware hw = PiHardware.mock()) {
            final MockDigitalInput estop = hw.context().registry().get("estop", MockDigitalInput.class);
            final MockDigitalInput air = hw.context().registry().get("air-pressure", MockDigitalInput.class);
            estop.mockState(DigitalState.LOW);
            air.mockState(DigitalState.LOW);
            assertThat(hw.interlocks().allClear()).isTrue();
            estop.mockState(DigitalState.HIGH); // pressed, or a broken wire
            assertThat(hw.interlocks().emergencyStopReleased()).isFalse();
            assertThat(hw.interlocks().allClear()).isFalse();
            estop.mockState(DigitalState.LOW);
            air.mockState(DigitalState.HIGH);
            assertThat(hw.interlocks().airPressureOk()).isFalse();
            assertThat(hw.interlocks().allClear()).isFalse();
        }
    }

    @Test
    void stackLightDrivesItsLamps() {
        try (PiHardware hw = PiHardware.mock()) {
            assertThat(hw.stackLight().current()).isEqualTo(StackLightState.OFF);
            hw.stackLight().show(StackLightState.AUDIT);
            assertThat(out(hw, "stack-green")).isEqualTo(DigitalState.HIGH);
            assertThat(out(hw, "stack-amber")).isEqualTo(DigitalState.HIGH);
            assertThat(out(hw, "stack-red")).isEqualTo(DigitalState.LOW);
            hw.stackLight().show(StackLightState.FAULT);
            assertThat(out(hw, "stack-green")).isEqualTo(DigitalState.LOW);
            assertThat(out(hw, "stack-red")).isEqualTo(DigitalState.HIGH);
            assertThat(hw.stackLight().current()).isEqualTo(StackLightState.FAULT);
        }
    }

    @Test
    void stopLineRelayIsAFailSafeRunPermit() {
        final PiHardware hw = PiHardware.mock();
        assertThat(hw.stopLineRelay().lineStopped()).isTrue(); // no permit until the agent grants it
        hw.stopLineRelay().stopLine(false);
        final DigitalOutput relay = hw.context().registry().get("stop-line", DigitalOutput.class);
        assertThat(relay.state()).isEqualTo(DigitalState.HIGH);
        assertThat(hw.stopLineRelay().lineStopped()).isFalse();
        hw.close();
        assertThat(relay.state()).isEqualTo(DigitalState.LOW); // agent gone: line stops
    }

    @Test
    void pinsAreValidated() {
        final HardwarePins d = HardwarePins.defaults();
        assertThatThrownBy(() -> new HardwarePins(d.valves(), 16, 10, 11, 12, 5, 6, 13))
                .hasMessageContaining("encoderPin = 16").hasMessageContaining("already used");
        assertThatThrownBy(() -> new HardwarePins(d.valves(), 40, 10, 11, 12, 5, 6, 13))
                .hasMessageContaining("encoderPin = 40");
        assertThatThrownBy(() -> new ValvePins(List.of(16, 16), true)).hasMessageContaining("16");
        assertThatThrownBy(() -> new ValvePins(List.of(), true)).hasMessageContaining("at least one");
    }

    @Test
    void raspberryPiIsDetectedFromTheDeviceTreeModel(@TempDir final Path dir) throws Exception {
        final Path model = dir.resolve("model");
        Files.writeString(model, "Raspberry Pi 5 Model B Rev 1.0\0");
        assertThat(PiHardware.isRaspberryPi(model)).isTrue();
        Files.writeString(model, "Generic x86 board");
        assertThat(PiHardware.isRaspberryPi(model)).isFalse();
        assertThat(PiHardware.isRaspberryPi(dir.resolve("missing"))).isFalse();
    }
}
