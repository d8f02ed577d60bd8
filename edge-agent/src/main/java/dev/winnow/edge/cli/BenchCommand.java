package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.host.HostLoad;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.OnnxFrameDetector;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.RenderedFrame;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualCamera;
import dev.winnow.hardware.sim.VirtualLine;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.decode.Decoder;
import dev.winnow.models.onnx.OnnxModel;
import dev.winnow.models.preprocess.LetterboxTransform;
import dev.winnow.models.preprocess.Preprocessor;
import dev.winnow.protocol.WireCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
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
 * detection (pre-processing from the card, run, decoder, adaptation), (3) the same three stages timed one
 * by one, and (4) OpenCV DNN (JavaCV) on the same ONNX file; prints the ratios and a JSON last line.
 *
 * <p>The machine this runs on is usually shared, so the methods are interleaved in blocks of ten frames
 * (a change in foreign load hits all of them alike rather than whichever ran last), and each is reported
 * both as wall clock and as CPU time of the calling thread. With one intra-op thread ONNX Runtime and
 * OpenCV compute on the calling thread, so the CPU figure is the work itself, which other processes
 * cannot inflate; the overhead target is judged on it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "ONNX Runtime vs OpenCV DNN, pipeline vs bare run.")
public final class BenchCommand implements Callable<Integer> {

    private static final int BLOCK = 10;

    @Option(names = "--model", required = true, description = "Model folder (model.onnx + model.json).")
    Path model;

    @Option(names = "--frames", defaultValue = "200", description = "Frames to time per method.")
    int frames;

    @Option(names = "--threads", defaultValue = "1", description = "Inference threads.")
    int threads;

    @Option(names = "--scenario", defaultValue = "demo", description = "Virtual-line scenario that renders the frames.")
    String scenario;

    @Option(names = "--camera", defaultValue = "colour",
            description = "Which camera renders the frames: colour, uv or a camera id of the scenario.")
    String camera;

    /** Wall and thread-CPU nanoseconds spent by one method, and its frame count. */
    private static final class Timer {
        long wall;
        long cpu;
        int n;

        double wallMs() {
            return wall / 1e6 / n;
        }

        double cpuMs() {
            return cpu / 1e6 / n;
        }
    }

    private interface Body {
        void run(int i) throws Exception;
    }

    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();

    @Override
    public Integer call() throws Exception {
        final Scenario sc = Scenario.named(scenario);
        final ManualClock clock = new ManualClock();
        final VirtualLine line = new VirtualLine(sc, clock);
        final VirtualCamera cam = pickCamera(line);
        final List<Frame> fs = new ArrayList<>();
        for (int i = 0; i < Math.min(frames, 100); i++) {
            clock.advance(cam.framePeriodNanos());
            final RenderedFrame r = cam.grab(clock.nanos());
            fs.add(new Frame(r.cameraId(), r.sequence(), r.captureNanos(), r.encoderCount(), r.width(), r.height(), r.bgr()));
        }
        final ModelPackage pkg = ModelPackage.load(model);
        final int w = pkg.card().input().width();
        final int h = pkg.card().input().height();
        final double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        final HostLoad.Measurement machine = HostLoad.start();

        final List<String> names = new ArrayList<>();
        final List<Body> bodies = new ArrayList<>();
        final Timer pre = new Timer();
        final Timer run = new Timer();
        final Timer decode = new Timer();
        try (OnnxModel m = new OnnxModel(pkg, threads);
             OnnxFrameDetector d = OnnxFrameDetector.open(model, threads)) {
            // (1) bare: the session alone, on the first frame's input.
            final Preprocessor bareInput = new Preprocessor(pkg.card().input(), m.input());
            bareInput.apply(fs.get(0).bgr(), fs.get(0).width(), fs.get(0).height());
            names.add("bare");
            bodies.add(i -> m.run());
            // (2) the agent's pipeline, exactly as a camera's inference thread calls it.
            names.add("pipeline");
            bodies.add(i -> d.detect(fs.get(i % fs.size())));
            // (3) the same stages on a second session, each timed on its own.
            try (OnnxModel staged = new OnnxModel(pkg, threads)) {
                final Preprocessor p = new Preprocessor(pkg.card().input(), staged.input());
                final Decoder dec = Decoder.of(pkg.card(), staged.outputShape(), pkg.card().thresholdArray());
                names.add("stages");
                bodies.add(i -> {
                    final Frame f = fs.get(i % fs.size());
                    final long t0 = System.nanoTime();
                    final long c0 = threadBean.getCurrentThreadCpuTime();
                    final LetterboxTransform t = p.apply(f.bgr(), f.width(), f.height());
                    final long t1 = System.nanoTime();
                    final long c1 = threadBean.getCurrentThreadCpuTime();
                    final FloatBuffer out = staged.run();
                    final long t2 = System.nanoTime();
                    final long c2 = threadBean.getCurrentThreadCpuTime();
                    dec.decode(out, t);
                    final long t3 = System.nanoTime();
                    final long c3 = threadBean.getCurrentThreadCpuTime();
                    add(pre, t1 - t0, c1 - c0);
                    add(run, t2 - t1, c2 - c1);
                    add(decode, t3 - t2, c3 - c2);
                });
                // (4) OpenCV DNN on the same file, when it can read it.
                String dnnError = null;
                try {
                    opencv_core.setNumThreads(threads);
                    final Net net = opencv_dnn.readNetFromONNX(pkg.onnx().toString());
                    final List<Mat> mats = new ArrayList<>();
                    for (final Frame f : fs) {
                        final Mat mat = new Mat(f.height(), f.width(), opencv_core.CV_8UC3);
                        mat.data().put(f.bgr(), 0, f.bgr().length);
                        mats.add(mat);
                    }
                    final Size size = new Size(w, h);
                    final Scalar zero = new Scalar(0.0);
                    final Body dnn = i -> {
                        try (Mat blob = opencv_dnn.blobFromImage(mats.get(i % mats.size()), 1 / 255.0, size, zero,
                                true, false, opencv_core.CV_32F)) {
                            net.setInput(blob);
                            net.forward().close();
                        }
                    };
                    dnn.run(0);
                    names.add("dnn");
                    bodies.add(dnn);
                } catch (final RuntimeException | UnsatisfiedLinkError e) {
                    dnnError = e.getMessage();
                }
                final Timer[] timers = measure(bodies);
                report(pkg, cam, w, h, names, timers, pre, run, decode, dnnError, loadBefore, machine.finish());
            }
        }
        return 0;
    }

    private VirtualCamera pickCamera(final VirtualLine line) {
        for (final VirtualCamera c : line.cameras()) {
            final String kind = c.spec().kind() == Scenario.CameraKind.UV ? "uv" : "colour";
            if (c.id().equals(camera) || kind.equals(camera)) {
                return c;
            }
        }
        throw new IllegalArgumentException("scenario '" + scenario + "' has no camera '" + camera + "'");
    }

    private static void add(final Timer t, final long wall, final long cpu) {
        t.wall += wall;
        t.cpu += cpu;
        t.n++;
    }

    /** Warms every method up, then runs them in interleaved blocks until each has timed {@code frames}. */
    private Timer[] measure(final List<Body> bodies) throws Exception {
        // Long enough for the JIT to compile the Java stages (pre-processing, decoding) before timing.
        final int warmUp = Math.max(100, frames / 3);
        for (final Body b : bodies) {
            for (int i = 0; i < warmUp; i++) {
                b.run(i);
            }
        }
        final Timer[] timers = new Timer[bodies.size()];
        for (int k = 0; k < timers.length; k++) {
            timers[k] = new Timer();
        }
        for (int done = 0; done < frames; done += BLOCK) {
            final int n = Math.min(BLOCK, frames - done);
            for (int k = 0; k < bodies.size(); k++) {
                final Body b = bodies.get(k);
                final long t0 = System.nanoTime();
                final long c0 = threadBean.getCurrentThreadCpuTime();
                for (int i = done; i < done + n; i++) {
                    b.run(i);
                }
                timers[k].wall += System.nanoTime() - t0;
                timers[k].cpu += threadBean.getCurrentThreadCpuTime() - c0;
                timers[k].n += n;
            }
        }
        return timers;
    }

    private void report(final ModelPackage pkg, final VirtualCamera cam, final int w, final int h,
            final List<String> names, final Timer[] timers, final Timer pre, final Timer run, final Timer decode,
            final String dnnError, final double loadBefore, final HostLoad machine) throws Exception {
        final Timer bare = timers[names.indexOf("bare")];
        final Timer pipeline = timers[names.indexOf("pipeline")];
        final Timer dnn = names.contains("dnn") ? timers[names.indexOf("dnn")] : null;
        final double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("model %s@%s, input %dx%d, %d thread(s), %d frames %dx%d from %s/%s, load %.2f -> %.2f%n",
                pkg.card().name(), pkg.card().version(), w, h, threads, frames, cam.spec().widthPx(),
                cam.spec().heightPx(), scenario, cam.id(), loadBefore, loadAfter);
        System.out.println("machine " + machine);
        System.out.println("                                      wall ms/frame   CPU ms/frame");
        System.out.printf("  ONNX Runtime bare session.run      : %8.3f        %8.3f%n", bare.wallMs(), bare.cpuMs());
        System.out.printf("  agent pipeline (pre+run+decode)    : %8.3f        %8.3f   (%+.1f %% wall, %+.1f %% CPU over bare)%n",
                pipeline.wallMs(), pipeline.cpuMs(), 100 * (pipeline.wallMs() / bare.wallMs() - 1),
                100 * (pipeline.cpuMs() / bare.cpuMs() - 1));
        System.out.printf("    stages: pre-processing           : %8.3f        %8.3f%n", pre.wallMs(), pre.cpuMs());
        System.out.printf("            session.run              : %8.3f        %8.3f%n", run.wallMs(), run.cpuMs());
        System.out.printf("            decode                   : %8.3f        %8.3f%n", decode.wallMs(), decode.cpuMs());
        if (dnn != null) {
            System.out.printf("  OpenCV DNN (blob+forward)          : %8.3f        %8.3f   (%.2f x the ONNX Runtime pipeline, CPU)%n",
                    dnn.wallMs(), dnn.cpuMs(), dnn.cpuMs() / pipeline.cpuMs());
        } else {
            System.out.println("  OpenCV DNN: could not run this model: " + dnnError);
        }
        final ObjectNode out = WireCodec.newObject();
        out.put("model", pkg.card().name() + "@" + pkg.card().version());
        out.put("threads", threads);
        out.put("frames", frames);
        out.put("camera", cam.id());
        out.put("ort_bare_ms", round(bare.wallMs()));
        out.put("pipeline_ms", round(pipeline.wallMs()));
        out.put("pipeline_overhead", round(pipeline.wallMs() / bare.wallMs() - 1));
        out.put("ort_bare_cpu_ms", round(bare.cpuMs()));
        out.put("pipeline_cpu_ms", round(pipeline.cpuMs()));
        out.put("pipeline_overhead_cpu", round(pipeline.cpuMs() / bare.cpuMs() - 1));
        out.put("pre_ms", round(pre.wallMs()));
        out.put("run_ms", round(run.wallMs()));
        out.put("decode_ms", round(decode.wallMs()));
        out.put("pre_cpu_ms", round(pre.cpuMs()));
        out.put("run_cpu_ms", round(run.cpuMs()));
        out.put("decode_cpu_ms", round(decode.cpuMs()));
        if (dnn != null) {
            out.put("opencv_dnn_ms", round(dnn.wallMs()));
            out.put("opencv_dnn_cpu_ms", round(dnn.cpuMs()));
            out.put("opencv_dnn_over_pipeline", round(dnn.wallMs() / pipeline.wallMs()));
            out.put("opencv_dnn_over_pipeline_cpu", round(dnn.cpuMs() / pipeline.cpuMs()));
        } else {
            out.put("opencv_dnn_error", dnnError);
        }
        out.put("load_avg_1m", round(loadAfter));
        out.set("host", WireCodec.mapper().valueToTree(machine.toMap()));
        System.out.println(WireCodec.mapper().writeValueAsString(out));
    }

    private static double round(final double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
