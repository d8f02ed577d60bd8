package dev.winnow.edge.camera;

import dev.winnow.edge.inspect.FailSafe;
import dev.winnow.hardware.sim.LineClock;
import java.util.List;

/**
 * Raises {@code camera_stall} on the fail-safe for every camera that has delivered no frame for the
 * timeout, and {@code inference_failure} while a camera's last inference failed; clears each when
 * the camera recovers. Call {@link #check()} periodically (the agent does, every 100 ms).
 */
public final class StallWatchdog {

    /** What the watchdog needs of a pipeline. */
    public interface Watched {
        String cameraId();

        /** Line-clock instant of the last frame (or of the start). */
        long lastFrameNanos();

        /** True while the last inference failed. */
        boolean inferenceFailing();

        /** True once a file or folder that does not loop has run out: a replay's end, not a broken camera. */
        default boolean ended() {
            return false;
        }
    }

    private final List<? extends Watched> cameras;
    private final LineClock clock;
    private final long timeoutNanos;
    private final FailSafe failSafe;

    public StallWatchdog(final List<? extends Watched> cameras, final LineClock clock, final long timeoutNanos,
                         final FailSafe failSafe) {
        this.cameras = cameras;
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
        this.failSafe = failSafe;
    }

    public void check() {
        final long now = clock.nanos();
        for (final Watched c : cameras) {
            final long silent = now - c.lastFrameNanos();
            if (silent > timeoutNanos) {
                // Still a stall to the fail-safe (nothing inspects the belt any more), but said as what it is.
                failSafe.fault("camera_stall", c.cameraId(), "camera " + c.cameraId() + (c.ended()
                        ? ": its file or folder has run out (no frame for " + silent / 1_000_000
                                + " ms; set loop: true to replay it)"
                        : ": no frame for " + silent / 1_000_000 + " ms (timeout " + timeoutNanos / 1_000_000
                                + " ms)"));
            } else {
                failSafe.clear("camera_stall", c.cameraId());
            }
            if (c.inferenceFailing()) {
                failSafe.fault("inference_failure", c.cameraId(), "camera " + c.cameraId() + ": inference failing");
            } else {
                failSafe.clear("inference_failure", c.cameraId());
            }
        }
    }
}
