package dev.winnow.edge.eject;

/**
 * The nozzle bar as the planner sees it.
 *
 * @param positionMm      where the jets hit the belt, mm along the line from its origin
 * @param count           number of valves, numbered 0.. from the belt's left edge
 * @param pitchMm         distance between nozzle centres
 * @param leftEdgeMm      across-belt position of valve 0's left footprint edge
 * @param latencyMs       time from switching the output to air at the belt (opening and closing alike)
 * @param marginAcrossMm  added to each side of an object before choosing nozzles
 * @param marginAlongMm   added before and after an object along the belt
 * @param maxOnMs         no valve stays open longer than this, whatever was planned
 */
public record NozzleBar(double positionMm, int count, double pitchMm, double leftEdgeMm, double latencyMs,
                        double marginAcrossMm, double marginAlongMm, double maxOnMs) {

    public NozzleBar {
        if (count < 1 || count > 512) {
            throw new IllegalArgumentException("nozzle count must be 1..512, got " + count);
        }
        if (!(pitchMm > 0)) {
            throw new IllegalArgumentException("nozzle pitch must be > 0 mm, got " + pitchMm);
        }
        if (latencyMs < 0 || marginAcrossMm < 0 || marginAlongMm < 0) {
            throw new IllegalArgumentException("latency and margins must be ≥ 0");
        }
        if (!(maxOnMs > 0)) {
            throw new IllegalArgumentException("maximum on-time must be > 0 ms, got " + maxOnMs);
        }
    }

    /** First valve whose footprint overlaps {@code [fromMm, toMm]} across the belt, clamped to the bar. */
    public int firstValve(final double fromMm) {
        return clamp((int) Math.floor((fromMm - leftEdgeMm) / pitchMm));
    }

    /** Last valve whose footprint overlaps {@code [fromMm, toMm]} across the belt, clamped to the bar. */
    public int lastValve(final double toMm) {
        return clamp((int) Math.ceil((toMm - leftEdgeMm) / pitchMm) - 1);
    }

    private int clamp(final int v) {
        return Math.max(0, Math.min(count - 1, v));
    }
}
