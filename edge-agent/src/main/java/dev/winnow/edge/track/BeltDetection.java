package dev.winnow.edge.track;

/**
 * A detection placed on the belt.
 *
 * @param alongMm  absolute belt position of the centre (fixed while the belt moves)
 * @param acrossMm centre across the belt, mm from its left edge
 * @param captureNanos line clock at frame capture
 */
public record BeltDetection(String camera, String cls, double confidence, double alongMm, double acrossMm,
                            double widthMm, double lengthMm, long captureNanos) {
}
