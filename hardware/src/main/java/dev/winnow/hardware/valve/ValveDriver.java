package dev.winnow.hardware.valve;

/**
 * The seam below {@link DriverValveBank}: something that can energise numbered output channels.
 *
 * <p>A direct-GPIO bar uses {@link Pi4jValveBank}. Nozzle bars longer than the Pi's free pins
 * (32 or 64 valves) hang off I²C port expanders (e.g. two MCP23017 on GPIO 2/3); such a driver
 * implements this interface by writing the expander's output latch registers, and
 * {@link DriverValveBank} adds the bookkeeping and the fail-safe behaviour. No expander driver is
 * shipped yet.
 */
public interface ValveDriver extends AutoCloseable {

    /** @return the number of channels, at least 1 */
    int channels();

    /**
     * Energises or de-energises one channel.
     *
     * @param channel   0 .. channels()-1, already range-checked by the caller
     * @param energised true to open the valve
     */
    void set(int channel, boolean energised);

    /** De-energises every channel and releases the bus; must be idempotent. */
    @Override
    void close();
}
