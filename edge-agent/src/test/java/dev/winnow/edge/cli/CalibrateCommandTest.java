package dev.winnow.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.edge.AgentMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code winnow-agent calibrate} on the shipped UV model and a small export of the virtual line's UV camera. */
@Timeout(120)
class CalibrateCommandTest {

    @TempDir
    Path tmp;

    private Path uvModel;
    private Path colourModel;
    private Path data;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void exportFrames() {
        uvModel = shippedModel("cotton-uv");
        colourModel = shippedModel("cotton-colour");
        data = tmp.resolve("data");
        assertThat(run("export-dataset", "--out", data.toString(), "--images", "6", "--seed", "3", "--camera", "uv",
                "--val-fraction", "0.5")).isZero();
        out.reset();
        err.reset();
    }

    @Test
    void measuresEachOutputOverFramesDrawnFromTheTrainingImages() throws Exception {
        final Path ranges = tmp.resolve("r").resolve("ranges.json");
        assertThat(run("calibrate", "--model", uvModel.toString(), "--data", data.toString(), "--frames", "2",
                "--out", ranges.toString())).as(err.toString(StandardCharsets.UTF_8)).isZero();
        final JsonNode json = new ObjectMapper().readTree(ranges.toFile());
        assertThat(json.get("frames").asInt()).isEqualTo(2);
        final JsonNode output = json.get("tensors").get("output0");
        // boxes in input pixels, then class scores in (0, 1): the output spans at least the scores' range
        assertThat(output.get("min").asDouble()).isLessThan(output.get("max").asDouble());
        assertThat(output.get("max").asDouble()).isGreaterThan(1.0);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("calibrate: 2/2 frames");
        // more frames than the training split holds: all of them (3 of the 6 are training images)
        assertThat(run("calibrate", "--model", uvModel.toString(), "--data", data.toString(), "--frames", "50",
                "--out", ranges.toString())).isZero();
        assertThat(new ObjectMapper().readTree(ranges.toFile()).get("frames").asInt()).isEqualTo(3);
    }

    @Test
    void refusesNoFrames() {
        final Path ranges = tmp.resolve("ranges.json");
        assertThat(run("calibrate", "--model", uvModel.toString(), "--data", data.toString(), "--frames", "0",
                "--out", ranges.toString())).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--frames must be >= 1 but is 0");
        assertThat(ranges).doesNotExist();
    }

    @Test
    void refusesAGraphWhoseInputIsNotTheCards() {
        final Path ranges = tmp.resolve("ranges.json");
        assertThat(run("calibrate", "--model", uvModel.toString(), "--graph",
                colourModel.resolve("model.onnx").toString(), "--data", data.toString(), "--out",
                ranges.toString())).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("takes [1, 3, 192, 480] but the card's input is [1, 3, 256, 320]");
        assertThat(ranges).doesNotExist();
    }

    @Test
    void refusesAMissingGraph() {
        final Path ranges = tmp.resolve("ranges.json");
        assertThat(run("calibrate", "--model", uvModel.toString(), "--graph", tmp.resolve("nope.onnx").toString(),
                "--data", data.toString(), "--out", ranges.toString())).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.onnx is not a file");
        assertThat(ranges).doesNotExist();
    }

    private int run(final String... args) {
        final CommandLine cli = new CommandLine(new AgentMain());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cli.execute(args);
    }

    private static Path shippedModel(final String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            final Path m = dir.resolve("models").resolve(name);
            if (Files.isRegularFile(m.resolve("model.json"))) {
                return m;
            }
        }
        throw new IllegalStateException("models/" + name + " not found above " + Path.of("").toAbsolutePath());
    }
}
