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
    /** Box width over the tip strip on each side that alone does not earn a lane. */
    static final double CORNER_FRACTION = 14;

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
        // The outermost 1/14 of a box's width on each side holds only the tips of a diagonal object (a
        // box's corners are empty for a line): a lane that would see nothing else is not fired.
        final double core = widthMm / 2 - widthMm / CORNER_FRACTION;
        final int first = bar.firstValve(acrossMm - core - bar.marginAcrossMm());
        final int last = bar.lastValve(acrossMm + core + bar.marginAcrossMm());
        return new PlannedPulse(first, Math.max(first, last), start, close, late);
    }
}
