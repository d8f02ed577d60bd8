package dev.winnow.hardware.light;

/**
 * What the line's stack light tells people walking past.
 * Lamp patterns (see hardware/WIRING.md): RUNNING green; AUDIT green + amber (inspecting, valves
 * not firing); WARNING amber; FAULT red; OFF nothing.
 */
public enum StackLightState {
    RUNNING(true, false, false),
    AUDIT(true, true, false),
    WARNING(false, true, false),
    FAULT(false, false, true),
    OFF(false, false, false);

    private final boolean green;
    private final boolean amber;
    private final boolean red;

    StackLightState(final boolean green, final boolean amber, final boolean red) {
        this.green = green;
        this.amber = amber;
        this.red = red;
    }

    /** @return whether the green lamp is lit in this state */
    public boolean green() {
        return green;
    }

    /** @return whether the amber lamp is lit in this state */
    public boolean amber() {
        return amber;
    }

    /** @return whether the red lamp is lit in this state */
    public boolean red() {
        return red;
    }
}
