package dev.winnow.hardware.encoder;

/**
 * The belt's position sensor: a monotonically increasing pulse count and the belt travel per pulse.
 * Belt travel in millimetres is {@code count() * mmPerCount()}. Thread-safe.
 */
public interface BeltEncoder {

    /** @return pulses counted since the encoder was created, never negative */
    long count();

    /** @return belt travel per pulse in millimetres, positive */
    double mmPerCount();

    /** @return belt travel since the encoder was created, in millimetres */
    default double travelMm() {
        return count() * mmPerCount();
    }
}
