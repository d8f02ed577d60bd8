package dev.winnow.hardware.valve;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * BCM GPIO pins that drive a directly wired nozzle bar, valve 0 first.
 *
 * @param bcmPins    BCM pin numbers (0..27), unique, non-empty, never null
 * @param activeHigh true when a HIGH pin energises (opens) the valve, the usual arrangement with a
 *                   low-side MOSFET or ULN2803 driver; false for active-low relay boards
 */
public record ValvePins(List<Integer> bcmPins, boolean activeHigh) {

    /** Validates and copies the pin list. */
    public ValvePins {
        Objects.requireNonNull(bcmPins, "bcmPins");
        bcmPins = List.copyOf(bcmPins);
        if (bcmPins.isEmpty()) {
            throw new IllegalArgumentException("valve pins: at least one pin is required");
        }
        final Set<Integer> seen = new HashSet<>();
        for (final Integer pin : bcmPins) {
            if (pin < 0 || pin > 27) {
                throw new IllegalArgumentException("valve pins: BCM pin " + pin + " is out of range [0, 27]");
            }
            if (!seen.add(pin)) {
                throw new IllegalArgumentException("valve pins: BCM pin " + pin + " is listed twice");
            }
        }
    }

    /** @return the number of valves */
    public int size() {
        return bcmPins.size();
    }
}
