package dev.winnow.edge.camera;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;


/**
 * Warns when a camera's inference cannot keep up with it. A dropped frame is not a fault on its own — the belt
 * carries each object through several frames — but a camera that drops many sees each object fewer times, and its
 * line catches fewer contaminants without anything having failed (a model too slow for its CPU, a hot Pi throttling).
 *
 * <p>Per camera, over its last {@link #WINDOW} frames (taken or dropped): raised when more than {@link #RAISE_ABOVE}
 * of them were dropped, cleared when fewer than {@link #CLEAR_BELOW} were; the gap keeps a camera near the limit from
 * raising and clearing on every frame. Counts frames, not time, so it behaves the same at any frame rate and in tests.
 * Not thread-safe: the caller serialises (the line inspector calls it under its lock).
 */
public final class FallingBehind {

    /** Frames a camera is judged over: 10 s at 60 fps. */
    public static final int WINDOW = 600;
    /** Share of dropped frames above which the warning is raised. */
    public static final double RAISE_ABOVE = 0.10;
    /** Share of dropped frames below which it clears. */
    public static final double CLEAR_BELOW = 0.02;

    /** Told when a camera falls behind ({@code behind} true) and when it keeps up again. */
    @FunctionalInterface
    public interface Listener {
        void changed(String camera, boolean behind, String why);
    }

    private final Map<String, Ring> cameras = new HashMap<>();
    private final Listener changes;

    public FallingBehind(final Listener changes) {
        this.changes = changes;
    }

    /** A frame of this camera was inspected. */
    public void inspected(final String camera) {
        add(camera, false);
    }

    /** A frame of this camera was dropped because its inference was still busy with an earlier one. */
    public void dropped(final String camera) {
        add(camera, true);
    }

    /** Whether this camera's warning is raised. */
    public boolean behind(final String camera) {
        final Ring r = cameras.get(camera);
        return r != null && r.raised;
    }

    private void add(final String camera, final boolean dropped) {
        final Ring r = cameras.computeIfAbsent(camera, c -> new Ring());
        if (r.count == WINDOW && r.frames[r.pos]) {
            r.dropped--;
        }
        r.frames[r.pos] = dropped;
        if (dropped) {
            r.dropped++;
        }
        r.pos = (r.pos + 1) % WINDOW;
        r.count = Math.min(r.count + 1, WINDOW);
        if (r.count < WINDOW) {
            return; // the first 10 s include the start-up, when a JIT and a model's first run are slow
        }
        final double share = (double) r.dropped / WINDOW;
        if (!r.raised && share > RAISE_ABOVE) {
            r.raised = true;
            changes.changed(camera, true, String.format(Locale.ROOT, "camera %s is falling behind: %.1f %% of its last %d frames "
                    + "were dropped before inspection (warning above %.0f %%); each object is seen fewer times", camera,
                    100 * share, WINDOW, 100 * RAISE_ABOVE));
        } else if (r.raised && share < CLEAR_BELOW) {
            r.raised = false;
            changes.changed(camera, false, String.format(Locale.ROOT, "camera %s keeps up again: %.1f %% of its last %d frames "
                    + "dropped", camera, 100 * share, WINDOW));
        }
    }

    private static final class Ring {
        private final boolean[] frames = new boolean[WINDOW];
        private int pos;
        private int count;
        private int dropped;
        private boolean raised;
    }
}
