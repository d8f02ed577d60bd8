package dev.winnow.edge.eject;

/**
 * Turns an object at a fixed belt position into a valve pulse.
 *
 * <p>Belt coordinates: the belt has travelled {@code travelMm} since the line started; a point
 * of the belt surface at absolute position {@code alongMm} is at {@code travelMm - alongMm} along
 * the line. So an object's downstream edge (smaller {@code alongMm}) reaches the bar first.
 */
public final class EjectionPlanner {

    private final NozzleBar bar;
    /**
     * Fraction of a box's width, on each side, that alone does not earn a nozzle lane. The judge (and the
     * air) care about the object, not its axis-aligned box: a box's outer strips hold only the tips of a
     * diagonal object and only the rim of a compact one (for a 7 x 3 sample grid the outermost 1/14 of
     * the width holds no sample point for any shape, and up to 1/6 for compact shapes). A lane that would
     * see only such a strip blows air on cotton beside the object: a spurious pulse. Dropping strips of up
     * to 15 % per side still leaves at least 15 of 21 sample points under air for every shape (capture
     * needs 11), so capture does not depend on them.
     */
    static final double EDGE_STRIP = 0.15;

    /**
     * The least strip, mm, on each side of a box that alone does not earn a lane: a detector's box edge is
     * off by a pixel or so (2-3 mm at the shipped cameras' scale), and for a narrow box 15 % of its width is
     * less than that. A straw 8 mm wide whose box reaches 1 mm over a lane boundary would otherwise open the
     * neighbouring valve on cotton.
     */
    static final double MIN_EDGE_STRIP_MM = 3.0;

    public EjectionPlanner(final NozzleBar bar) {
        this.bar = bar;
    }

    public NozzleBar bar() {
        return bar;
    }

    /**
     * Plans the pulse for one object.
     *
     * @param nowNanos         line clock now
     * @param travelNowMm      belt travel now
     * @param speedMmPerSecond current belt speed; must be > 0
     * @return the pulse, or null when the object has already passed the bar entirely
     */
    public PlannedPulse plan(final double alongMm, final double lengthMm, final double acrossMm, final double widthMm,
                             final long nowNanos, final double travelNowMm, final double speedMmPerSecond) {
        if (!(speedMmPerSecond > 0)) {
            throw new IllegalArgumentException("belt speed must be > 0 to plan a pulse");
        }
        final double openTravel = alongMm - lengthMm / 2 - bar.marginAlongMm() + bar.positionMm();
        final double closeTravel = alongMm + lengthMm / 2 + bar.marginAlongMm() + bar.positionMm();
        final double nanosPerMm = 1e9 / speedMmPerSecond;
        final long latencyNanos = Math.round(bar.latencyMs() * 1e6);
        final long open = nowNanos + Math.round((openTravel - travelNowMm) * nanosPerMm) - latencyNanos;
        long close = nowNanos + Math.round((closeTravel - travelNowMm) * nanosPerMm) - latencyNanos;
        if (close <= nowNanos) {
            return null;
        }
        final boolean late = open < nowNanos;
        final long start = late ? nowNanos : open;
        final long cap = Math.round(bar.maxOnMs() * 1e6);
        if (close - start > cap) {
            close = start + cap;
        }
        // Lanes from the box's core (the box minus its edge strips), widened by the across margin, which
        // covers detector box error (0 for exact boxes). Small objects are dominated by the margin, large ones
        // by the core.
        final double core = Math.max(0, widthMm / 2 - Math.max(widthMm * EDGE_STRIP, MIN_EDGE_STRIP_MM));
        final int first = bar.firstValve(acrossMm - core - bar.marginAcrossMm());
        final int last = bar.lastValve(acrossMm + core + bar.marginAcrossMm());
        return new PlannedPulse(first, Math.max(first, last), start, close, late);
    }
}
