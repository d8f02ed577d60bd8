package dev.winnow.hardware.sim;

import java.util.List;

/**
 * Whether a camera shows a contaminant at all: enough pixels of its box differ visibly from the same instant rendered
 * without contaminants. A contaminant no camera shows cannot be found by any detector, however good; one a camera
 * shows and the detector missed can. The exported datasets use this rule to leave the unseeable ones out of the
 * labels, and a simulated run uses it to tell its escapes apart.
 *
 * @param deltaLevels a pixel shows the contaminant when a channel differs by at least this many 8-bit levels, 1-255
 * @param pixels      the contaminant is shown when at least this many of its box's pixels show it; 0 means always
 */
public record Visibility(int deltaLevels, int pixels) {

    /** 24 levels in at least 4 pixels: a few pixels plainly different, as a person looking at the frame would see. */
    public static final Visibility DEFAULT = new Visibility(24, 4);

    /** Where in a camera's view an item is looked for, as fractions of the view's length. */
    private static final double[] VIEW_POSITIONS = {0.25, 0.5, 0.75};

    public Visibility {
        if (deltaLevels < 1 || deltaLevels > 255) {
            throw new IllegalArgumentException("visibility delta must be 1 to 255 levels, not " + deltaLevels);
        }
        if (pixels < 0) {
            throw new IllegalArgumentException("visibility pixels must be 0 or more, not " + pixels);
        }
    }

    /**
     * @param box        the contaminant's box in {@code frame}, never null
     * @param frame      the frame as rendered, never null
     * @param background the same instant rendered without contaminants ({@link #withoutContaminants}), same size
     * @return true when enough pixels of the box differ visibly from the background
     */
    public boolean shows(final GroundTruthBox box, final RenderedFrame frame, final byte[] background) {
        return pixels == 0 || measure(box, frame, background, pixels).pixels() >= pixels;
    }

    /**
     * What one camera shows of a contaminant.
     *
     * @param cameraId  the camera, never null
     * @param pixels    pixels of its box that differ by at least the delta from the frame without contaminants
     * @param maxLevels the largest difference of any pixel of the box, in 8-bit levels
     */
    public record Sight(String cameraId, int pixels, int maxLevels) {
    }

    /** Counts the box's pixels that differ by the delta, stopping at {@code enough}. */
    private Sight measure(final GroundTruthBox box, final RenderedFrame frame, final byte[] background,
                          final int enough) {
        final int x0 = Math.max(0, (int) Math.floor(box.xPx()));
        final int y0 = Math.max(0, (int) Math.floor(box.yPx()));
        final int x1 = Math.min(frame.width(), (int) Math.ceil(box.xPx() + box.wPx()));
        final int y1 = Math.min(frame.height(), (int) Math.ceil(box.yPx() + box.hPx()));
        final byte[] f = frame.bgr();
        int count = 0;
        int max = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                final int o = (y * frame.width() + x) * 3;
                int d = 0;
                for (int k = 0; k < 3; k++) {
                    d = Math.max(d, Math.abs((f[o + k] & 0xFF) - (background[o + k] & 0xFF)));
                }
                max = Math.max(max, d);
                if (d >= deltaLevels && ++count >= enough) {
                    return new Sight(frame.cameraId(), count, max);
                }
            }
        }
        return new Sight(frame.cameraId(), count, max);
    }

    /**
     * Whether any of the scenario's cameras shows the item, looked for a quarter, half and three quarters of the way
     * through each camera's view. The line is rendered again from the scenario (same seed, same items).
     *
     * @param scenario the scenario the item came from, never null
     * @param item     a contaminant of that scenario, never null
     * @return true when some camera shows it in some of those frames
     */
    public boolean anyCameraShows(final Scenario scenario, final BeltItem item) {
        return pixels == 0 || sights(scenario, item).stream().anyMatch(this::shown);
    }

    /** @return true when the sight has enough pixels that differ visibly */
    public boolean shown(final Sight sight) {
        return sight.pixels() >= pixels;
    }

    /**
     * What each of the scenario's cameras shows of the item at best, looked for a quarter, half and three quarters
     * of the way through its view: the frame with the most pixels that differ visibly. The line is rendered again
     * from the scenario (same seed, same items).
     *
     * @param scenario the scenario the item came from, never null
     * @param item     a contaminant of that scenario, never null
     * @return one sight per camera, in the scenario's order, never null
     */
    public List<Sight> sights(final Scenario scenario, final BeltItem item) {
        final List<Sight> out = new java.util.ArrayList<>();
        for (final Scenario.CameraSpec spec : scenario.cameras()) {
            final CameraGeometry geo = CameraGeometry.of(spec, scenario.belt().widthMm());
            Sight best = new Sight(spec.id(), 0, 0);
            for (final double f : VIEW_POSITIONS) {
                final ManualClock clock = new ManualClock(0);
                final VirtualLine line = new VirtualLine(scenario, clock);
                final long at = Math.max(0, line.nanosWhenAt(item.alongMm(), geo.viewStartMm() + f * geo.viewLengthMm()));
                clock.set(at);
                final RenderedFrame frame = line.camera(spec.id()).grab(at);
                final List<GroundTruthBox> boxes = frame.truth().stream().filter(b -> b.itemId() == item.id()).toList();
                if (boxes.isEmpty()) {
                    continue;
                }
                final byte[] background = withoutContaminants(scenario, spec.id(), at);
                for (final GroundTruthBox b : boxes) {
                    final Sight s = measure(b, frame, background, Integer.MAX_VALUE);
                    if (s.pixels() > best.pixels() || s.pixels() == best.pixels() && s.maxLevels() > best.maxLevels()) {
                        best = s;
                    }
                }
            }
            out.add(best);
        }
        return out;
    }

    /**
     * @return the camera's frame at {@code at} with the same belt, cotton, light and noise but no contaminants
     */
    public static byte[] withoutContaminants(final Scenario sc, final String cameraId, final long at) {
        final Scenario.Contaminants ct = sc.contaminants();
        final Scenario clean = new Scenario(sc.name(), sc.seed(), sc.durationSeconds(), sc.belt(), sc.product(),
                new Scenario.Contaminants(0, ct.mix(), ct.sizeScale(), ct.palettes()), sc.cameras(), sc.nozzleBar(),
                sc.lighting());
        final ManualClock clock = new ManualClock(0);
        final VirtualLine line = new VirtualLine(clean, clock);
        clock.set(at);
        return line.camera(cameraId).grab(at).bgr();
    }
}
