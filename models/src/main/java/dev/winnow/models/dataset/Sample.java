package dev.winnow.models.dataset;

import java.util.List;

/**
 * One image of a YOLO-format dataset and its labels.
 *
 * @param image  the image file, never null
 * @param labels normalised label rows {@code [cls, cx, cy, w, h]} (empty when there is no label file: an
 *               image without objects), never null
 */
public record Sample(java.nio.file.Path image, List<float[]> labels) {

    public Sample {
        labels = List.copyOf(labels);
    }

    /** Labels as pixel boxes for an image of the given size. */
    public List<Box> boxes(final int width, final int height) {
        return labels.stream().map(l -> new Box((int) l[0], (l[1] - l[3] / 2f) * width,
                (l[2] - l[4] / 2f) * height, (l[1] + l[3] / 2f) * width, (l[2] + l[4] / 2f) * height)).toList();
    }
}
