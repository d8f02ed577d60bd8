package dev.winnow.hardware.valve;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.util.Objects;

/**
 * A nozzle bar wired straight to GPIO pins, one Pi4J {@link DigitalOutput} per valve.
 *
 * <p>Each output is declared with its closed level as both initial and shutdown state, so the
 * valves are shut from the moment the pin is claimed and Pi4J drives them shut again when the
 * context shuts down (including from its JVM shutdown hook after a crash of the agent's own code).
 * Pi4J IO ids are {@code valve-<index>} so tests and diagnostics can find them in the registry.
 */
public final class Pi4jValveBank implements ValveBank {

    private final Context context;
    private final DigitalOutput[] outputs;
    private final boolean[] open;
    private final DigitalState openLevel;
    private final DigitalState closedLevel;
    private boolean released;

    /**
     * Claims one output per pin.
     *
     * @param context a live Pi4J context, never null; not shut down by {@link #close()}
     * @param pins    the pins, never null
     */
    public Pi4jValveBank(final Context context, final ValvePins pins) {
        this.context = Objects.requireNonNull(context, "context");
        Objects.requireNonNull(pins, "pins");
        this.openLevel = pins.activeHigh() ? DigitalState.HIGH : DigitalState.LOW;
        this.closedLevel = pins.activeHigh() ? DigitalState.LOW : DigitalState.HIGH;
        this.outputs = new DigitalOutput[pins.size()];
        this.open = new boolean[pins.size()];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = context.create(DigitalOutput.newConfigBuilder(context)
                    .id(ioId(i))
                    .name("Valve " + i)
                    .address(pins.bcmPins().get(i))
                    .initial(closedLevel)
                    .shutdown(closedLevel));
        }
    }

    /** @return the Pi4J IO id of a valve's output */
    public static String ioId(final int valve) {
        return "valve-" + valve;
    }

    @Override
    public int size() {
        return outputs.length;
    }

    @Override
    public synchronized void open(final int valve) {
        Valves.checkIndex(valve, outputs.length);
        if (released) {
            throw new IllegalStateException("valve bank is closed");
        }
        outputs[valve].state(openLevel);
        open[valve] = true;
    }

    @Override
    public synchronized void close(final int valve) {
        Valves.checkIndex(valve, outputs.length);
        if (!released) {
            outputs[valve].state(closedLevel);
        }
        open[valve] = false;
    }

    @Override
    public synchronized void closeAll() {
        if (released) {
            return;
        }
        // Attempt every valve even if one write fails: a stuck-open neighbour is worse than a log line.
        RuntimeException first = null;
        for (int i = 0; i < outputs.length; i++) {
            try {
                outputs[i].state(closedLevel);
                open[i] = false;
            } catch (final RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public synchronized boolean isOpen(final int valve) {
        Valves.checkIndex(valve, outputs.length);
        return open[valve];
    }

    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        try {
            closeAll();
        } finally {
            released = true;
            for (int i = 0; i < outputs.length; i++) {
                if (context.registry().exists(ioId(i))) {
                    // shutdown() drives the pin to its shutdown (closed) level before releasing it.
                    context.shutdown(ioId(i));
                }
            }
        }
    }
}
