package dev.winnow.edge.track;

/**
 * A detection placed on the belt.
 *
 * @param alongMm      absolute belt position of the centre (fixed while the belt moves)
 * @param acrossMm     centre across the belt, mm from its left edge
 * @param captureNanos line clock at frame capture
 * @param whole        the box lies inside the frame along the belt: the object was not cut off at the view's
 *                     upstream or downstream edge, so the box's extent across the belt is the object's
 */
public record BeltDetection(String camera, String cls, double confidence, double alongMm, double acrossMm,
                            double widthMm, double lengthMm, long captureNanos, boolean whole) {

    /** A detection of an object seen whole. */
    public BeltDetection(final String camera, final String cls, final double confidence, final double alongMm,
                         final double acrossMm, final double widthMm, final double lengthMm, final long captureNanos) {
        this(camera, cls, confidence, alongMm, acrossMm, widthMm, lengthMm, captureNanos, true);
    }
}
