package dev.winnow.models.dataset;

import java.util.List;

/**
 * One image of a YOLO-format dataset and its labels.
 *
 * @param image  the image file, never null
 * @param labels normalised label rows {@code [cls, cx, cy, w, h]} (empty when there is no label file: an
 *               image without objects), never null
 * @param ignore ignore regions in the same form: objects too faint to label either way, which neither count as
 *               labels nor make a prediction on them false (empty when there is no ignore file), never null
 */
public record Sample(java.nio.file.Path image, List<float[]> labels, List<float[]> ignore) {

    public Sample {
        labels = List.copyOf(labels);
        ignore = List.copyOf(ignore);
    }

    /** A sample without ignore regions. */
    public Sample(final java.nio.file.Path image, final List<float[]> labels) {
        this(image, labels, List.of());
    }

    /** Labels as pixel boxes for an image of the given size. */
    public List<Box> boxes(final int width, final int height) {
        return toBoxes(labels, width, height);
    }

    /** Ignore regions as pixel boxes for an image of the given size. */
    public List<Box> ignoreBoxes(final int width, final int height) {
        return toBoxes(ignore, width, height);
    }

    private static List<Box> toBoxes(final List<float[]> rows, final int width, final int height) {
        return rows.stream().map(l -> new Box((int) l[0], (l[1] - l[3] / 2f) * width,
                (l[2] - l[4] / 2f) * height, (l[1] + l[3] / 2f) * width, (l[2] + l[4] / 2f) * height)).toList();
    }
}
