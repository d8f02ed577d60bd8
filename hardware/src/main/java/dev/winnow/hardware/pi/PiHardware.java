package dev.winnow.hardware.pi;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.encoder.Pi4jBeltEncoder;
import dev.winnow.hardware.interlock.Interlocks;
import dev.winnow.hardware.interlock.Pi4jInterlocks;
import dev.winnow.hardware.interlock.Pi4jStopLineRelay;
import dev.winnow.hardware.interlock.StopLineRelay;
import dev.winnow.hardware.light.Pi4jStackLight;
import dev.winnow.hardware.light.StackLight;
import dev.winnow.hardware.valve.Pi4jValveBank;
import dev.winnow.hardware.valve.ValveBank;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a Pi4J context and every device of one edge agent from {@link HardwarePins}.
 *
 * <p>{@link #open} needs a Raspberry Pi; {@link #mock()} uses Pi4J's mock platform so the same
 * code runs in tests and on a laptop. {@link #close()} closes the valves first, then shuts the
 * context down, which drives every output to its declared shutdown level.
 */
public final class PiHardware implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PiHardware.class);
    private static final Path MODEL_FILE = Path.of("/proc/device-tree/model");

    private final Context context;
    private final boolean mock;
    private final HardwarePins pins;
    private final Pi4jValveBank valves;
    private final Pi4jBeltEncoder encoder;
    private final Pi4jStackLight stackLight;
    private final Pi4jInterlocks interlocks;
    private final Pi4jStopLineRelay stopLineRelay;

    private PiHardware(final Context context, final boolean mock, final HardwarePins pins,
                       final double encoderMmPerCount) {
        this.context = context;
        this.mock = mock;
        this.pins = pins;
        try {
            this.valves = new Pi4jValveBank(context, pins.valves());
            this.encoder = new Pi4jBeltEncoder(context, pins.encoderPin(), encoderMmPerCount);
            this.stackLight = new Pi4jStackLight(context, pins.stackGreenPin(), pins.stackAmberPin(),
                    pins.stackRedPin());
            this.interlocks = new Pi4jInterlocks(context, pins.estopPin(), pins.airPressurePin());
            this.stopLineRelay = new Pi4jStopLineRelay(context, pins.stopLinePin());
        } catch (final RuntimeException e) {
            // Outputs already claimed must go back to their safe levels.
            context.shutdown();
            throw e;
        }
    }

    /** @return whether this machine reports itself as a Raspberry Pi in /proc/device-tree/model */
    public static boolean isRaspberryPi() {
        return isRaspberryPi(MODEL_FILE);
    }

    /**
     * @param modelFile a device-tree model file, never null
     * @return true when it exists and names a Raspberry Pi
     */
    public static boolean isRaspberryPi(final Path modelFile) {
        try {
            if (!Files.isReadable(modelFile)) {
                return false;
            }
            final String model = Files.readString(modelFile, StandardCharsets.ISO_8859_1);
            return model.toLowerCase(Locale.ROOT).contains("raspberry pi");
        } catch (final IOException e) {
            return false;
        }
    }

    /**
     * Opens the real GPIO through Pi4J's auto-detected platform and providers.
     *
     * @param pins              the wiring, never null
     * @param encoderMmPerCount belt travel per encoder pulse, positive
     * @return the devices, never null
     * @throws IllegalStateException when not running on a Raspberry Pi
     */
    public static PiHardware open(final HardwarePins pins, final double encoderMmPerCount) {
        Objects.requireNonNull(pins, "pins");
        if (!isRaspberryPi()) {
            throw new IllegalStateException("not a Raspberry Pi (" + MODEL_FILE
                    + " does not name one); use PiHardware.mock() or the virtual line");
        }
        return new PiHardware(Pi4J.newAutoContext(), false, pins, encoderMmPerCount);
    }

    /**
     * Real GPIO on a Pi, otherwise the mock platform with a warning; for demos, never for production
     * configuration where a silent mock would hide a missing Pi.
     */
    public static PiHardware openOrMock(final HardwarePins pins, final double encoderMmPerCount) {
        if (isRaspberryPi()) {
            return open(pins, encoderMmPerCount);
        }
        LOG.warn("not a Raspberry Pi: using the Pi4J mock platform, no GPIO will be driven");
        return mock(pins, encoderMmPerCount);
    }

    /** @return the default wiring on the mock platform, 0.1 mm per encoder count */
    public static PiHardware mock() {
        return mock(HardwarePins.defaults(), 0.1);
    }

    /**
     * @param pins              the wiring, never null
     * @param encoderMmPerCount belt travel per encoder pulse, positive
     * @return devices on Pi4J's mock platform (no auto-detection, so real plugins on the class path are ignored)
     */
    public static PiHardware mock(final HardwarePins pins, final double encoderMmPerCount) {
        Objects.requireNonNull(pins, "pins");
        final Context context = Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                .build();
        return new PiHardware(context, true, pins, encoderMmPerCount);
    }

    /** @return the Pi4J context, never null (for tests and extra devices) */
    public Context context() {
        return context;
    }

    /** @return true on the mock platform */
    public boolean isMock() {
        return mock;
    }

    /** @return the wiring in use, never null */
    public HardwarePins pins() {
        return pins;
    }

    /** @return the nozzle bar, never null */
    public ValveBank valves() {
        return valves;
    }

    /** @return the belt encoder, never null */
    public BeltEncoder encoder() {
        return encoder;
    }

    /** @return the stack light, never null */
    public StackLight stackLight() {
        return stackLight;
    }

    /** @return the e-stop and air-pressure inputs, never null */
    public Interlocks interlocks() {
        return interlocks;
    }

    /** @return the stop-line relay, never null */
    public StopLineRelay stopLineRelay() {
        return stopLineRelay;
    }

    /** Closes all valves, then shuts the context down (all outputs to their shutdown levels). Idempotent. */
    @Override
    public void close() {
        try {
            valves.close();
        } finally {
            if (!context.isShutdown()) {
                context.shutdown();
            }
        }
    }
}
