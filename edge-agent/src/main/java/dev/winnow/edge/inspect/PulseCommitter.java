package dev.winnow.edge.inspect;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls {@link LineInspector#commitDue} every few milliseconds on its own thread, so decided pulses reach the
 * valve scheduler on time even when no frame arrives (a stalled camera, a line with one slow camera). Frames
 * commit too; this thread is what makes commitment independent of them.
 */
public final class PulseCommitter implements AutoCloseable {

    /** Period between passes; far below the commit lead, so a pass or two can be late without harm. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts the thread.
     *
     * @param inspector the line, never null
     * @param errors    told of a failed pass (the thread carries on), never null
     */
    public PulseCommitter(final LineInspector inspector, final Consumer<String> errors) {
        thread = new Thread(() -> {
            while (running) {
                try {
                    inspector.commitDue();
                } catch (final RuntimeException e) {
                    errors.accept("committing decided pulses failed: " + e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(PERIOD_NANOS);
            }
        }, "pulse-commit");
        thread.setDaemon(true);
        // Above the inference threads: a pulse handed over late is an escape.
        thread.setPriority(Thread.MAX_PRIORITY - 1);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1_000);
    }
}
