package dev.winnow.hardware.sim;

/**
 * Where a contaminant is in a rendered frame: an axis-aligned pixel box (for YOLO-style labels,
 * clipped to the image) and the item's full axis-aligned extent on the belt (for judging
 * detections in belt coordinates). Only contaminants are listed; cotton has no boxes.
 *
 * @param itemId    the {@link BeltItem#id()}
 * @param cls       the class, never null
 * @param xPx       left edge of the box, clipped to the image
 * @param yPx       top edge of the box, clipped to the image
 * @param wPx       box width in pixels, positive
 * @param hPx       box height in pixels, positive
 * @param acrossMm  item centre across the belt
 * @param alongMm   item centre's belt-surface coordinate
 * @param widthMm   full axis-aligned extent across the belt
 * @param lengthMm  full axis-aligned extent along the belt
 */
public record GroundTruthBox(long itemId, ContaminantClass cls, double xPx, double yPx, double wPx, double hPx,
                             double acrossMm, double alongMm, double widthMm, double lengthMm) {

    /** @return the YOLO label line {@code class cx cy w h} normalised to the image, class = enum ordinal */
    public String yoloLine(final int imageWidth, final int imageHeight) {
        return String.format(java.util.Locale.ROOT, "%d %.6f %.6f %.6f %.6f", cls.ordinal(),
                (xPx + wPx / 2) / imageWidth, (yPx + hPx / 2) / imageHeight, wPx / imageWidth, hPx / imageHeight);
    }
}
