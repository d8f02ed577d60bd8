package dev.winnow.hardware.pi;

import dev.winnow.hardware.valve.ValvePins;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every GPIO pin the agent uses, in BCM numbering, in one place. {@link #defaults()} matches the
 * table in hardware/WIRING.md; change both together.
 *
 * @param valves          the direct-GPIO nozzle bar, never null
 * @param encoderPin      belt encoder channel A (input)
 * @param stackGreenPin   stack light green lamp (output)
 * @param stackAmberPin   stack light amber lamp (output)
 * @param stackRedPin     stack light red lamp (output)
 * @param estopPin        e-stop auxiliary NC contact (input, pull-up)
 * @param airPressurePin  air-pressure switch NC contact (input, pull-up)
 * @param stopLinePin     stop-line relay coil driver (output, HIGH = run permit)
 */
public record HardwarePins(
        ValvePins valves,
        int encoderPin,
        int stackGreenPin,
        int stackAmberPin,
        int stackRedPin,
        int estopPin,
        int airPressurePin,
        int stopLinePin) {

    /** Rejects pins outside 0..27 and any pin used twice, naming it. */
    public HardwarePins {
        Objects.requireNonNull(valves, "valves");
        final Set<Integer> used = new HashSet<>(valves.bcmPins());
        final String[] names = {"encoderPin", "stackGreenPin", "stackAmberPin", "stackRedPin",
            "estopPin", "airPressurePin", "stopLinePin"};
        final int[] pins = {encoderPin, stackGreenPin, stackAmberPin, stackRedPin,
            estopPin, airPressurePin, stopLinePin};
        for (int i = 0; i < pins.length; i++) {
            if (pins[i] < 0 || pins[i] > 27) {
                throw new IllegalArgumentException(names[i] + " = " + pins[i] + " is out of range [0, 27]");
            }
            if (!used.add(pins[i])) {
                throw new IllegalArgumentException(names[i] + " = " + pins[i] + " is already used by another device");
            }
        }
    }

    /**
     * The reference wiring: 12 valves on BCM 16..27. Outputs sit on pins 9..27, which the Pi's
     * firmware pulls DOWN at boot, so valves, lamps and the run permit stay off while the Pi boots;
     * inputs sit on 4..6 (pulled up at boot, harmless for inputs). I²C (2, 3) and UART (14, 15) stay
     * free for a valve expander and a console.
     *
     * @return the default pins, never null
     */
    public static HardwarePins defaults() {
        final List<Integer> valvePins = new ArrayList<>();
        for (int pin = 16; pin <= 27; pin++) {
            valvePins.add(pin);
        }
        return new HardwarePins(new ValvePins(valvePins, true), 4, 10, 11, 12, 5, 6, 13);
    }
}
