package dev.winnow.models;

import dev.winnow.models.card.ModelCard;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.decode.Decoder;
import dev.winnow.models.decode.Detection;
import dev.winnow.models.onnx.OnnxModel;
import dev.winnow.models.preprocess.LetterboxTransform;
import dev.winnow.models.preprocess.Preprocessor;
import dev.winnow.models.card.InvalidModelCardException;
import dev.winnow.models.card.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
    /** Per class index, the second look at that class ({@code decision.verify}), or null. */
    private final Verifier[] verifiers;

    /**
     * A one-class model scoring a cut of the frame centred on a detection, at the verifier's own input size and
     * the frame's own scale: the detector proposes, the verifier confirms. The detection's confidence becomes the
     * geometric mean of both scores, so an object both models are sure of stays near 1 and one either doubts falls.
     */
    private static final class Verifier implements AutoCloseable {
        private final Detector model;
        private final int width;
        private final int height;
        private final byte pad;
        private final byte[] cut;

        Verifier(final Detector model) {
            this.model = model;
            this.width = model.card().input().width();
            this.height = model.card().input().height();
            this.pad = (byte) model.card().input().padValue();
            this.cut = new byte[width * height * 3];
        }

        /** The verifier's score of the cut centred on {@code d}, 0..1 (0 when it reports nothing). */
        float score(final byte[] bgr, final int frameWidth, final int frameHeight, final Detection d) {
            final int x0 = Math.round(d.centreX()) - width / 2;
            final int y0 = Math.round(d.y() + d.h() / 2f) - height / 2;
            Arrays.fill(cut, pad);
            final int from = Math.max(0, -x0);
            final int to = Math.min(width, frameWidth - x0);
            for (int row = 0; row < height && to > from; row++) {
                final int fy = y0 + row;
                if (fy >= 0 && fy < frameHeight) {
                    System.arraycopy(bgr, (fy * frameWidth + x0 + from) * 3, cut, (row * width + from) * 3,
                            (to - from) * 3);
                }
            }
            final List<Detection> found = model.detect(cut, width, height);
            return found.isEmpty() ? 0f : found.get(0).confidence();
        }

        @Override
        public void close() {
            model.close();
        }
    }

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
        final Verifier[] v = new Verifier[pkg.card().classCount()];
        try {
            this.preprocessor = new Preprocessor(pkg.card().input(), model.input());
            this.decoder = Decoder.of(pkg.card(), model.outputShape(), thresholds);
            for (final Map.Entry<String, String> e : pkg.card().verify().entrySet()) {
                v[pkg.card().classes().indexOf(e.getKey())] = new Verifier(openVerifier(pkg, e.getKey(), e.getValue()));
            }
        } catch (final RuntimeException e) {
            for (final Verifier open : v) {
                if (open != null) {
                    open.close();
                }
            }
            model.close();
            throw e;
        }
        this.verifiers = v;
    }

    private static Detector openVerifier(final ModelPackage pkg, final String cls, final String folder) {
        final String key = "decision.verify." + cls;
        final ModelPackage sub;
        try {
            sub = ModelPackage.load(pkg.dir().resolve(folder));
        } catch (final IOException | RuntimeException e) {
            throw new InvalidModelCardException(key, "names the verifier in " + pkg.dir().resolve(folder)
                    + ", which cannot be loaded: " + e.getMessage());
        }
        final var card = sub.card();
        if (card.task() != Task.CLASSIFY || card.classCount() != 1 || card.tiles().tiles() != 1
                || !card.verify().isEmpty()) {
            throw new InvalidModelCardException(key, "names " + sub.dir() + ", which must be a one-class classify "
                    + "model with one tile but is " + card.task().wire() + " of " + card.classes() + " with "
                    + card.tiles().tiles() + " tile(s)");
        }
        // Every cut is scored: the detector's threshold already chose which objects get a second look.
        return new Detector(sub, 1, new float[] {0f});
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
        final List<Detection> found = decoder.decode(model.run(), t);
        if (pkg.card().verify().isEmpty() || found.isEmpty()) {
            return found;
        }
        final List<Detection> out = new ArrayList<>(found.size());
        for (final Detection d : found) {
            final Verifier v = verifiers[d.classIndex()];
            if (v == null) {
                out.add(d);
            } else {
                final float both = (float) Math.sqrt(d.confidence() * v.score(bgr, width, height, d));
                out.add(new Detection(d.classIndex(), d.cls(), both, d.x(), d.y(), d.w(), d.h()));
            }
        }
        out.sort((a, b) -> Float.compare(b.confidence(), a.confidence()));
        return out;
    }

    public ModelCard card() {
        return pkg.card();
    }

    public ModelPackage modelPackage() {
        return pkg;
    }

    @Override
    public void close() {
        for (final Verifier v : verifiers) {
            if (v != null) {
                v.close();
            }
        }
        model.close();
    }
}
