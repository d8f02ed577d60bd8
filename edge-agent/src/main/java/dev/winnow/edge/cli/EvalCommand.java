package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.host.HostLoad;
import dev.winnow.models.Detector;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.dataset.Sample;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.eval.ConditionSplit;
import dev.winnow.models.eval.ErrorSheet;
import dev.winnow.models.eval.EvalReport;
import dev.winnow.models.eval.Evaluator;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow-agent eval}: runs a model package through the agent's own production path (pre-processing, ONNX
 * Runtime session, decoder — {@link Evaluator} over {@link Detector}) on a labelled YOLO-format folder and prints
 * precision, recall, AP@0.5 and AP@0.5:0.95 per class, then a JSON last line with {@code map50}, {@code map50_95},
 * {@code per_class} and the measured inference time per frame.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model folder on a labelled YOLO-format dataset with the production code path.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model folder (model.onnx + model.json).")
    Path model;

    @Option(names = "--data", required = true, description = "YOLO-format dataset folder (data.yaml, images/, labels/).")
    Path data;

    @Option(names = "--split", description = "Split under images/, e.g. val; default: val when images/val exists, else all images.")
    String split;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--timing-frames", defaultValue = "50",
            description = "Frames timed with the production thresholds after the evaluation, 0 = none (default ${DEFAULT-VALUE}).")
    int timingFrames;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Option(names = "--errors", paramLabel = "PNG",
            description = "Also draw the model's mistakes at its card's thresholds: per class, the labels it missed and "
                    + "its false alarms, cut out of their frames and enlarged.")
    Path errors;

    @Option(names = "--by-condition",
            description = "Also score the images below and at or above the median of each condition in the dataset's "
                    + "conditions.csv (export-dataset writes it: blur, light, belt, cotton, ...), largest difference "
                    + "first: what costs the model accuracy.")
    boolean byCondition;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1");
        }
        final String chosen = split != null ? split
                : Files.isDirectory(data.resolve("images").resolve("val")) ? "val" : null;
        final YoloDataset dataset = YoloDataset.open(data, chosen);
        if (dataset.samples().isEmpty()) {
            throw new IllegalArgumentException("no images in " + data.resolve("images")
                    + (chosen == null ? "" : "/" + chosen));
        }
        final ModelPackage pkg = ModelPackage.load(model);
        if (errors != null && (errors.getParent() != null && !Files.isDirectory(errors.getParent())
                || !errors.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))) {
            throw new IllegalArgumentException("--errors " + errors + ": a .png file in an existing folder");
        }
        final ErrorSheet sheet = errors == null ? null
                : new ErrorSheet(pkg.card().classes(), pkg.card().thresholdArray(), 12);
        final ConditionSplit conditions = byCondition
                ? ConditionSplit.read(data, pkg.card().classes(), pkg.card().thresholdArray()) : null;
        final PrintWriter err = spec.commandLine().getErr();
        final PrintWriter out = spec.commandLine().getOut();
        final int total = dataset.samples().size();
        final int every = Math.max(1, total / 10);
        final EvalReport report = Evaluator.evaluate(pkg, dataset, threads, (done, n) -> {
            if (!quiet && (done % every == 0 || done == n)) {
                err.printf(Locale.ROOT, "eval: %d/%d images%n", done, n);
                err.flush();
            }
        }, (s, i, t, g, f) -> {
            if (sheet != null) {
                sheet.add(s, i, t, g, f);
            }
            if (conditions != null) {
                conditions.add(s.image(), t, g, f);
            }
        });
        if (sheet != null) {
            sheet.write(errors);
        }

        double[] ms = new double[0];
        double[] cpu = new double[0];
        HostLoad machine = null;
        if (timingFrames > 0) {
            final HostLoad.Measurement m = HostLoad.start();
            final double[][] t = time(pkg, dataset.samples());
            machine = m.finish();
            ms = t[0];
            cpu = t[1];
        }
        out.printf(Locale.ROOT, "model %s %s (%s), data %s%s: %d images%n", pkg.card().name(), pkg.card().version(),
                model, data, chosen == null ? "" : " split " + chosen, total);
        out.print(report.toTable());
        out.println("per-class thresholds with the best F1, for the card (model.json): "
                + report.suggestedThresholdsJson());
        if (sheet != null) {
            out.println("mistakes at the card's thresholds, drawn: " + errors.toAbsolutePath().normalize());
        }
        final ObjectMapper m = new ObjectMapper();
        final ObjectNode json = (ObjectNode) m.readTree(report.toJson());
        if (conditions != null) {
            final List<ConditionSplit.Half> halves = conditions.report();
            out.println("mAP@0.5 by condition (images below each condition's median against those at or above it), "
                    + "the largest difference first:");
            out.print(ConditionSplit.toTable(halves));
            final com.fasterxml.jackson.databind.node.ArrayNode by = json.putArray("by_condition");
            for (final ConditionSplit.Half h : halves) {
                final ObjectNode o = by.addObject();
                o.put("condition", h.column());
                o.put("median", h.median());
                o.set("below", half(m, h.below()));
                o.set("at_or_above", half(m, h.above()));
                o.put("difference", round(h.difference()));
            }
        }
        json.put("model", model.toString());
        json.put("data", data.toString());
        if (chosen != null) {
            json.put("split", chosen);
        }
        if (ms.length > 0) {
            out.printf(Locale.ROOT, "inference (pre-processing + ONNX + decode, %d thread%s, %d frames): mean %.2f ms, "
                    + "p50 %.2f ms, p95 %.2f ms%n", threads, threads == 1 ? "" : "s", ms.length, mean(ms), pct(ms, 50),
                    pct(ms, 95));
            if (cpu.length > 0) {
                out.printf(Locale.ROOT, "  CPU time of the calling thread (unaffected by other processes waiting for the "
                        + "cores; with 1 thread ONNX Runtime computes on it): mean %.2f ms, p50 %.2f ms, p95 %.2f ms%n",
                        mean(cpu), pct(cpu, 50), pct(cpu, 95));
            }
            out.println("  machine " + machine);
            final ObjectNode t = json.putObject("ms_per_frame");
            t.put("threads", threads);
            t.put("frames", ms.length);
            t.put("mean", round(mean(ms)));
            t.put("p50", round(pct(ms, 50)));
            t.put("p95", round(pct(ms, 95)));
            if (cpu.length > 0) {
                t.put("cpu_mean", round(mean(cpu)));
                t.put("cpu_p50", round(pct(cpu, 50)));
                t.put("cpu_p95", round(pct(cpu, 95)));
            }
            if (machine != null) {
                t.set("host", m.valueToTree(machine.toMap()));
            }
        }
        out.println(json);
        out.flush();
        return 0;
    }

    /** One half of a condition, short: its images, mAP and AP@0.5 per class. */
    private static ObjectNode half(final ObjectMapper m, final EvalReport r) {
        final ObjectNode o = m.createObjectNode();
        o.put("images", r.images());
        // A half without labels has no mAP.
        if (Double.isNaN(r.map50())) {
            o.putNull("map50");
            o.putNull("map50_95");
        } else {
            o.put("map50", round(r.map50()));
            o.put("map50_95", round(r.map50to95()));
        }
        final ObjectNode pc = o.putObject("ap50");
        for (final dev.winnow.models.eval.ClassMetrics c : r.perClass()) {
            if (!Double.isNaN(c.ap50())) {
                pc.put(c.name(), round(c.ap50()));
            }
        }
        return o;
    }

    /** Times {@link Detector#detect} with the card's own thresholds, as on the line, after a warm-up. */
    private double[][] time(final ModelPackage pkg, final List<Sample> samples) throws Exception {
        final List<YoloDataset.BgrImage> frames = new ArrayList<>();
        for (int i = 0; i < Math.min(samples.size(), timingFrames); i++) {
            frames.add(YoloDataset.readBgr(samples.get(i).image()));
        }
        try (Detector d = new Detector(pkg, threads)) {
            for (int i = 0; i < 10; i++) {
                final YoloDataset.BgrImage f = frames.get(i % frames.size());
                d.detect(f.bgr(), f.width(), f.height());
            }
            final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            final boolean cpuTime = threads == 1 && mx.isCurrentThreadCpuTimeSupported();
            final double[] ms = new double[timingFrames];
            final double[] cpu = new double[cpuTime ? timingFrames : 0];
            for (int i = 0; i < timingFrames; i++) {
                final YoloDataset.BgrImage f = frames.get(i % frames.size());
                final long c0 = cpuTime ? mx.getCurrentThreadCpuTime() : 0;
                final long t0 = System.nanoTime();
                d.detect(f.bgr(), f.width(), f.height());
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (cpuTime) {
                    cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
            return new double[][] {ms, cpu};
        }
    }

    private static double mean(final double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double pct(final double[] v, final double p) {
        final double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100 * s.length) - 1)];
    }

    private static double round(final double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
