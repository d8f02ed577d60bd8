package dev.winnow.edge.eject;

import java.util.Arrays;

/**
 * Switching errors (actual minus planned instant, nanoseconds) kept in a fixed ring so the timing
 * thread records without allocating; percentiles are computed on demand by other threads.
 */
public final class TimingLog {

    private final long[] ring;
    private long count;
    private long max;

    public TimingLog(final int capacity) {
        this.ring = new long[capacity];
    }

    public synchronized void record(final long errorNanos) {
        ring[(int) (count % ring.length)] = errorNanos;
        count++;
        if (errorNanos > max) {
            max = errorNanos;
        }
    }

    public synchronized long count() {
        return count;
    }

    /** Percentiles in milliseconds: {p50, p99, max}; zeros when nothing was recorded. */
    public synchronized double[] percentilesMs() {
        final int n = (int) Math.min(count, ring.length);
        if (n == 0) {
            return new double[] {0, 0, 0};
        }
        final long[] copy = Arrays.copyOf(ring, n);
        Arrays.sort(copy);
        return new double[] {copy[(int) Math.floor(0.50 * (n - 1))] / 1e6, copy[(int) Math.floor(0.99 * (n - 1))] / 1e6,
            max / 1e6};
    }
}
