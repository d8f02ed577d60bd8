package dev.winnow.edge.inspect;

import java.util.Arrays;

/** Capture-to-decision latencies of one interval, in a fixed buffer. */
final class LatencyWindow {
    private final long[] values;
    private int n;

    LatencyWindow(final int capacity) {
        this.values = new long[capacity];
    }

    void add(final long nanos) {
        values[n % values.length] = nanos;
        n++;
    }

    void reset() {
        n = 0;
    }

    /** {p50, p99} in milliseconds. */
    double[] percentilesMs() {
        final int size = Math.min(n, values.length);
        if (size == 0) {
            return new double[] {0, 0};
        }
        final long[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return new double[] {copy[(size - 1) / 2] / 1e6, copy[(int) Math.floor(0.99 * (size - 1))] / 1e6};
    }
}
