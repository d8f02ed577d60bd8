package dev.winnow.models.eval;

import dev.winnow.models.Detector;
import dev.winnow.models.card.ModelCard;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.dataset.Box;
import dev.winnow.models.dataset.Sample;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.decode.Detection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the production path ({@link Detector}: same pre-processing, session and decoder as the agent) over a
 * YOLO-format dataset and computes {@link Metrics}. Dataset classes are matched to the card's classes by
 * name (or its token form, {@link ModelCard#toToken}), so a dataset may list them in another order; a dataset class the model does not know is an error.
 */
public final class Evaluator {

    /** Confidence floor for the precision-recall curve, as Ultralytics' validator. */
    public static final float EVAL_CONFIDENCE = 0.001f;

    /** Progress callback: called after each image. */
    @FunctionalInterface
    public interface Progress {
        void image(int done, int total);
    }

    /** Sees each image with its labels, ignore regions (card class indices) and every prediction. */
    @FunctionalInterface
    public interface ImageListener {
        void image(Sample sample, YoloDataset.BgrImage image, List<Box> truth, List<Box> ignore,
                   List<Detection> found);
    }

    private Evaluator() {
    }

    /** {@link #evaluate(ModelPackage, YoloDataset, int, Progress, ImageListener)} without a listener. */
    public static EvalReport evaluate(final ModelPackage pkg, final YoloDataset dataset, final int threads,
            final Progress progress) throws IOException {
        return evaluate(pkg, dataset, threads, progress, (s, i, t, g, f) -> { });
    }

    /**
     * @param pkg      the model, never null
     * @param dataset  the labelled images, never null
     * @param threads  ONNX Runtime intra-op threads
     * @param progress called after each image, never null (use {@code (d, t) -> { }} for none)
     * @param listener sees each image and what was found in it (e.g. an {@link ErrorSheet}), never null
     */
    public static EvalReport evaluate(final ModelPackage pkg, final YoloDataset dataset, final int threads,
            final Progress progress, final ImageListener listener) throws IOException {
        final ModelCard card = pkg.card();
        final int[] toCard = new int[dataset.names().size()];
        for (int i = 0; i < toCard.length; i++) {
            // Exact name first, then the token form: labelling tools export names like "Hole" or "plastic film".
            toCard[i] = card.classes().indexOf(dataset.names().get(i));
            if (toCard[i] < 0) {
                toCard[i] = card.classes().indexOf(ModelCard.toToken(dataset.names().get(i)));
            }
            if (toCard[i] < 0) {
                throw new IllegalArgumentException("dataset class '" + dataset.names().get(i)
                        + "' is not one of the model's classes " + card.classes());
            }
        }
        final Metrics metrics = new Metrics(card.classes(), card.thresholdArray());
        try (Detector detector = Detector.forEvaluation(pkg, threads, EVAL_CONFIDENCE)) {
            int done = 0;
            for (final Sample s : dataset.samples()) {
                final YoloDataset.BgrImage img = YoloDataset.readBgr(s.image());
                final List<Detection> found = detector.detect(img.bgr(), img.width(), img.height());
                final List<Box> truth = new ArrayList<>();
                for (final Box b : s.boxes(img.width(), img.height())) {
                    truth.add(new Box(toCard[b.classIndex()], b.x1(), b.y1(), b.x2(), b.y2()));
                }
                final List<Box> ignore = new ArrayList<>();
                for (final Box b : s.ignoreBoxes(img.width(), img.height())) {
                    ignore.add(new Box(toCard[b.classIndex()], b.x1(), b.y1(), b.x2(), b.y2()));
                }
                metrics.add(truth, ignore, found);
                listener.image(s, img, truth, ignore, found);
                progress.image(++done, dataset.samples().size());
            }
        }
        return metrics.report(dataset.samples().size());
    }
}
