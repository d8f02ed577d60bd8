package dev.winnow.models.eval;

/**
 * Metrics of one class.
 *
 * @param name        class name
 * @param labels      number of ground-truth boxes
 * @param predictions predictions at or above the operating threshold
 * @param precision   TP / predictions at the operating threshold, IoU 0.5 (0 when there are none)
 * @param recall      TP / labels at the operating threshold, IoU 0.5 (NaN without labels)
 * @param ap50        average precision at IoU 0.5 (NaN without labels)
 * @param ap50to95    mean AP over IoU 0.50:0.05:0.95 (NaN without labels)
 * @param bestF1      the highest F1 (IoU 0.5) over every confidence threshold (NaN without labels, 0 when no
 *                    prediction is right)
 * @param bestF1Threshold the confidence threshold that gives {@code bestF1}: a suggested per-class operating point
 *                    for the card's {@code thresholds} (NaN when no prediction is right)
 */
public record ClassMetrics(String name, int labels, int predictions, double precision, double recall, double ap50,
        double ap50to95, double bestF1, double bestF1Threshold) {
}
