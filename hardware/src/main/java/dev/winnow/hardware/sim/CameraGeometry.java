package dev.winnow.hardware.sim;

import java.util.List;
import java.util.Objects;

/**
 * The exact, linear mapping between a virtual camera's pixels and the belt.
 *
 * <p>Pixel coordinates are continuous: (0, 0) is the top-left corner of the top-left pixel, pixel
 * centres sit at +0.5. {@code x} runs across the belt (x = 0 at across = 0, the edge where valve 0
 * sits), {@code y} runs along it, and the belt moves towards increasing y (downstream). World
 * positions are measured downstream from the belt origin; a belt-surface coordinate at capture
 * time is {@code alongMm = travelMm - worldMm}, where travel comes from the encoder count.
 *
 * @param cameraId  the camera, never null
 * @param widthPx   image width
 * @param heightPx  image height
 * @param beltWidthMm belt width, mapped onto the full image width
 * @param viewStartMm world position of the image's top edge (y = 0)
 * @param viewLengthMm world length covered by the image height
 */
public record CameraGeometry(String cameraId, int widthPx, int heightPx, double beltWidthMm, double viewStartMm,
                             double viewLengthMm) {

    /** A point on the belt in the fixed world frame. */
    public record BeltPoint(double acrossMm, double worldMm) {
    }

    /** A point in the image. */
    public record PixelPoint(double xPx, double yPx) {
    }

    /** One calibration correspondence, as an engineer would measure it with a target on the belt. */
    public record CalibrationPoint(double xPx, double yPx, double acrossMm, double worldMm) {
    }

    /** Checks the id. */
    public CameraGeometry {
        Objects.requireNonNull(cameraId, "cameraId");
    }

    /** @return the geometry of a scenario camera */
    public static CameraGeometry of(final Scenario.CameraSpec spec, final double beltWidthMm) {
        return new CameraGeometry(spec.id(), spec.widthPx(), spec.heightPx(), beltWidthMm, spec.viewStartMm(),
                spec.viewLengthMm());
    }

    /** @return millimetres across per pixel in x */
    public double mmPerPxX() {
        return beltWidthMm / widthPx;
    }

    /** @return millimetres along per pixel in y */
    public double mmPerPxY() {
        return viewLengthMm / heightPx;
    }

    /** @return the belt point seen at a pixel position, never null */
    public BeltPoint pixelToBelt(final double xPx, final double yPx) {
        return new BeltPoint(xPx * mmPerPxX(), viewStartMm + yPx * mmPerPxY());
    }

    /** @return the pixel position where a belt point is seen, never null (may lie outside the image) */
    public PixelPoint beltToPixel(final double acrossMm, final double worldMm) {
        return new PixelPoint(acrossMm / mmPerPxX(), (worldMm - viewStartMm) / mmPerPxY());
    }

    /** @return the belt-surface coordinate at image row {@code yPx} when the belt had travelled {@code travelMm} */
    public double surfaceAlongMm(final double yPx, final double travelMm) {
        return travelMm - (viewStartMm + yPx * mmPerPxY());
    }

    /** @return the four image corners and their belt points (top-left, top-right, bottom-right, bottom-left) */
    public List<CalibrationPoint> calibrationPoints() {
        return List.of(
                point(0, 0), point(widthPx, 0), point(widthPx, heightPx), point(0, heightPx));
    }

    private CalibrationPoint point(final double x, final double y) {
        final BeltPoint p = pixelToBelt(x, y);
        return new CalibrationPoint(x, y, p.acrossMm(), p.worldMm());
    }
}
