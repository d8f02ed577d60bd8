package dev.winnow.hardware.sim;

/**
 * A tiny, dependency-free render benchmark (call it from a test, a JMH harness or jshell).
 */
public final class RenderBenchmark {

    private RenderBenchmark() {
    }

    /**
     * Renders {@code frames} consecutive frames of one camera at its nominal frame rate after
     * {@code frames / 4} warm-up frames.
     *
     * @param scenario never null
     * @param cameraId a camera of the scenario
     * @param frames   how many frames to time, at least 1
     * @return mean wall-clock milliseconds per frame
     */
    public static double millisPerFrame(final Scenario scenario, final String cameraId, final int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("frames must be >= 1, got " + frames);
        }
        final ManualClock clock = new ManualClock();
        final VirtualCamera camera = new VirtualLine(scenario, clock).camera(cameraId);
        final byte[] buffer = new byte[camera.spec().widthPx() * camera.spec().heightPx() * 3];
        for (int i = 0; i < frames / 4; i++) {
            camera.grab(clock.advance(camera.framePeriodNanos()), buffer);
        }
        final long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            camera.grab(clock.advance(camera.framePeriodNanos()), buffer);
        }
        return (System.nanoTime() - t0) / 1e6 / frames;
    }
}
