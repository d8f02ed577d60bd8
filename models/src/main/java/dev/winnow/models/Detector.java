package dev.winnow.models;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.decode.Decoder;
import dev.winnow.models.decode.Detection;
import dev.winnow.models.onnx.OnnxModel;
import dev.winnow.models.preprocess.LetterboxTransform;
import dev.winnow.models.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The production inference path: BGR frame → pre-processing → ONNX Runtime → decoder → detections in frame
 * pixels. The edge agent runs it per frame and the control server's model validation and the evaluator run
 * exactly the same code. One instance per camera; not thread-safe; close it to free the native session.
 *
 * <pre>{@code
 * try (Detector d = Detector.open(Path.of("models/cotton-colour"), 2)) {
 *     List<Detection> found = d.detect(bgr, 1280, 720);
 * }
 * }</pre>
 */
public final class Detector implements AutoCloseable {

    private final ModelPackage pkg;
    private final OnnxModel model;
    private final Preprocessor preprocessor;
    private final Decoder decoder;

    /**
     * @param pkg     a loaded model folder, never null
     * @param threads ONNX Runtime intra-op threads, &ge; 1
     * @throws dev.winnow.models.onnx.ModelMismatchException when the graph does not match the card
     * @throws dev.winnow.models.onnx.ModelLoadException     when the ONNX file cannot be loaded or run
     */
    public Detector(final ModelPackage pkg, final int threads) {
        this(pkg, threads, pkg.card().thresholdArray());
    }

    private Detector(final ModelPackage pkg, final int threads, final float[] thresholds) {
        this.pkg = pkg;
        this.model = new OnnxModel(pkg, threads);
        try {
            this.preprocessor = new Preprocessor(pkg.card().input(), model.input());
            this.decoder = Decoder.of(pkg.card(), model.outputShape(), thresholds);
        } catch (final RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Loads {@code dir/model.onnx} + {@code dir/model.json} and opens a detector on it. */
    public static Detector open(final Path dir, final int threads) throws IOException {
        return new Detector(ModelPackage.load(dir), threads);
    }

    /**
     * A detector whose per-class thresholds are lowered to at most {@code minConfidence}, for evaluation:
     * average precision needs the low-confidence tail of the precision-recall curve (Ultralytics validates at
     * 0.001). Never use it on the line.
     */
    public static Detector forEvaluation(final ModelPackage pkg, final int threads, final float minConfidence) {
        final float[] t = pkg.card().thresholdArray();
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.min(t[i], minConfidence);
        }
        return new Detector(pkg, threads, t);
    }

    /**
     * Detects objects in one frame.
     *
     * @param bgr    interleaved BGR bytes, row-major, length &ge; {@code 3*width*height}, never null
     * @param width  frame width in pixels
     * @param height frame height in pixels
     * @return detections in frame pixels, best first; never null
     * @throws IllegalArgumentException                 when the frame buffer is too small
     * @throws dev.winnow.models.onnx.ModelException when inference fails
     */
    public List<Detection> detect(final byte[] bgr, final int width, final int height) {
        final LetterboxTransform t = preprocessor.apply(bgr, width, height);
        return decoder.decode(model.run(), t);
    }

    public ModelCard card() {
        return pkg.card();
    }

    public ModelPackage modelPackage() {
        return pkg;
    }

    @Override
    public void close() {
        model.close();
    }
}
