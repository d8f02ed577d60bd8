package dev.winnow.hardware.valve;

/**
 * A bank of air-jet valves (the nozzle bar), indexed {@code 0 .. size()-1} across the belt.
 *
 * <p>Every method throws {@link IllegalArgumentException} for an index outside that range, so a
 * planning bug surfaces as an error instead of firing the wrong nozzle. Implementations are
 * thread-safe: the valve timer and the watchdog may call them concurrently.
 */
public interface ValveBank extends AutoCloseable {

    /** @return the number of valves, at least 1 */
    int size();

    /** Opens (energises) one valve; opening an open valve is a no-op. */
    void open(int valve);

    /** Closes (de-energises) one valve; closing a closed valve is a no-op. */
    void close(int valve);

    /** Closes every valve. Used on interlock, fail-safe and shutdown paths, so it never throws for state reasons. */
    void closeAll();

    /** @return whether the valve is currently commanded open */
    boolean isOpen(int valve);

    /** Closes every valve and releases the outputs; the bank is unusable afterwards. Idempotent. */
    @Override
    void close();
}
