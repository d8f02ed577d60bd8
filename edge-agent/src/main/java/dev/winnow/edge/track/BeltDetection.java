package dev.winnow.edge.track;

/**
 * A detection placed on the belt.
 *
 * @param alongMm      absolute belt position of the centre (fixed while the belt moves)
 * @param acrossMm     centre across the belt, mm from its left edge
 * @param captureNanos line clock at frame capture
 * @param whole        the box lies inside the frame along the belt: the object was not cut off at the view's
 *                     upstream or downstream edge, so the box's extent across the belt is the object's
 * @param travelMm     belt travel at frame capture (from the encoder): how far the belt had moved when it was seen
 */
public record BeltDetection(String camera, String cls, double confidence, double alongMm, double acrossMm,
                            double widthMm, double lengthMm, long captureNanos, boolean whole, double travelMm) {

    /** A detection whose belt travel at capture is not known (0). */
    public BeltDetection(final String camera, final String cls, final double confidence, final double alongMm,
                         final double acrossMm, final double widthMm, final double lengthMm, final long captureNanos,
                         final boolean whole) {
        this(camera, cls, confidence, alongMm, acrossMm, widthMm, lengthMm, captureNanos, whole, 0);
    }

    /** A detection of an object seen whole. */
    public BeltDetection(final String camera, final String cls, final double confidence, final double alongMm,
                         final double acrossMm, final double widthMm, final double lengthMm, final long captureNanos) {
        this(camera, cls, confidence, alongMm, acrossMm, widthMm, lengthMm, captureNanos, true);
    }
}
