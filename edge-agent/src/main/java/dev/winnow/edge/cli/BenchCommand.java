package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.OnnxFrameDetector;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.RenderedFrame;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualCamera;
import dev.winnow.hardware.sim.VirtualLine;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.onnx.OnnxModel;
import dev.winnow.models.preprocess.Preprocessor;
import dev.winnow.protocol.WireCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_dnn.Net;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-agent bench --model DIR}: on the same frames (rendered by the virtual line), ms per frame
 * for (1) bare ONNX Runtime {@code session.run} on a prepared input, (2) the agent's whole per-frame
 * detection (pre-processing from the card, run, decoder, adaptation) and (3) OpenCV DNN (JavaCV) on the
 * same ONNX file; prints the ratios and a JSON last line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "ONNX Runtime vs OpenCV DNN, pipeline vs bare run.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model folder (model.onnx + model.json).")
    Path model;

    @Option(names = "--frames", defaultValue = "200", description = "Frames to time per method.")
    int frames;

    @Option(names = "--threads", defaultValue = "1", description = "Inference threads.")
    int threads;

    @Option(names = "--scenario", defaultValue = "demo", description = "Virtual-line scenario that renders the frames.")
    String scenario;

    @Override
    public Integer call() throws Exception {
        final Scenario sc = Scenario.named(scenario);
        final ManualClock clock = new ManualClock();
        final VirtualLine line = new VirtualLine(sc, clock);
        final VirtualCamera cam = line.cameras().get(0);
        final List<Frame> fs = new ArrayList<>();
        for (int i = 0; i < Math.min(frames, 100); i++) {
            clock.advance(cam.framePeriodNanos());
            final RenderedFrame r = cam.grab(clock.nanos());
            fs.add(new Frame(r.cameraId(), r.sequence(), r.captureNanos(), r.encoderCount(), r.width(), r.height(), r.bgr()));
        }
        final ModelPackage pkg = ModelPackage.load(model);
        final int w = pkg.card().input().width();
        final int h = pkg.card().input().height();

        final double bare;
        try (OnnxModel m = new OnnxModel(pkg, threads)) {
            final Preprocessor pre = new Preprocessor(pkg.card().input(), m.input());
            pre.apply(fs.get(0).bgr(), fs.get(0).width(), fs.get(0).height());
            bare = time(i -> m.run());
        }
        final double pipeline;
        try (OnnxFrameDetector d = OnnxFrameDetector.open(model, threads)) {
            pipeline = time(i -> d.detect(fs.get(i % fs.size())));
        }
        double dnn = Double.NaN;
        String dnnError = null;
        try {
            opencv_core.setNumThreads(threads);
            final Net net = opencv_dnn.readNetFromONNX(pkg.onnx().toString());
            final List<Mat> mats = new ArrayList<>();
            for (final Frame f : fs) {
                final Mat m = new Mat(f.height(), f.width(), opencv_core.CV_8UC3);
                m.data().put(f.bgr(), 0, f.bgr().length);
                mats.add(m);
            }
            dnn = time(i -> {
                try (Mat blob = opencv_dnn.blobFromImage(mats.get(i % mats.size()), 1 / 255.0, new Size(w, h),
                        new Scalar(0.0), true, false, opencv_core.CV_32F)) {
                    net.setInput(blob);
                    net.forward().close();
                }
            });
        } catch (final RuntimeException | UnsatisfiedLinkError e) {
            dnnError = e.getMessage();
        }
        System.out.printf("model %s@%s, input %dx%d, %d thread(s), %d frames%n", pkg.card().name(), pkg.card().version(),
                w, h, threads, frames);
        System.out.printf("  ONNX Runtime bare session.run : %8.3f ms/frame%n", bare);
        System.out.printf("  agent pipeline (pre+run+decode): %8.3f ms/frame  (%.1f %% over bare)%n", pipeline,
                100 * (pipeline / bare - 1));
        if (dnnError == null) {
            System.out.printf("  OpenCV DNN (blob+forward)      : %8.3f ms/frame  (%.2f x ONNX Runtime pipeline)%n",
                    dnn, dnn / pipeline);
        } else {
            System.out.println("  OpenCV DNN: could not run this model: " + dnnError);
        }
        final ObjectNode out = WireCodec.newObject();
        out.put("model", pkg.card().name() + "@" + pkg.card().version());
        out.put("threads", threads);
        out.put("frames", frames);
        out.put("ort_bare_ms", round(bare));
        out.put("pipeline_ms", round(pipeline));
        out.put("pipeline_overhead", round(pipeline / bare - 1));
        if (dnnError == null) {
            out.put("opencv_dnn_ms", round(dnn));
            out.put("opencv_dnn_over_pipeline", round(dnn / pipeline));
        } else {
            out.put("opencv_dnn_error", dnnError);
        }
        System.out.println(WireCodec.mapper().writeValueAsString(out));
        return 0;
    }

    private interface Body {
        void run(int i) throws Exception;
    }

    private double time(final Body body) throws Exception {
        for (int i = 0; i < Math.max(10, frames / 10); i++) {
            body.run(i);
        }
        final long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            body.run(i);
        }
        return (System.nanoTime() - t0) / 1e6 / frames;
    }

    private static double round(final double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
