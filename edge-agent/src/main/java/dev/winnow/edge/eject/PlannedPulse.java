package dev.winnow.edge.eject;

/**
 * Valves {@code firstValve..lastValve} switched open at {@code openNanos} and closed at
 * {@code closeNanos} (line clock), already advanced by the valve latency.
 *
 * @param late true when the open instant had already passed at decision time: the object is
 *             (at least partly) an escape
 */
public record PlannedPulse(int firstValve, int lastValve, long openNanos, long closeNanos, boolean late) {

    public double durationMs() {
        return (closeNanos - openNanos) / 1e6;
    }
}
