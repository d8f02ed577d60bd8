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
        final int first = bar.firstValve(acrossMm - widthMm / 2 - bar.marginAcrossMm());
        final int last = bar.lastValve(acrossMm + widthMm / 2 + bar.marginAcrossMm());
        return new PlannedPulse(first, Math.max(first, last), start, close, late);
    }
}
