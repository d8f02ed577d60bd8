package dev.winnow.hardware.encoder;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts rising edges of a single-channel (A) belt encoder on one GPIO input.
 *
 * <p>The belt only runs forward, so one channel suffices; quadrature would only add direction.
 * Debounce is off (0 µs) because encoder edges are clean push-pull signals through an
 * opto-coupler, and at 3 m/s with 0.1 mm per count edges arrive every 33 µs: the Pi4J default
 * debounce would swallow them. Pi4J IO id: {@code encoder}.
 */
public final class Pi4jBeltEncoder implements BeltEncoder {

    /** Pi4J IO id of the encoder input. */
    public static final String IO_ID = "encoder";

    private final AtomicLong count = new AtomicLong();
    private final double mmPerCount;
    private final DigitalInput input;

    /**
     * @param context    a live Pi4J context, never null
     * @param bcmPin     BCM pin of encoder channel A
     * @param mmPerCount belt travel per pulse, positive
     */
    public Pi4jBeltEncoder(final Context context, final int bcmPin, final double mmPerCount) {
        Objects.requireNonNull(context, "context");
        if (!(mmPerCount > 0) || Double.isInfinite(mmPerCount)) {
            throw new IllegalArgumentException("mmPerCount must be positive, got " + mmPerCount);
        }
        this.mmPerCount = mmPerCount;
        this.input = context.create(DigitalInput.newConfigBuilder(context)
                .id(IO_ID)
                .name("Belt encoder A")
                .address(bcmPin)
                .pull(PullResistance.PULL_DOWN)
                .debounce(0L));
        input.addListener(event -> {
            if (event.state() == DigitalState.HIGH) {
                count.incrementAndGet();
            }
        });
    }

    @Override
    public long count() {
        return count.get();
    }

    @Override
    public double mmPerCount() {
        return mmPerCount;
    }
}
