package dev.winnow.hardware.interlock;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import java.util.Objects;

/**
 * E-stop and air-pressure inputs with internal pull-ups, each wired to a normally-closed contact to
 * ground (through the plant's safety relay auxiliary contact, never in the safety circuit itself).
 *
 * <p>A closed contact pulls the pin LOW and means "OK". A pressed e-stop, a pressure drop, a cut
 * wire or an unplugged connector all let the pull-up win and read HIGH, i.e. "not OK": the fault
 * that cannot be seen fails towards not firing. Pi4J IO ids: {@code estop}, {@code air-pressure}.
 */
public final class Pi4jInterlocks implements Interlocks {

    private final DigitalInput estop;
    private final DigitalInput air;

    /**
     * @param context        a live Pi4J context, never null
     * @param estopPin       BCM pin of the e-stop auxiliary contact
     * @param airPressurePin BCM pin of the pressure switch
     */
    public Pi4jInterlocks(final Context context, final int estopPin, final int airPressurePin) {
        Objects.requireNonNull(context, "context");
        this.estop = input(context, "estop", estopPin);
        this.air = input(context, "air-pressure", airPressurePin);
    }

    private static DigitalInput input(final Context context, final String id, final int pin) {
        return context.create(DigitalInput.newConfigBuilder(context)
                .id(id)
                .address(pin)
                .pull(PullResistance.PULL_UP)
                // 10 ms debounce: contacts bounce, and a safety input does not need µs response.
                .debounce(10_000L));
    }

    @Override
    public boolean emergencyStopReleased() {
        return estop.state() == DigitalState.LOW;
    }

    @Override
    public boolean airPressureOk() {
        return air.state() == DigitalState.LOW;
    }
}
