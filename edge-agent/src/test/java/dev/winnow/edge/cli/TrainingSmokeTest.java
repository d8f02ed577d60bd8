package dev.winnow.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.edge.AgentMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The model pipeline end to end, as CI runs it: {@code export-dataset} renders a tiny fixture from the virtual line,
 * {@code models/training/train.py --smoke} trains and exports a model on it, and {@code eval} measures that model
 * with the production code path. Skipped (with the reason) when {@code /usr/bin/python3} lacks torch, onnx or PIL:
 * {@code sudo apt-get install -y python3-torch python3-onnx python3-pil python3-numpy}.
 */
class TrainingSmokeTest {

    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path tmp;

    @Test
    void exportTrainSmokeAndEvaluate() throws Exception {
        final String missing = missingPythonModules();
        Assumptions.assumeTrue(missing == null, "training smoke test skipped: " + missing);
        final Path trainPy = findTrainPy();
        Assumptions.assumeTrue(trainPy != null, "training smoke test skipped: models/training/train.py not found");

        // 1. a tiny exported fixture
        final Path data = tmp.resolve("data");
        final JsonNode export = lastJson(run("export-dataset", "--out", data.toString(), "--images", "16",
                "--seed", "7", "--camera", "colour", "--val-fraction", "0.25"));
        assertThat(export.get("images").asInt()).isEqualTo(16);
        assertThat(export.get("per_class").size()).isEqualTo(6);
        assertThat(Files.readString(data.resolve("data.yaml"))).contains(
                "names: [plastic_film, polypropylene_twine, straw, string, feather, coloured_fibre]");
        try (var s = Files.list(data.resolve("images").resolve("val"))) {
            assertThat(s.count()).isEqualTo(4);
        }

        // 2. train.py --smoke
        final Path model = tmp.resolve("model");
        // validated on a folder of its own choosing (here the same export's validation images)
        final String log = train(0, trainPy, "--data", data.toString(), "--out", model.toString(), "--smoke",
                "--val-data", data.toString());
        assertThat(log).contains("epoch 3/3").contains("validated on " + data + " (images/val) instead");
        assertThat(Files.readString(model.resolve("metrics.json"))).contains("\"validation_data\": \"" + data + "\"");
        assertThat(train(1, trainPy, "--data", data.toString(), "--out", tmp.resolve("m2").toString(), "--smoke",
                "--val-data", tmp.toString())).contains("--val-data " + tmp + " is not a YOLO folder (no data.yaml)");
        assertThat(tmp.resolve("m2")).doesNotExist();
        assertThat(model.resolve("model.onnx")).exists();
        assertThat(model.resolve("model.json")).exists();
        assertThat(model.resolve("metrics.json")).exists();

        // 3. the Java evaluation on it (the card is checked against the graph when loading)
        final Path errors = tmp.resolve("errors.png");
        final String evalOut = run("eval", "--model", model.toString(), "--data", data.toString(),
                "--timing-frames", "5", "--quiet", "--errors", errors.toString());
        final JsonNode eval = lastJson(evalOut);
        assertThat(evalOut).contains("mistakes at the card's thresholds, drawn: " + errors);
        // one band per class: a title and two rows of enlarged crops
        assertThat(javax.imageio.ImageIO.read(errors.toFile()).getHeight()).isEqualTo(6 * (36 + 2 * (128 + 14 + 4)));
        assertThat(eval.has("map50")).isTrue();
        assertThat(eval.has("map50_95")).isTrue();
        assertThat(eval.get("images").asInt()).isEqualTo(4);
        assertThat(eval.get("per_class").size()).isEqualTo(6);
        assertThat(eval.get("ms_per_frame").get("frames").asInt()).isEqualTo(5);

        // 3a. a verifier for one class of that model, attached to its card: eval loads both and runs both
        final String verifyLog = python(0, trainPy.resolveSibling("verify.py"), "--detector", model.toString(),
                "--cls", "feather", "--data", data.toString(), "--smoke", "--attach");
        assertThat(verifyLog).contains("mining 12/12 images").contains("epoch 2/2")
                .contains("attached: " + model.resolve("model.json") + " decision.verify.feather = feather-verifier");
        assertThat(Files.readString(model.resolve("feather-verifier").resolve("model.json")))
                .contains("\"task\": \"classify\"");
        assertThat(Files.readString(model.resolve("feather-verifier").resolve("metrics.json"))).contains("\"auc\"");
        assertThat(lastJson(run("eval", "--model", model.toString(), "--data", data.toString(), "--quiet"))
                .get("images").asInt()).isEqualTo(4);
        assertThat(python(1, trainPy.resolveSibling("verify.py"), "--detector", model.toString(), "--cls", "wool",
                "--data", data.toString(), "--smoke")).contains("--cls wool is not a class of");

        // 3b. the same evaluation on a slice of the data by condition: the 4 validation images
        final Path slice = tmp.resolve("slice");
        final String sliced = python(0, trainPy.resolveSibling("slice.py"), "--data", data.toString(), "--out",
                slice.toString(), "split == 'val' and belt_speed_mps > 0");
        assertThat(sliced).contains("4 of 16 images");
        assertThat(lastJson(run("eval", "--model", model.toString(), "--data", slice.toString(), "--quiet"))
                .get("images").asInt()).isEqualTo(4);
        assertThat(python(1, trainPy.resolveSibling("slice.py"), "--data", data.toString(), "--out",
                tmp.resolve("s2").toString(), "speed > 1")).contains("name 'speed' is not defined; the columns are");
        // ... and split by condition in the same pass: the slice has the conditions of its own images
        final String byConditionOut = run("eval", "--model", model.toString(), "--data", slice.toString(), "--quiet",
                "--by-condition", "--timing-frames", "0");
        assertThat(byConditionOut).contains("mAP@0.5 by condition").contains("motion_px");
        final JsonNode byCondition = lastJson(byConditionOut).get("by_condition");
        assertThat(byCondition.size()).isGreaterThan(5);
        for (final JsonNode c : byCondition) {
            assertThat(c.get("below").get("images").asInt() + c.get("at_or_above").get("images").asInt())
                    .as(c.get("condition").asText()).isEqualTo(4);
        }

        // 3b. an 8-bit copy, calibrated by this agent (run from the test's own classes), loaded and evaluated
        final Path int8 = tmp.resolve("model-int8");
        final String agent = "java -cp " + System.getProperty("java.class.path") + " " + AgentMain.class.getName();
        final String quantizeLog = python(0, trainPy.resolveSibling("quantize.py"), "--model", model.toString(),
                "--data", data.toString(), "--out", int8.toString(), "--frames", "4", "--agent", agent);
        assertThat(quantizeLog).contains("1/3 calibrate:").contains("calibrate: 4/4 frames")
                .containsPattern("2/3 quantize: [1-9][0-9]* of [0-9]+ convolutions to int8").contains("3/3 wrote");
        final String graph = new String(Files.readAllBytes(int8.resolve("model.onnx")), StandardCharsets.ISO_8859_1);
        assertThat(graph).contains("QuantizeLinear").contains("DequantizeLinear");
        assertThat(Files.readString(int8.resolve("metrics.json"))).contains("\"quantization\"")
                .contains("\"frames\": 4");
        assertThat(lastJson(run("eval", "--model", int8.toString(), "--data", data.toString(), "--quiet",
                "--timing-frames", "2")).get("images").asInt()).isEqualTo(4);
        // ... once only, and never over a folder that holds something
        assertThat(python(1, trainPy.resolveSibling("quantize.py"), "--model", int8.toString(), "--data",
                data.toString(), "--out", tmp.resolve("twice").toString(), "--agent", agent))
                .contains("the model is already quantized");
        assertThat(tmp.resolve("twice")).doesNotExist();
        assertThat(python(1, trainPy.resolveSibling("quantize.py"), "--model", model.toString(), "--data",
                data.toString(), "--out", int8.toString(), "--agent", agent))
                .contains("--out " + int8 + " exists and is not an empty folder");

        // 4. a deeper network fine-tuned from that model: the new blocks start as identities, the Java side loads it
        final Path deeper = tmp.resolve("deeper");
        final String deeperLog = train(0, trainPy, "--data", data.toString(), "--out", deeper.toString(), "--smoke",
                "--blocks", "1", "--init", model.resolve("model.pt").toString());
        assertThat(deeperLog).contains("0 blocks; 1 new blocks per scale start as identities");
        assertThat(lastJson(run("eval", "--model", deeper.toString(), "--data", data.toString(), "--quiet"))
                .get("images").asInt()).isEqualTo(4);
        // ... and a shallower network cannot start from it
        final String refused = train(1, trainPy, "--data", data.toString(), "--out", tmp.resolve("x").toString(),
                "--smoke", "--init", deeper.resolve("model.pt").toString());
        assertThat(refused).contains("has 1 residual blocks per scale, more than --blocks 0");
        assertThat(tmp.resolve("x")).doesNotExist();

        // 5. a narrower (faster) network started from the deeper one's strongest channels, loaded by the Java side
        final Path narrower = tmp.resolve("narrower");
        final String narrowLog = train(0, trainPy, "--data", data.toString(), "--out", narrower.toString(), "--smoke",
                "--blocks", "1", "--width", "8", "--init", deeper.resolve("model.pt").toString());
        assertThat(narrowLog).contains("from width 16 to 8: each layer keeps its strongest channels");
        assertThat(lastJson(run("eval", "--model", narrower.toString(), "--data", data.toString(), "--quiet"))
                .get("images").asInt()).isEqualTo(4);
        assertThat(Files.size(narrower.resolve("model.onnx"))).isLessThan(Files.size(deeper.resolve("model.onnx")));
        // ... and one that also learns the deeper one's outputs (distillation)
        final Path distilled = tmp.resolve("distilled");
        final String distillLog = train(0, trainPy, "--data", data.toString(), "--out", distilled.toString(),
                "--smoke", "--blocks", "1", "--width", "8", "--init", narrower.resolve("model.pt").toString(),
                "--teacher", deeper.resolve("model.pt").toString());
        assertThat(distillLog).contains("distilling from " + deeper.resolve("model.pt") + " (width 16, 1 blocks)");
        assertThat(Files.readString(distilled.resolve("metrics.json"))).contains("\"distill\": 1.0");
        assertThat(train(1, trainPy, "--data", data.toString(), "--out", tmp.resolve("z").toString(), "--smoke",
                "--stride", "4", "--teacher", deeper.resolve("model.pt").toString()))
                .contains("does not fit").contains("stride 8, this run needs");
        // ... and a wider one cannot be made from it
        final String notWider = train(1, trainPy, "--data", data.toString(), "--out", tmp.resolve("y").toString(),
                "--smoke", "--blocks", "1", "--width", "24", "--init", narrower.resolve("model.pt").toString());
        assertThat(notWider).contains("does not fit").contains("'width': 8");
        assertThat(tmp.resolve("y")).doesNotExist();
    }

    @Test
    void evalRefusesAnErrorSheetItCannotWrite() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setOut(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        final Path model = findTrainPy().getParent().getParent().resolve("cotton-colour");
        final Path data = tmp.resolve("d");
        assertThat(cli.execute("export-dataset", "--out", data.toString(), "--images", "2", "--val-fraction", "1"))
                .isZero();
        assertThat(cli.execute("eval", "--model", model.toString(), "--data", data.toString(), "--errors",
                tmp.resolve("no-such-folder/errors.png").toString())).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--errors")
                .contains("a .png file in an existing folder");
        assertThat(cli.execute("eval", "--model", model.toString(), "--data", data.toString(), "--errors",
                tmp.resolve("errors.jpg").toString())).isNotZero();
        assertThat(tmp.resolve("errors.jpg")).doesNotExist();
    }

    /** Runs train.py, asserts its exit code and returns its output. */
    private static String train(final int exitCode, final Path trainPy, final String... args) throws Exception {
        return python(exitCode, trainPy, args);
    }

    /** Runs a Python script, asserts its exit code and returns its output. */
    private static String python(final int exitCode, final Path script, final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(100, TimeUnit.SECONDS)).as("%s finished", script.getFileName()).isTrue();
        assertThat(p.exitValue()).as("%s exit code, log:%n%s", script.getFileName(), log).isEqualTo(exitCode);
        return log;
    }

    private static String run(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        final int code = cli.execute(args);
        assertThat(code).as("%s exit code; stderr:%n%s", args[0], err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode lastJson(final String stdout) throws IOException {
        final List<String> lines = stdout.strip().lines().toList();
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }

    /** @return null when torch, onnx and PIL import, else what is missing */
    private static String missingPythonModules() throws InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return PYTHON + " not found";
        }
        try {
            final Process p = new ProcessBuilder(PYTHON, "-c", "import torch, onnx, PIL, numpy")
                    .redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return PYTHON + " cannot import torch/onnx/PIL/numpy (" + out.lines().reduce((a, b) -> b).orElse("")
                        + "); install: sudo apt-get install -y python3-torch python3-onnx python3-pil python3-numpy";
            }
            return null;
        } catch (final IOException e) {
            return e.getMessage();
        }
    }

    private static Path findTrainPy() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            final Path f = dir.resolve("models").resolve("training").resolve("train.py");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    @Test
    @Timeout(60)
    void exportTakesTurnsBetweenScenariosAndCountsWhatTheCameraCannotSee() throws Exception {
        final Path data = tmp.resolve("two");
        final JsonNode export = lastJson(run("export-dataset", "--out", data.toString(), "--images", "6",
                "--seed", "3", "--scenario", "fast-belt,fast-belt-dark", "--no-variation", "--val-fraction", "0"));
        assertThat(Files.readString(data.resolve("data.yaml"))).contains("scenarios 'fast-belt', 'fast-belt-dark'");
        int invisible = 0;
        for (final JsonNode n : export.get("invisible_per_class")) {
            invisible += n.asInt();
        }
        assertThat(export.get("invisible_per_class").size()).isEqualTo(6);
        assertThat(invisible).isEqualTo(export.get("dropped_invisible").asInt());
        assertThat(export.get("ignore_regions").asInt()).isEqualTo(invisible);
        // What the camera cannot see is kept as ignore regions. With a harsh visibility rule (80 levels) some
        // contaminants of the same images become ignore regions; with none, all are labels: the labels of the
        // first are exactly the labels of the second minus the first's ignore regions.
        final Path harsh = tmp.resolve("harsh");
        final JsonNode harshExport = lastJson(run("export-dataset", "--out", harsh.toString(), "--images", "6",
                "--seed", "3", "--scenario", "fast-belt,fast-belt-dark", "--no-variation", "--val-fraction", "0",
                "--visible-delta", "80"));
        final Path all = tmp.resolve("all");
        lastJson(run("export-dataset", "--out", all.toString(), "--images", "6", "--seed", "3", "--scenario",
                "fast-belt,fast-belt-dark", "--no-variation", "--val-fraction", "0", "--visible-pixels", "0"));
        final List<String> ignored = rows(harsh.resolve("ignore"));
        assertThat(ignored).isNotEmpty().hasSize(harshExport.get("ignore_regions").asInt());
        final List<String> both = new ArrayList<>(rows(harsh.resolve("labels")));
        both.addAll(ignored);
        assertThat(both).containsExactlyInAnyOrderElementsOf(rows(all.resolve("labels")));
        assertThat(rows(all.resolve("ignore"))).isEmpty();
        // Even images are on fast-belt's magenta belt, odd ones on the dark grey-green one.
        for (int i = 0; i < 6; i++) {
            final java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(data.resolve("images").resolve("train")
                    .resolve(String.format("colour_%06d.png", i)).toFile());
            final double redOverGreen = meanRedMinusGreen(img);
            if (i % 2 == 0) {
                assertThat(redOverGreen).as("image %d, magenta belt", i).isGreaterThan(40);
            } else {
                assertThat(redOverGreen).as("image %d, grey-green belt", i).isBetween(-15.0, 15.0);
            }
        }
    }

    @Test
    @Timeout(60)
    void exportWritesTheConditionsOfEachImage() throws Exception {
        // Without variation every image has fast-belt's own conditions: 3 m/s, 1.5 ms, the magenta belt.
        final Path plain = tmp.resolve("plain");
        run("export-dataset", "--out", plain.toString(), "--images", "4", "--seed", "3", "--scenario", "fast-belt",
                "--no-variation", "--val-fraction", "0.25");
        final List<String> rows = Files.readAllLines(plain.resolve("conditions.csv"));
        assertThat(rows.get(0)).isEqualTo(ExportDatasetCommand.CONDITIONS_HEADER);
        assertThat(rows).hasSize(5);
        final List<String> header = List.of(rows.get(0).split(","));
        for (int i = 1; i <= 4; i++) {
            final String[] r = rows.get(i).split(",");
            assertThat(r).hasSize(header.size());
            assertThat(r[header.indexOf("split")]).isEqualTo(i <= 3 ? "train" : "val");
            assertThat(r[header.indexOf("image")]).isEqualTo(String.format("colour_%06d.png", i - 1));
            assertThat(r[header.indexOf("scenario")]).isEqualTo("fast-belt");
            assertThat(r[header.indexOf("belt_speed_mps")]).isEqualTo("3.000");
            assertThat(r[header.indexOf("exposure_ms")]).isEqualTo("1.500");
            assertThat(r[header.indexOf("motion_mm")]).isEqualTo("4.50");
            assertThat(r[header.indexOf("belt_colour")]).isEqualTo("#A83CA8");
            assertThat(r[header.indexOf("belt_off_base")]).isEqualTo("0");
            // the labels column counts the image's label file
            final Path labels = plain.resolve("labels").resolve(r[0]).resolve(r[1].replace(".png", ".txt"));
            assertThat(Integer.parseInt(r[header.indexOf("labels")]))
                    .isEqualTo((int) Files.readAllLines(labels).stream().filter(l -> !l.isBlank()).count());
        }
        // Varied, the speed and exposure differ image by image, and motion is always their product.
        final Path varied = tmp.resolve("varied");
        run("export-dataset", "--out", varied.toString(), "--images", "6", "--seed", "3", "--scenario", "fast-belt");
        final List<String> vrows = Files.readAllLines(varied.resolve("conditions.csv"));
        assertThat(vrows).hasSize(7);
        final java.util.Set<String> speeds = new java.util.HashSet<>();
        for (final String row : vrows.subList(1, 7)) {
            final String[] r = row.split(",");
            final double speed = Double.parseDouble(r[header.indexOf("belt_speed_mps")]);
            final double exposure = Double.parseDouble(r[header.indexOf("exposure_ms")]);
            assertThat(Double.parseDouble(r[header.indexOf("motion_mm")])).isCloseTo(speed * exposure,
                    org.assertj.core.data.Offset.offset(0.01));
            assertThat(speed).isBetween(1.8, 9.0);
            speeds.add(r[header.indexOf("belt_speed_mps")]);
        }
        assertThat(speeds).hasSizeGreaterThan(1);
    }

    @Test
    @Timeout(60)
    void exportForOneLinesBeltKeepsItsColourAndVariesTheRest() throws Exception {
        // --belt own: a model for one line; every image keeps fast-belt's magenta (#A83CA8) within 12 levels a channel,
        // while speed and exposure still vary.
        final Path own = tmp.resolve("own");
        run("export-dataset", "--out", own.toString(), "--images", "12", "--seed", "5", "--scenario", "fast-belt",
                "--belt", "own");
        final List<String> rows = Files.readAllLines(own.resolve("conditions.csv"));
        final List<String> header = List.of(rows.get(0).split(","));
        final java.util.Set<String> speeds = new java.util.HashSet<>();
        for (final String row : rows.subList(1, rows.size())) {
            final String[] r = row.split(",");
            final int c = Integer.parseInt(r[header.indexOf("belt_colour")].substring(1), 16);
            assertThat(Math.abs(((c >> 16) & 0xFF) - 0xA8)).as(row).isLessThanOrEqualTo(12);
            assertThat(Math.abs(((c >> 8) & 0xFF) - 0x3C)).as(row).isLessThanOrEqualTo(12);
            assertThat(Math.abs((c & 0xFF) - 0xA8)).as(row).isLessThanOrEqualTo(12);
            assertThat(Integer.parseInt(r[header.indexOf("belt_off_base")])).as(row).isBetween(0, 12);
            speeds.add(r[header.indexOf("belt_speed_mps")]);
        }
        assertThat(rows).hasSize(13);
        assertThat(speeds).hasSizeGreaterThan(1);
        // The default mixes belts: with this seed some of the 12 images are far from magenta.
        final Path any = tmp.resolve("any");
        run("export-dataset", "--out", any.toString(), "--images", "12", "--seed", "5", "--scenario", "fast-belt");
        assertThat(Files.readAllLines(any.resolve("conditions.csv")).subList(1, 13).stream()
                .map(row -> Integer.parseInt(row.split(",")[header.indexOf("belt_colour")].substring(1), 16))
                .filter(c -> Math.abs(((c >> 8) & 0xFF) - 0x3C) > 12 || Math.abs(((c >> 16) & 0xFF) - 0xA8) > 12)
                .count()).isPositive();
        assertThat(Files.readAllLines(any.resolve("conditions.csv")).subList(1, 13).stream()
                .mapToInt(row -> Integer.parseInt(row.split(",")[header.indexOf("belt_off_base")])).max().getAsInt())
                .isGreaterThan(12);
    }

    @Test
    @Timeout(30)
    void exportNamesABadBeltChoice() {
        final CommandLine cli = new CommandLine(new AgentMain());
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        assertThat(cli.execute("export-dataset", "--out", tmp.resolve("b").toString(), "--images", "1",
                "--belt", "magenta")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--belt must be any or own, not 'magenta'");
        assertThat(tmp.resolve("b")).doesNotExist();
    }

    @Test
    @Timeout(30)
    void exportNamesABadVisibilityRule() {
        for (final String[] bad : new String[][] {
                {"--visible-delta", "0", "--visible-delta must be 1 to 255 levels, not 0"},
                {"--visible-delta", "300", "--visible-delta must be 1 to 255 levels, not 300"},
                {"--visible-pixels", "-1", "--visible-pixels must be 0 (label everything) or more, not -1"}}) {
            final CommandLine cli = new CommandLine(new AgentMain());
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            final Path out = tmp.resolve("v" + bad[1]);
            assertThat(cli.execute("export-dataset", "--out", out.toString(), "--images", "1", bad[0], bad[1]))
                    .isNotZero();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(bad[2]);
            assertThat(out).doesNotExist();
        }
    }

    /** Every row of every label file under {@code dir}, prefixed with its file name. */
    private static List<String> rows(final Path dir) throws IOException {
        final List<String> out = new ArrayList<>();
        try (var files = Files.walk(dir)) {
            for (final Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                for (final String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(f.getFileName() + " " + line);
                    }
                }
            }
        }
        return out;
    }

    private static double meanRedMinusGreen(final java.awt.image.BufferedImage img) {
        double sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                final int c = img.getRGB(x, y);
                sum += ((c >> 16) & 0xFF) - ((c >> 8) & 0xFF);
            }
        }
        return sum / (img.getWidth() * img.getHeight());
    }

    @Test
    @Timeout(60)
    void evalByConditionNamesADatasetWithoutConditions() throws Exception {
        final Path data = tmp.resolve("d");
        run("export-dataset", "--out", data.toString(), "--images", "2", "--val-fraction", "1");
        Files.delete(data.resolve("conditions.csv"));
        final CommandLine cli = new CommandLine(new AgentMain());
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        assertThat(cli.execute("eval", "--model", findTrainPy().getParent().getParent().resolve("cotton-colour").toString(), "--data", data.toString(),
                "--by-condition", "--quiet")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(data + " has no conditions.csv");
    }

    @Test
    @Timeout(30)
    void exportNamesABadScenarioList() {
        final CommandLine cli = new CommandLine(new AgentMain());
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        assertThat(cli.execute("export-dataset", "--out", tmp.resolve("a").toString(), "--images", "1",
                "--scenario", "demo,")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("empty scenario");
        assertThat(tmp.resolve("a")).doesNotExist();
    }

    @Test
    @Timeout(30)
    void exportRefusesANonEmptyFolder() throws Exception {
        Files.writeString(tmp.resolve("x.txt"), "x");
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setErr(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(cli.execute("export-dataset", "--out", tmp.toString(), "--images", "1")).isNotZero();
    }
}
