package dev.winnow.hardware.interlock;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.util.Objects;

/**
 * The stop-line relay, wired as a run <em>permit</em>: its normally-open contact sits in the
 * conveyor's run-permissive chain, and the pin is HIGH (relay energised) while the line may run.
 *
 * <p>Fail-safe choice: initial and shutdown level are LOW, i.e. "stop". If the agent is not running
 * (booting, crashed, Pi unpowered, cable cut) nothing inspects the product and contaminants would
 * reach the yarn, which costs far more than a stopped belt; so the line may only run while a live
 * agent holds the permit. The agent grants it explicitly with {@code stopLine(false)} once its
 * cameras and valves are healthy. Lines configured with the {@code alarm} policy simply leave the
 * relay unwired (or bridged), see hardware/WIRING.md. Pi4J IO id: {@code stop-line}.
 */
public final class Pi4jStopLineRelay implements StopLineRelay {

    private final DigitalOutput output;

    /**
     * @param context a live Pi4J context, never null
     * @param bcmPin  BCM pin driving the relay coil (through a driver transistor)
     */
    public Pi4jStopLineRelay(final Context context, final int bcmPin) {
        Objects.requireNonNull(context, "context");
        this.output = context.create(DigitalOutput.newConfigBuilder(context)
                .id("stop-line")
                .address(bcmPin)
                .initial(DigitalState.LOW)
                .shutdown(DigitalState.LOW));
    }

    @Override
    public synchronized void stopLine(final boolean stop) {
        output.state(stop ? DigitalState.LOW : DigitalState.HIGH);
    }

    @Override
    public synchronized boolean lineStopped() {
        return output.state() != DigitalState.HIGH;
    }
}
