package dev.winnow.models.dataset;

/**
 * A labelled box in image pixels, corner form.
 *
 * @param classIndex index into the dataset's names
 * @param x1         left
 * @param y1         top
 * @param x2         right, &ge; x1
 * @param y2         bottom, &ge; y1
 */
public record Box(int classIndex, float x1, float y1, float x2, float y2) {
}
