package dev.winnow.edge.detect;

import dev.winnow.edge.camera.Frame;
import java.util.List;
import java.util.function.Consumer;

/**
 * A camera's detector that a model deployment can replace while the pipeline keeps running. The swap
 * happens between two frames (never during one), the previous detector is kept for a rollback, and a
 * newly deployed detector whose inference throws {@link #FAILURES_BEFORE_FALLBACK} times in a row is
 * replaced by the kept previous one by itself (the listener given to {@link #onFallback} raises the alarm).
 * It also remembers the last frame and its detections, for the crop of a rejection.
 */
public final class SwappableDetector implements FrameDetector {

    /** Consecutive inference failures of a newly deployed model before it is abandoned for the previous one. */
    public static final int FAILURES_BEFORE_FALLBACK = 3;

    /** The last frame inferred and what was found in it. */
    public record Seen(Frame frame, List<PixelDetection> found) {
    }

    private final String camera;
    private final Object lock = new Object();
    private volatile FrameDetector current;
    private FrameDetector previous;
    private boolean probation;
    private int failures;
    private volatile Consumer<String> fallback = reason -> { };
    private volatile Seen seen;

    public SwappableDetector(final String camera, final FrameDetector initial) {
        this.camera = camera;
        this.current = initial;
    }

    public String camera() {
        return camera;
    }

    /** Told (on the inference thread, after the fallback) why a new model was abandoned. */
    public void onFallback(final Consumer<String> listener) {
        this.fallback = listener;
    }

    @Override
    public List<PixelDetection> detect(final Frame frame) {
        String fellBack = null;
        final List<PixelDetection> found;
        synchronized (lock) {
            List<PixelDetection> f;
            try {
                f = current.detect(frame);
                failures = 0;
            } catch (final RuntimeException e) {
                if (!probation || previous == null || ++failures < FAILURES_BEFORE_FALLBACK) {
                    throw e;
                }
                final FrameDetector bad = current;
                fellBack = "camera " + camera + ": model " + bad.version() + " failed " + failures
                        + " frames in a row (" + e.getMessage() + "); fell back to " + previous.version();
                current = previous;
                previous = null;
                probation = false;
                failures = 0;
                closeQuietly(bad);
                f = current.detect(frame);
            }
            found = f;
        }
        seen = new Seen(frame, found);
        if (fellBack != null) {
            fallback.accept(fellBack);
        }
        return found;
    }

    /**
     * Puts {@code next} in use from the next frame on and keeps the detector it replaces; the one kept
     * before that is closed.
     *
     * @return the version replaced
     */
    public String swap(final FrameDetector next) {
        warm(next);
        final FrameDetector drop;
        final String replaced;
        synchronized (lock) {
            drop = previous;
            replaced = current.version();
            previous = current;
            current = next;
            probation = true;
            failures = 0;
        }
        closeQuietly(drop);
        return replaced;
    }

    /**
     * Returns to the kept previous detector and closes the current one.
     *
     * @return the version now in use
     * @throws IllegalStateException when no previous detector is kept
     */
    public String rollback() {
        final FrameDetector drop;
        synchronized (lock) {
            if (previous == null) {
                throw new IllegalStateException("camera " + camera + ": no previous model is kept (running "
                        + current.version() + ")");
            }
            drop = current;
            current = previous;
            previous = null;
            probation = false;
            failures = 0;
        }
        closeQuietly(drop);
        return current.version();
    }

    /**
     * Puts {@code next} in use from the next frame on and closes the detector it replaces, keeping none: a rollback
     * after a restart, when the model to return to was opened again from disk.
     *
     * @return the version replaced
     */
    public String replace(final FrameDetector next) {
        warm(next);
        final FrameDetector dropCurrent;
        final FrameDetector dropPrevious;
        final String replaced;
        synchronized (lock) {
            dropCurrent = current;
            dropPrevious = previous;
            replaced = current.version();
            current = next;
            previous = null;
            probation = false;
            failures = 0;
        }
        closeQuietly(dropCurrent);
        closeQuietly(dropPrevious);
        return replaced;
    }

    /**
     * Warms {@code next} on the caller's thread at the size of the camera's frames, so the pipeline does not stall on
     * its first frames. A model that fails on grey fails on the belt too, where it shows (and a newly deployed one
     * falls back), so a failure here is ignored.
     */
    private void warm(final FrameDetector next) {
        final Seen last = seen;
        if (last != null) {
            try {
                next.warmUp(camera, last.frame().width(), last.frame().height());
            } catch (final RuntimeException e) {
                // shows on the belt's frames
            }
        }
    }

    /** The version of the kept previous detector, or null. */
    public String previousVersion() {
        synchronized (lock) {
            return previous == null ? null : previous.version();
        }
    }

    /** The rule of the detector in use: a deployed model brings its own, a rollback restores the old one. */
    @Override
    public java.util.Map<String, Double> minMeanConfidenceByClass() {
        return current.minMeanConfidenceByClass();
    }

    /** The detector in use. */
    public FrameDetector current() {
        return current;
    }

    /** The last frame inferred and its detections, or null. */
    public Seen lastSeen() {
        return seen;
    }

    @Override
    public String version() {
        return current.version();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closeQuietly(previous);
            closeQuietly(current);
            previous = null;
        }
    }

    private static void closeQuietly(final FrameDetector d) {
        if (d != null) {
            try {
                d.close();
            } catch (final RuntimeException e) {
                // closing a broken model must not stop the line
            }
        }
    }
}
