package dev.winnow.models.decode;

/**
 * One detected object in frame pixels.
 *
 * @param classIndex index into the card's class list
 * @param cls        class name (wire-style token), never null
 * @param confidence score in [0, 1]
 * @param x          left edge, frame pixels
 * @param y          top edge, frame pixels
 * @param w          width, frame pixels, &gt; 0
 * @param h          height, frame pixels, &gt; 0
 */
public record Detection(int classIndex, String cls, float confidence, float x, float y, float w, float h) {

    public float centreX() {
        return x + w / 2f;
    }

    public float centreY() {
        return y + h / 2f;
    }

    /** Intersection over union with another box. */
    public float iou(final Detection o) {
        return Boxes.iou(x, y, x + w, y + h, o.x, o.y, o.x + o.w, o.y + o.h);
    }
}
