package dev.winnow.hardware.interlock;

/**
 * The line's safety inputs as the agent sees them. Both read "not OK" when a wire breaks
 * (see {@link Pi4jInterlocks}). Thread-safe.
 */
public interface Interlocks {

    /** @return true when the emergency-stop circuit is closed (no e-stop pressed) */
    boolean emergencyStopReleased();

    /** @return true when the compressed-air pressure switch reports enough pressure to fire valves */
    boolean airPressureOk();

    /** @return true when nothing stops the agent from firing valves */
    default boolean allClear() {
        return emergencyStopReleased() && airPressureOk();
    }
}
