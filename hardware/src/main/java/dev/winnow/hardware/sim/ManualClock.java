package dev.winnow.hardware.sim;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link LineClock} that moves only when told to; for tests and offline simulation. Thread-safe. */
public final class ManualClock implements LineClock {

    private final AtomicLong now;

    /** Starts at 0 ns. */
    public ManualClock() {
        this(0L);
    }

    /** @param startNanos the first reading */
    public ManualClock(final long startNanos) {
        this.now = new AtomicLong(startNanos);
    }

    @Override
    public long nanos() {
        return now.get();
    }

    /**
     * @param nanos how far to move, not negative (the clock is monotonic)
     * @return the new reading
     */
    public long advance(final long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: advance(" + nanos + ")");
        }
        return now.addAndGet(nanos);
    }

    /** @return the new reading after moving forward by {@code millis} milliseconds (rounded to ns) */
    public long advanceMillis(final double millis) {
        return advance(Math.round(millis * 1e6));
    }

    /**
     * @param nanos the new reading, not before the current one
     * @return {@code nanos}
     */
    public long set(final long nanos) {
        final long before = now.get();
        if (nanos < before) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: set(" + nanos + ") < " + before);
        }
        now.set(nanos);
        return nanos;
    }
}
