package dev.winnow.hardware.light;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.util.Objects;

/**
 * A stack light with green, amber and red lamps on three active-high outputs (through a relay or
 * driver board). All lamps start and shut down dark: a dark stack light on a running line is itself
 * a visible sign that the inspector is not running. Pi4J IO ids: {@code stack-green},
 * {@code stack-amber}, {@code stack-red}.
 */
public final class Pi4jStackLight implements StackLight {

    private final DigitalOutput green;
    private final DigitalOutput amber;
    private final DigitalOutput red;
    private StackLightState current = StackLightState.OFF;

    /**
     * @param context  a live Pi4J context, never null
     * @param greenPin BCM pin of the green lamp
     * @param amberPin BCM pin of the amber lamp
     * @param redPin   BCM pin of the red lamp
     */
    public Pi4jStackLight(final Context context, final int greenPin, final int amberPin, final int redPin) {
        Objects.requireNonNull(context, "context");
        this.green = lamp(context, "stack-green", greenPin);
        this.amber = lamp(context, "stack-amber", amberPin);
        this.red = lamp(context, "stack-red", redPin);
    }

    private static DigitalOutput lamp(final Context context, final String id, final int pin) {
        return context.create(DigitalOutput.newConfigBuilder(context)
                .id(id)
                .address(pin)
                .initial(DigitalState.LOW)
                .shutdown(DigitalState.LOW));
    }

    @Override
    public synchronized void show(final StackLightState state) {
        Objects.requireNonNull(state, "state");
        green.state(DigitalState.getState(state.green()));
        amber.state(DigitalState.getState(state.amber()));
        red.state(DigitalState.getState(state.red()));
        current = state;
    }

    @Override
    public synchronized StackLightState current() {
        return current;
    }
}
