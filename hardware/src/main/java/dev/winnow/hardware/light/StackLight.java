package dev.winnow.hardware.light;

/** The three-lamp stack light on the line. Thread-safe. */
public interface StackLight {

    /** @param state the state to show, never null */
    void show(StackLightState state);

    /** @return the state last shown, never null ({@link StackLightState#OFF} initially) */
    StackLightState current();
}
