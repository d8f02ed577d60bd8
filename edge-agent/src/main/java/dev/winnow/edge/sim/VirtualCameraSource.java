package dev.winnow.edge.sim;

import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.camera.FrameSource;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.sim.RenderedFrame;
import dev.winnow.hardware.sim.VirtualCamera;
import java.util.concurrent.locks.LockSupport;

/**
 * The virtual line's camera as a frame source, paced in real time at the camera's frame rate.
 * Frames are rendered at the instant they are due, so a slow renderer shows up as a lower frame
 * rate rather than as frames from the past. Frame slots that pass while the capture thread is late
 * are skipped, as a camera drops frames nobody reads, and counted ({@link #missedFrames()}).
 */
public final class VirtualCameraSource implements FrameSource {

    private final VirtualCamera camera;
    private final LineClock clock;
    private final long periodNanos;
    private final long endNanos;
    private long nextNanos;
    private final long startNanos;
    // Written by the capture thread only.
    private volatile long rendered;
    private volatile long lastRenderNanos;
    private volatile boolean keepTruth;
    private final java.util.Map<Long, java.util.List<dev.winnow.hardware.sim.GroundTruthBox>> truth =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** @param endNanos line-clock instant after which the source ends; Long.MAX_VALUE to run forever */
    public VirtualCameraSource(final VirtualCamera camera, final LineClock clock, final long endNanos) {
        this.camera = camera;
        this.clock = clock;
        this.periodNanos = camera.framePeriodNanos();
        this.endNanos = endNanos;
        this.nextNanos = clock.nanos();
        this.startNanos = nextNanos;
    }

    @Override
    public String cameraId() {
        return camera.id();
    }

    @Override
    public Frame next() throws InterruptedException {
        long now = clock.nanos();
        if (now >= endNanos) {
            return null;
        }
        while (now < nextNanos) {
            LockSupport.parkNanos(nextNanos - now);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            now = clock.nanos();
        }
        // Skip frames that are already past rather than rendering a backlog.
        nextNanos = Math.max(nextNanos + periodNanos, now);
        rendered++;
        lastRenderNanos = now;
        final RenderedFrame r = camera.grab(now);
        if (keepTruth) {
            truth.put(r.sequence(), r.truth());
            truth.remove(r.sequence() - 16);
        }
        return new Frame(r.cameraId(), r.sequence(), r.captureNanos(), r.encoderCount(), r.width(), r.height(), r.bgr());
    }

    /**
     * Frames a camera running at its nominal rate would have delivered by the last frame rendered, minus the
     * frames rendered: the slots skipped because the capture thread came late. Read it after the source ended.
     */
    public long missedFrames() {
        if (rendered == 0) {
            return 0;
        }
        final long due = (lastRenderNanos - startNanos) / periodNanos + 1;
        return Math.max(0, due - rendered);
    }

    /** For {@link OracleDetector} only: keep each frame's ground truth for a short while. */
    void keepTruth(final boolean keep) {
        keepTruth = keep;
    }

    java.util.List<dev.winnow.hardware.sim.GroundTruthBox> truthOf(final long sequence) {
        final var t = truth.remove(sequence);
        return t == null ? java.util.List.of() : t;
    }

    @Override
    public void close() {
    }
}
