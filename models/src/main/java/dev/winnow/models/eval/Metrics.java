package dev.winnow.models.eval;

import dev.winnow.models.dataset.Box;
import dev.winnow.models.decode.Boxes;
import dev.winnow.models.decode.Detection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Detection metrics, accumulated image by image and computed at the end.
 *
 * <p>Matching (per image, per class, per IoU threshold, COCO-style): predictions in descending confidence
 * each take the unmatched label of the same class with the highest IoU, if that IoU &ge; the threshold;
 * otherwise, if it overlaps an ignore region of the same class by that IoU, it is left out of the scoring at that
 * threshold (PASCAL VOC's "difficult" rule: an ignore region may take any number of predictions and is never
 * missed); otherwise it is a false positive. AP is the area under the precision envelope with all-point
 * interpolation (precision made monotone from the right, summed at every recall change; sentinels
 * recall 0 / precision 1 and recall 1 / precision 0, as Ultralytics' {@code compute_ap}). AP@0.5:0.95 is the
 * mean over the ten thresholds 0.50, 0.55, ..., 0.95. Precision and recall are reported at the operating
 * point: predictions at or above each class's threshold (the card's), IoU 0.5. mAP averages over classes
 * that have at least one label.
 */
public final class Metrics {

    /** IoU thresholds 0.50:0.05:0.95. */
    static final float[] IOUS = {0.50f, 0.55f, 0.60f, 0.65f, 0.70f, 0.75f, 0.80f, 0.85f, 0.90f, 0.95f};

    private final List<String> names;
    private final float[] operating;
    private final int[] labels;
    /** Per class: one record per prediction. */
    private final List<List<Scored>> preds = new ArrayList<>();

    /** tp and ignored per IoU threshold; an ignored prediction is neither a true nor a false positive there. */
    private record Scored(float conf, boolean[] tp, boolean[] ignored) {
    }

    /**
     * @param names     class names, never null
     * @param operating per-class operating thresholds for precision/recall, length = names, never null
     */
    public Metrics(final List<String> names, final float[] operating) {
        if (operating.length != names.size()) {
            throw new IllegalArgumentException("one operating threshold per class");
        }
        this.names = List.copyOf(names);
        this.operating = operating.clone();
        this.labels = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            preds.add(new ArrayList<>());
        }
    }

    /** Adds one image without ignore regions. */
    public void add(final List<Box> truth, final List<Detection> predicted) {
        add(truth, List.of(), predicted);
    }

    /**
     * Adds one image: its labels, its ignore regions and the model's predictions (class indices in the same class
     * list).
     */
    public void add(final List<Box> truth, final List<Box> ignore, final List<Detection> predicted) {
        for (final Box b : truth) {
            labels[b.classIndex()]++;
        }
        final List<Detection> sorted = new ArrayList<>(predicted);
        sorted.sort(Comparator.comparingDouble((Detection d) -> -d.confidence()));
        final boolean[][] used = new boolean[IOUS.length][truth.size()];
        for (final Detection d : sorted) {
            final boolean[] tp = new boolean[IOUS.length];
            final boolean[] ignored = new boolean[IOUS.length];
            float ignoreIou = 0f;
            for (final Box b : ignore) {
                if (b.classIndex() == d.classIndex()) {
                    ignoreIou = Math.max(ignoreIou, Boxes.iou(d.x(), d.y(), d.x() + d.w(), d.y() + d.h(), b.x1(),
                            b.y1(), b.x2(), b.y2()));
                }
            }
            final float[] iou = new float[truth.size()];
            for (int g = 0; g < truth.size(); g++) {
                final Box b = truth.get(g);
                iou[g] = b.classIndex() != d.classIndex() ? 0f
                        : Boxes.iou(d.x(), d.y(), d.x() + d.w(), d.y() + d.h(), b.x1(), b.y1(), b.x2(), b.y2());
            }
            for (int t = 0; t < IOUS.length; t++) {
                int best = -1;
                float bestIou = IOUS[t];
                for (int g = 0; g < truth.size(); g++) {
                    if (!used[t][g] && iou[g] >= bestIou && truth.get(g).classIndex() == d.classIndex()) {
                        if (best < 0 || iou[g] > iou[best]) {
                            best = g;
                            bestIou = iou[g];
                        }
                    }
                }
                if (best >= 0) {
                    used[t][best] = true;
                    tp[t] = true;
                } else if (ignoreIou >= IOUS[t]) {
                    ignored[t] = true;
                }
            }
            preds.get(d.classIndex()).add(new Scored(d.confidence(), tp, ignored));
        }
    }

    /** Computes the report over everything added so far. */
    public EvalReport report(final int images) {
        final List<ClassMetrics> out = new ArrayList<>();
        double sum50 = 0;
        double sum5095 = 0;
        int counted = 0;
        for (int c = 0; c < names.size(); c++) {
            final List<Scored> p = new ArrayList<>(preds.get(c));
            p.sort(Comparator.comparingDouble((Scored s) -> -s.conf()));
            final int n = labels[c];
            int opPreds = 0;
            int opTp = 0;
            for (final Scored s : p) {
                if (s.conf() >= operating[c] && !s.ignored()[0]) {
                    opPreds++;
                    if (s.tp()[0]) {
                        opTp++;
                    }
                }
            }
            final double precision = opPreds == 0 ? 0.0 : opTp / (double) opPreds;
            if (n == 0) {
                out.add(new ClassMetrics(names.get(c), 0, opPreds, precision, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN));
                continue;
            }
            final double recall = opTp / (double) n;
            final double[] ap = new double[IOUS.length];
            for (int t = 0; t < IOUS.length; t++) {
                int k = 0;
                final boolean[] scored = new boolean[p.size()];
                for (final Scored s : p) {
                    if (!s.ignored()[t]) {
                        scored[k++] = s.tp()[t];
                    }
                }
                ap[t] = averagePrecision(Arrays.copyOf(scored, k), n);
            }
            final double ap5095 = Arrays.stream(ap).average().orElse(0);
            // Best F1 over thresholds: cut after each prediction whose successor scores lower (equal scores stand
            // or fall together at one threshold).
            double bestF1 = 0;
            double bestAt = Double.NaN;
            int tp = 0;
            p.removeIf(s -> s.ignored()[0]);
            for (int i = 0; i < p.size(); i++) {
                if (p.get(i).tp()[0]) {
                    tp++;
                }
                if (i + 1 < p.size() && p.get(i + 1).conf() == p.get(i).conf()) {
                    continue;
                }
                final double f1 = 2.0 * tp / (i + 1 + n);
                if (tp > 0 && f1 > bestF1) {
                    bestF1 = f1;
                    bestAt = p.get(i).conf();
                }
            }
            out.add(new ClassMetrics(names.get(c), n, opPreds, precision, recall, ap[0], ap5095, bestF1, bestAt));
            sum50 += ap[0];
            sum5095 += ap5095;
            counted++;
        }
        return new EvalReport(out, counted == 0 ? Double.NaN : sum50 / counted,
                counted == 0 ? Double.NaN : sum5095 / counted, images);
    }

    /**
     * All-point interpolated AP.
     *
     * @param tpByConfidence true-positive flags of the predictions in descending confidence
     * @param labels         number of ground-truth boxes, &ge; 1
     */
    static double averagePrecision(final boolean[] tpByConfidence, final int labels) {
        final int k = tpByConfidence.length;
        final double[] rec = new double[k + 2];
        final double[] pre = new double[k + 2];
        pre[0] = 1.0;
        int tp = 0;
        for (int i = 0; i < k; i++) {
            if (tpByConfidence[i]) {
                tp++;
            }
            rec[i + 1] = tp / (double) labels;
            pre[i + 1] = tp / (double) (i + 1);
        }
        rec[k + 1] = 1.0;
        pre[k + 1] = 0.0;
        for (int i = k; i >= 0; i--) {
            pre[i] = Math.max(pre[i], pre[i + 1]);
        }
        double ap = 0;
        for (int i = 0; i <= k; i++) {
            ap += (rec[i + 1] - rec[i]) * pre[i + 1];
        }
        return ap;
    }
}
