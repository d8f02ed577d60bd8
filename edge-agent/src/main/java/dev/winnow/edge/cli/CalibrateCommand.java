package dev.winnow.edge.cli;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.models.card.InputSpec;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.dataset.Sample;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow-agent calibrate}: the range of every tensor of a model over frames of a dataset, measured with the
 * production pre-processing and ONNX Runtime. {@code models/training/quantize.py} calls it with a copy of the graph
 * whose intermediate tensors are outputs, and sets its 8-bit scales from the ranges. Frames are pre-processed
 * exactly as on the line (the card's letterbox, colour order and normalisation), so the ranges are the line's.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Measure the range of each output of a graph over dataset frames, pre-processed as the model's "
                + "card says (for 8-bit quantization: models/training/quantize.py).")
public final class CalibrateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model folder whose card gives the input (model.json).")
    Path model;

    @Option(names = "--graph", description = "ONNX graph to run instead of the model's own, with the same input "
            + "(quantize.py passes a copy whose intermediate tensors are outputs).")
    Path graph;

    @Option(names = "--data", required = true, description = "YOLO-format dataset folder; its images/train when it "
            + "has one, else all its images.")
    Path data;

    @Option(names = "--frames", defaultValue = "96", description = "Frames drawn at random (default ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the draw (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", required = true, description = "JSON file to write: each output's min and max.")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * Stack of the thread that runs the graph. ONNX Runtime recurses deeply while it plans a graph with every
     * intermediate tensor as an output; on a JVM thread's default 1 MB the process died of a segmentation fault.
     */
    private static final long STACK_BYTES = 64L << 20;

    @Override
    public Integer call() throws Exception {
        final Exception[] failure = new Exception[1];
        final Thread worker = new Thread(null, () -> {
            try {
                calibrate();
            } catch (final Exception e) {
                failure[0] = e;
            }
        }, "calibrate", STACK_BYTES);
        worker.start();
        worker.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return 0;
    }

    private void calibrate() throws Exception {
        if (frames < 1) {
            throw new IllegalArgumentException("--frames must be >= 1 but is " + frames);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1 but is " + threads);
        }
        final ModelPackage pkg = ModelPackage.load(model);
        final Path onnx = graph != null ? graph : pkg.onnx();
        if (!Files.isRegularFile(onnx)) {
            throw new IllegalArgumentException("--graph " + onnx + " is not a file");
        }
        final String split = Files.isDirectory(data.resolve("images").resolve("train")) ? "train" : null;
        final List<Sample> all = new ArrayList<>(YoloDataset.open(data, split).samples());
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no images in " + data.resolve("images"));
        }
        Collections.shuffle(all, new Random(seed));
        final List<Sample> chosen = all.subList(0, Math.min(frames, all.size()));
        final InputSpec in = pkg.card().input();
        final long[] shape = {1, 3, in.height(), in.width()};
        final FloatBuffer tensor = ByteBuffer.allocateDirect(3 * in.height() * in.width() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        final Preprocessor pre = new Preprocessor(in, tensor);
        final Map<String, float[]> ranges = new TreeMap<>();
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            // The graph as written: fused nodes would hide the tensors being measured.
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(onnx.toString(), opts)) {
                final String inputName = checkInput(session, onnx, shape);
                int done = 0;
                for (final Sample s : chosen) {
                    final YoloDataset.BgrImage img = YoloDataset.readBgr(s.image());
                    pre.apply(img.bgr(), img.width(), img.height());
                    tensor.rewind();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, tensor, shape);
                         OrtSession.Result result = session.run(Map.of(inputName, t))) {
                        for (final Map.Entry<String, OnnxValue> e : result) {
                            if (e.getValue() instanceof OnnxTensor ot && ot.getInfo().type == OnnxJavaType.FLOAT) {
                                widen(ranges.computeIfAbsent(e.getKey(),
                                        k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}),
                                        ot.getFloatBuffer());
                            }
                        }
                    }
                    done++;
                    if (done % 16 == 0 || done == chosen.size()) {
                        spec.commandLine().getErr().printf("calibrate: %d/%d frames%n", done, chosen.size());
                        spec.commandLine().getErr().flush();
                    }
                }
            }
        }
        write(pkg, onnx, chosen.size(), ranges);
        spec.commandLine().getOut().printf("calibrate: %d tensors over %d frames of %s -> %s%n", ranges.size(),
                chosen.size(), data, out);
        spec.commandLine().getOut().flush();
    }

    private static String checkInput(final OrtSession session, final Path onnx, final long[] shape)
            throws OrtException {
        if (session.getNumInputs() != 1) {
            throw new IllegalArgumentException(onnx + " has " + session.getNumInputs() + " inputs, the card one");
        }
        final Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
        final long[] graphShape = ((TensorInfo) input.getValue().getInfo()).getShape();
        for (int i = 0; i < shape.length && i < graphShape.length; i++) {
            if (graphShape[i] > 0 && graphShape[i] != shape[i]) {
                throw new IllegalArgumentException(onnx + " takes " + Arrays.toString(graphShape)
                        + " but the card's input is " + Arrays.toString(shape));
            }
        }
        if (graphShape.length != shape.length) {
            throw new IllegalArgumentException(onnx + " takes " + Arrays.toString(graphShape)
                    + " but the card's input is " + Arrays.toString(shape));
        }
        return input.getKey();
    }

    private static void widen(final float[] range, final FloatBuffer values) {
        float lo = range[0];
        float hi = range[1];
        for (int i = values.position(); i < values.limit(); i++) {
            final float v = values.get(i);
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        range[0] = lo;
        range[1] = hi;
    }

    private void write(final ModelPackage pkg, final Path onnx, final int n, final Map<String, float[]> ranges)
            throws IOException {
        final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = json.createObjectNode();
        root.put("model", pkg.card().name() + "@" + pkg.card().version());
        root.put("graph", onnx.toString());
        root.put("data", data.toString());
        root.put("frames", n);
        root.put("seed", seed);
        final ObjectNode tensors = root.putObject("tensors");
        ranges.forEach((name, r) -> tensors.putObject(name).put("min", r[0]).put("max", r[1]));
        final Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        json.writeValue(out.toFile(), root);
    }
}
