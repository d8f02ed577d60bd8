package dev.winnow.hardware.sim;

/**
 * A monotonic nanosecond clock. Only differences between readings mean anything, exactly like
 * {@link System#nanoTime()}. The virtual line, the valve judge and the agent's timers all read the
 * same injected clock, so a test can drive them with a {@link ManualClock}.
 */
@FunctionalInterface
public interface LineClock {

    /** @return the current reading in nanoseconds; never decreases */
    long nanos();

    /** @return a clock backed by {@link System#nanoTime()}, never null */
    static LineClock system() {
        return System::nanoTime;
    }
}
