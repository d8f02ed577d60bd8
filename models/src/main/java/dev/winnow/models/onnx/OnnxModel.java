package dev.winnow.models.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.winnow.models.card.InputSpec;
import dev.winnow.models.card.ModelCard;
import dev.winnow.models.card.ModelPackage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session for one model package, checked against its card at construction.
 *
 * <p>Per-frame use allocates no tensors: the input tensor wraps a direct buffer the caller fills
 * ({@link #input()}), and after a warm-up run on a blank input (which also proves the model really runs
 * and fixes any dynamic output dimensions) the output is pinned into a second direct buffer that every
 * {@link #run()} overwrites. Not thread-safe: one instance per camera pipeline.
 */
public final class OnnxModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

    private final ModelCard card;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final FloatBuffer input;
    private final OnnxTensor inputTensor;
    private final Map<String, OnnxTensor> inputs;
    private final long[] outputShape;
    private final FloatBuffer output;
    private final OnnxTensor outputTensor;
    private final Map<String, OnnxValue> pinned;
    private final java.util.Set<String> wanted;
    /** With pinned outputs nothing else is requested (ONNX Runtime counts both sets). */
    private static final java.util.Set<String> NO_EXTRA_OUTPUTS = java.util.Set.of();

    /**
     * Opens the session and validates it.
     *
     * @param pkg            the model package, never null
     * @param intraOpThreads ONNX Runtime intra-op threads, &ge; 1 (leave the timing thread a core)
     * @throws ModelLoadException     when the file is not a loadable ONNX model or fails to run
     * @throws ModelMismatchException when the graph does not match the card
     */
    public OnnxModel(final ModelPackage pkg, final int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 1 but is " + intraOpThreads);
        }
        this.card = pkg.card();
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(pkg.onnx());
        } catch (final IOException e) {
            throw new ModelLoadException("cannot read " + pkg.onnx() + ": " + e, e);
        }
        OrtSession s = null;
        OnnxTensor in = null;
        OnnxTensor out = null;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(intraOpThreads);
            // One camera = one sequential pipeline: inter-op parallelism would only steal the timing core.
            opts.setInterOpNumThreads(1);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try {
                s = env.createSession(bytes, opts);
            } catch (final OrtException e) {
                throw new ModelLoadException(pkg.onnx() + " is not a loadable ONNX model (corrupt, truncated or "
                        + "an unsupported opset): " + e.getMessage(), e);
            }
            final List<TensorSpec> ins = specs(s.getInputInfo(), "input");
            final List<TensorSpec> outs = specs(s.getOutputInfo(), "output");
            GraphValidator.validate(card, ins, outs);
            inputName = ins.get(0).name();
            outputName = outs.get(0).name();

            final InputSpec spec = card.input();
            final long[] inShape = {1, InputSpec.CHANNELS, spec.height(), spec.width()};
            input = ByteBuffer.allocateDirect(4 * InputSpec.CHANNELS * spec.height() * spec.width())
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            in = OnnxTensor.createTensor(env, input, inShape);
            inputs = Map.of(inputName, in);
            wanted = java.util.Set.of(outputName);

            // Warm-up on zeros: proves the graph runs and tells us the concrete output shape.
            final long[] shape;
            try (OrtSession.Result r = s.run(inputs, wanted)) {
                final OnnxValue v = r.get(0);
                if (!(v instanceof OnnxTensor t)) {
                    throw new ModelMismatchException("the graph's output '" + outputName + "' is not a tensor");
                }
                shape = t.getInfo().getShape();
            } catch (final OrtException e) {
                throw new ModelLoadException(pkg.onnx() + " loads but fails to run on a blank "
                        + TensorSpec.format(inShape) + " input: " + e.getMessage(), e);
            }
            GraphValidator.validateOutput(card, new TensorSpec(outputName, "FLOAT", shape));
            long n = 1;
            for (final long d : shape) {
                if (d < 1) {
                    throw new ModelMismatchException("the graph's output '" + outputName + "' has concrete shape "
                            + TensorSpec.format(shape) + " with an empty dimension");
                }
                n *= d;
            }
            if (n > Integer.MAX_VALUE / 4) {
                throw new ModelMismatchException("the graph's output '" + outputName + "' is too large: "
                        + TensorSpec.format(shape));
            }
            outputShape = shape;
            output = ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            out = OnnxTensor.createTensor(env, output, shape);
            pinned = Map.of(outputName, out);
            LOG.info("loaded model {} {} ({}): input {} {}, output {} {}, {} intra-op threads", card.name(),
                    card.version(), pkg.onnx(), inputName, TensorSpec.format(inShape), outputName,
                    TensorSpec.format(shape), intraOpThreads);
        } catch (final OrtException e) {
            closeQuietly(out);
            closeQuietly(in);
            closeQuietly(s);
            throw new ModelLoadException("ONNX Runtime failed on " + pkg.onnx() + ": " + e.getMessage(), e);
        } catch (final RuntimeException e) {
            closeQuietly(out);
            closeQuietly(in);
            closeQuietly(s);
            throw e;
        }
        this.session = s;
        this.inputTensor = in;
        this.outputTensor = out;
    }

    private static List<TensorSpec> specs(final Map<String, NodeInfo> infos, final String what) {
        final List<TensorSpec> out = new ArrayList<>(infos.size());
        for (final NodeInfo ni : infos.values()) {
            if (ni.getInfo() instanceof TensorInfo ti) {
                out.add(new TensorSpec(ni.getName(), ti.type.name(), ti.getShape()));
            } else {
                throw new ModelMismatchException("the graph's " + what + " '" + ni.getName()
                        + "' is not a tensor (" + ni.getInfo() + ")");
            }
        }
        return out;
    }

    /** The card this model was validated against. */
    public ModelCard card() {
        return card;
    }

    /**
     * The input tensor's backing buffer, NCHW float32, capacity {@code 3*H*W}. Fill it with absolute puts
     * (position and limit are ignored by ONNX Runtime but should be left at 0 and capacity).
     */
    public FloatBuffer input() {
        return input;
    }

    /** Concrete output shape (fixed at load). */
    public long[] outputShape() {
        return outputShape.clone();
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    /**
     * Runs the model on the current content of {@link #input()}.
     *
     * @return the output buffer (read with absolute gets), overwritten by the next call; never null
     * @throws ModelException when ONNX Runtime fails
     */
    public FloatBuffer run() {
        try (OrtSession.Result r = session.run(inputs, NO_EXTRA_OUTPUTS, pinned)) {
            return output;
        } catch (final OrtException e) {
            throw new ModelException("inference failed for model " + card.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(outputTensor);
        closeQuietly(inputTensor);
        closeQuietly(session);
    }

    private static void closeQuietly(final AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (final Exception e) {
            LOG.warn("closing {} failed: {}", c, e.toString());
        }
    }
}
