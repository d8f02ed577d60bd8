package dev.winnow.models.decode;

/** Box arithmetic on corner coordinates, shared by decoders and evaluation. */
public final class Boxes {

    private Boxes() {
    }

    /** IoU of two boxes given as (x1, y1, x2, y2); 0 when either is empty. */
    public static float iou(final float ax1, final float ay1, final float ax2, final float ay2, final float bx1,
            final float by1, final float bx2, final float by2) {
        final float iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        final float ih = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (iw <= 0f || ih <= 0f) {
            return 0f;
        }
        final float inter = iw * ih;
        final float union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
        return union <= 0f ? 0f : inter / union;
    }
}
