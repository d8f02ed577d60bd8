package dev.winnow.edge.host;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How late a thread that asked to wake up wakes up: a thread sleeps 1 ms, again and again, and records by how much
 * each sleep overran. What delays it — the host running other work or another virtual machine, the garbage collector
 * stopping the JVM — delays the camera and inference threads alike, so a run's dropped frames and timing outliers can
 * be read against it (the idea of jHiccup). A quiet machine overruns by tens of microseconds.
 *
 * <p>Thread-safe. The histogram is fixed: recording allocates nothing.
 */
public final class HiccupMeter implements AutoCloseable {

    /** How long each sleep asks for. */
    public static final long INTERVAL_NANOS = 1_000_000L;
    private static final long BUCKET_NANOS = 50_000L;
    private static final int BUCKETS = 2_000; // up to 100 ms; longer overruns count in the last bucket, and in max

    /** Sleeps; a test passes one that moves a manual clock instead. */
    @FunctionalInterface
    interface Pause {
        void pause(long nanos) throws InterruptedException;
    }

    private final LongSupplier nanos;
    private final Pause pause;
    private final long[] counts = new long[BUCKETS];
    private long samples;
    private long maxNanos;
    private Thread thread;

    /** A meter on the system's monotonic clock; {@link #start()} it. */
    public HiccupMeter() {
        this(System::nanoTime, n -> Thread.sleep(n / 1_000_000L, (int) (n % 1_000_000L)));
    }

    HiccupMeter(final LongSupplier nanos, final Pause pause) {
        this.nanos = nanos;
        this.pause = pause;
    }

    /** Starts measuring on a daemon thread of normal priority (as the camera and inference threads run). */
    public synchronized HiccupMeter start() {
        if (thread != null) {
            throw new IllegalStateException("the hiccup meter is already running");
        }
        thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    step();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hiccup-meter");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** One sleep, measured. */
    void step() throws InterruptedException {
        final long t0 = nanos.getAsLong();
        pause.pause(INTERVAL_NANOS);
        record(nanos.getAsLong() - t0 - INTERVAL_NANOS);
    }

    private synchronized void record(final long lateNanos) {
        final long late = Math.max(0, lateNanos);
        counts[(int) Math.min(BUCKETS - 1, late / BUCKET_NANOS)]++;
        samples++;
        maxNanos = Math.max(maxNanos, late);
    }

    /** What was measured so far. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(samples, percentileMs(0.50), percentileMs(0.99), maxNanos / 1e6);
    }

    /** The upper edge of the bucket holding that share of the samples (the max for the last bucket), in ms. */
    private double percentileMs(final double q) {
        if (samples == 0) {
            return 0;
        }
        final long rank = (long) Math.ceil(q * samples);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return b == BUCKETS - 1 ? maxNanos / 1e6 : Math.min(maxNanos, (b + 1) * BUCKET_NANOS) / 1e6;
            }
        }
        return maxNanos / 1e6;
    }

    /** Stops the thread and waits for it. */
    @Override
    public void close() throws InterruptedException {
        final Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            t.join(1_000);
        }
    }

    /**
     * @param samples sleeps measured
     * @param p50Ms   median overrun, ms (to the 0.05 ms bucket above it)
     * @param p99Ms   99th percentile overrun, ms
     * @param maxMs   the longest overrun, ms
     */
    public record Snapshot(long samples, double p50Ms, double p99Ms, double maxMs) {

        public Map<String, Object> toMap() {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("samples", samples);
            m.put("p50", Math.round(p50Ms * 1000) / 1000.0);
            m.put("p99", Math.round(p99Ms * 1000) / 1000.0);
            m.put("max", Math.round(maxMs * 1000) / 1000.0);
            return m;
        }
    }
}
