package dev.winnow.edge.camera;

import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.edge.inspect.LineInspector;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One camera's pipeline: a capture thread and an inference thread joined by a small bounded queue.
 * When inference falls behind, the oldest waiting frame is dropped and counted, so decisions are
 * always made on fresh frames and a slow model cannot make the line late by queueing.
 */
public final class CameraPipeline implements AutoCloseable, StallWatchdog.Watched {

    private static final Logger LOG = LoggerFactory.getLogger(CameraPipeline.class);

    private final FrameSource source;
    private final FrameDetector detector;
    private final LineInspector inspector;
    private final Consumer<String> onFailure;
    private final BlockingQueue<Frame> queue = new ArrayBlockingQueue<>(2);
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong inferenceNanos = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean ended;
    private final dev.winnow.hardware.sim.LineClock clock;
    private volatile long lastFrameNanos;
    private volatile boolean inferenceFailing;
    private volatile Frame lastFrame;
    private volatile int niceness;
    private final Thread capture;
    private final Thread inference;

    /** @param onFailure told (with a reason) when capture or inference fails */
    public CameraPipeline(final FrameSource source, final FrameDetector detector, final LineInspector inspector,
                          final Consumer<String> onFailure) {
        this(source, detector, inspector, onFailure, dev.winnow.hardware.sim.LineClock.system());
    }

    /** @param clock the line clock the stall watchdog reads */
    public CameraPipeline(final FrameSource source, final FrameDetector detector, final LineInspector inspector,
                          final Consumer<String> onFailure, final dev.winnow.hardware.sim.LineClock clock) {
        this.clock = clock;
        this.lastFrameNanos = clock.nanos();
        this.source = source;
        this.detector = detector;
        this.inspector = inspector;
        this.onFailure = onFailure;
        this.capture = new Thread(this::captureLoop, "capture-" + source.cameraId());
        this.inference = new Thread(this::inferenceLoop, "inference-" + source.cameraId());
        capture.setDaemon(true);
        inference.setDaemon(true);
    }

    public void start() {
        capture.start();
        inference.start();
    }

    public String cameraId() {
        return source.cameraId();
    }

    public long frames() {
        return frames.get();
    }

    /** Mean inference time per frame so far, ms. */
    public double meanInferenceMs() {
        final long n = frames.get();
        return n == 0 ? 0 : inferenceNanos.get() / 1e6 / n;
    }

    /** Line-clock instant of the last frame captured (or of construction): the watchdog's stall check. */
    @Override
    public long lastFrameNanos() {
        return lastFrameNanos;
    }

    /** The most recent frame captured, or null (for the snapshot command). */
    public Frame lastFrame() {
        return lastFrame;
    }

    @Override
    public boolean inferenceFailing() {
        return inferenceFailing;
    }

    /** Nice value for the inference thread (0 = unchanged), leaving the timer and capture a core. */
    public void setInferenceNiceness(final int nice) {
        this.niceness = nice;
    }

    @Override
    public boolean ended() {
        return ended;
    }

    private void captureLoop() {
        long backoffMs = 100;
        while (running) {
            try {
                final Frame f = source.next();
                if (f == null) {
                    ended = true;
                    return;
                }
                lastFrameNanos = clock.nanos();
                lastFrame = f;
                backoffMs = 100;
                while (!queue.offer(f)) {
                    if (queue.poll() != null) {
                        inspector.frameDropped(source.cameraId());
                    }
                }
            } catch (final InterruptedException e) {
                return;
            } catch (final java.io.IOException | RuntimeException e) {
                onFailure.accept("camera " + source.cameraId() + " failed: " + e.getMessage());
                try {
                    Thread.sleep(backoffMs);
                } catch (final InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    private void inferenceLoop() {
        if (niceness != 0) {
            dev.winnow.edge.eject.RealtimeThreads.demoteCurrent(niceness);
        }
        while (running || !queue.isEmpty()) {
            final Frame f;
            try {
                f = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                return;
            }
            if (f == null) {
                if (ended) {
                    return;
                }
                continue;
            }
            try {
                final long t0 = System.nanoTime();
                final List<PixelDetection> found = detector.detect(f);
                inferenceNanos.addAndGet(System.nanoTime() - t0);
                frames.incrementAndGet();
                inspector.accept(f, found, detector.version());
                inferenceFailing = false;
            } catch (final RuntimeException e) {
                inferenceFailing = true;
                LOG.error("inference on camera {} failed", source.cameraId(), e);
                onFailure.accept("inference on camera " + source.cameraId() + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        capture.interrupt();
        try {
            capture.join(2_000);
            inference.join(2_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
        detector.close();
    }
}
