package dev.winnow.models;

import static dev.winnow.models.TestModels.dir;
import static dev.winnow.models.TestModels.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.card.InvalidModelCardException;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.decode.Detection;
import dev.winnow.models.onnx.ModelLoadException;
import dev.winnow.models.onnx.ModelMismatchException;
import dev.winnow.models.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through ONNX Runtime with the generated graphs in src/test/resources/models. */
class DetectorTest {

    @Test
    void yoloPathFromRedAndBlueFrames() throws Exception {
        try (Detector d = Detector.open(dir("yolo-tiny"), 1)) {
            // Red 128x128 frame: plastic_film score 0.9 at anchor 0 (input box 12..20), anchor 2 (0.8) removed by
            // NMS, anchor 3 (0.1) below threshold. Scale 0.5, no padding → frame box 24..40.
            final List<Detection> red = d.detect(frame(128, 128, 0, 0, 255), 128, 128);
            assertThat(red).hasSize(1);
            final Detection r = red.get(0);
            assertThat(r.cls()).isEqualTo("plastic_film");
            assertThat(r.confidence()).isCloseTo(0.9f, within(1e-5f));
            assertThat(new float[] {r.x(), r.y(), r.w(), r.h()}).containsExactly(new float[] {24, 24, 16, 16},
                    within(1e-4f));
            // Blue 64x64: pp_twine at anchor 1, box (35, 35, 10, 10), identity transform.
            final List<Detection> blue = d.detect(frame(64, 64, 255, 0, 0), 64, 64);
            assertThat(blue).hasSize(1);
            assertThat(blue.get(0).cls()).isEqualTo("pp_twine");
            assertThat(new float[] {blue.get(0).x(), blue.get(0).y(), blue.get(0).w(), blue.get(0).h()})
                    .containsExactly(new float[] {35, 35, 10, 10}, within(1e-4f));
            // Black frame: every score 0 → nothing.
            assertThat(d.detect(frame(64, 64, 0, 0, 0), 64, 64)).isEmpty();
            // Repeated frames give identical results (determinism, reused buffers).
            assertThat(d.detect(frame(128, 128, 0, 0, 255), 128, 128)).isEqualTo(red);
        }
    }

    @Test
    void letterboxPaddingIsPartOfTheInput() throws Exception {
        // Red 128x64 frame into 64x64: rows 16..47 red (R = 1), rows 0..15 and 48..63 pad 114/255.
        // Plane-0 mean = (32 * 1 + 32 * 114/255) / 64 = 0.7235 → score 0.9 * 0.7235 = 0.6512.
        try (Detector d = Detector.open(dir("yolo-tiny"), 1)) {
            final List<Detection> red = d.detect(frame(128, 64, 0, 0, 255), 128, 64);
            assertThat(red).hasSize(1);
            assertThat(red.get(0).confidence()).isCloseTo(0.9f * (0.5f + 0.5f * 114f / 255f), within(1e-4f));
            // Input box 12..20 → frame x 24..40, y (12-16)/0.5 = -8 → clipped 0 .. (20-16)/0.5 = 8.
            assertThat(new float[] {red.get(0).x(), red.get(0).y(), red.get(0).w(), red.get(0).h()})
                    .containsExactly(new float[] {24, 0, 16, 8}, within(1e-4f));
        }
    }

    @Test
    void segmentationPathFindsTheRedSquare() throws Exception {
        final byte[] f = frame(32, 32, 0, 0, 0);
        for (int y = 8; y < 16; y++) {
            for (int x = 8; x < 16; x++) {
                f[3 * (y * 32 + x) + 2] = (byte) 255;
            }
        }
        try (Detector d = Detector.open(dir("segment-tiny"), 1)) {
            final List<Detection> found = d.detect(f, 32, 32);
            assertThat(found).hasSize(1);
            final Detection s = found.get(0);
            // Cells (2..3, 2..3) of the 8x8 map (4 px each) → box 8..16; logit 3 vs 0 → p = e^3/(1+e^3).
            assertThat(new float[] {s.x(), s.y(), s.w(), s.h()}).containsExactly(new float[] {8, 8, 8, 8},
                    within(1e-4f));
            assertThat(s.confidence()).isCloseTo((float) (Math.exp(3) / (1 + Math.exp(3))), within(1e-4f));
        }
    }

    @Test
    void cocoShapedModelIsRefusedWithTheDifference() {
        assertThatThrownBy(() -> Detector.open(dir("yolo-mismatch"), 1))
                .isInstanceOf(ModelMismatchException.class)
                .hasMessage("card lists 6 classes so the YOLO output must be [1, 10, N], but the graph's output "
                        + "'output0' is [1, 84, 8400] (80 classes): the card does not match this model");
    }

    @Test
    void onnxModelExposesShapes() throws Exception {
        try (OnnxModel m = new OnnxModel(ModelPackage.load(dir("yolo-tiny")), 1)) {
            assertThat(m.outputShape()).containsExactly(1, 6, 8);
            assertThat(m.inputName()).isEqualTo("images");
            assertThat(m.outputName()).isEqualTo("output0");
            assertThat(m.input().capacity()).isEqualTo(3 * 64 * 64);
        }
    }

    @Test
    void aVerifiedClassTakesTheGeometricMeanOfBothScoresFromACutCentredOnTheObject() throws Exception {
        try (Detector d = Detector.open(dir("yolo-verified"), 1)) {
            // Blue 64x64 frame: pp_twine at 0.9, box (35, 35, 10, 10), centre (40, 40): the verifier's 8x8 cut is
            // x, y 36..43. Green there and nowhere else: the cut is all green, the twine 0.9 * 1.
            final byte[] f = frame(64, 64, 255, 0, 0);
            for (int y = 36; y < 44; y++) {
                for (int x = 36; x < 44; x++) {
                    f[(y * 64 + x) * 3 + 1] = (byte) 255;
                }
            }
            assertThat(d.detect(f, 64, 64)).singleElement().satisfies(t -> {
                assertThat(t.cls()).isEqualTo("pp_twine");
                assertThat(t.confidence()).isCloseTo((float) Math.sqrt(0.9), within(1e-4f));
                assertThat(new float[] {t.x(), t.y(), t.w(), t.h()}).containsExactly(new float[] {35, 35, 10, 10},
                        within(1e-4f));
            });
            // The green patch two pixels to the right: a quarter of the cut is blue, 0.9 * 0.75.
            final byte[] shifted = frame(64, 64, 255, 0, 0);
            for (int y = 36; y < 44; y++) {
                for (int x = 38; x < 46; x++) {
                    shifted[(y * 64 + x) * 3 + 1] = (byte) 255;
                }
            }
            assertThat(d.detect(shifted, 64, 64).get(0).confidence()).isCloseTo((float) Math.sqrt(0.9 * 0.75),
                    within(1e-4f));
            // No green: the verifier doubts it entirely.
            assertThat(d.detect(frame(64, 64, 255, 0, 0), 64, 64).get(0).confidence()).isZero();
            // A class without a verifier keeps the detector's own score.
            assertThat(d.detect(frame(64, 64, 0, 0, 255), 64, 64)).singleElement().satisfies(r -> {
                assertThat(r.cls()).isEqualTo("plastic_film");
                assertThat(r.confidence()).isCloseTo(0.9f, within(1e-5f));
            });
        }
    }

    @Test
    void aVerifierThatIsMissingOrNotAOneClassClassifierIsRefusedByName(@TempDir final Path tmp) throws Exception {
        final Path model = tmp.resolve("m");
        Files.createDirectories(model.resolve("twine-check"));
        for (final String f : new String[] {"model.onnx", "model.json", "twine-check/model.onnx"}) {
            Files.copy(dir("yolo-verified").resolve(f), model.resolve(f));
        }
        assertThatThrownBy(() -> Detector.open(model, 1)).isInstanceOf(InvalidModelCardException.class)
                .hasMessageContaining("decision.verify.pp_twine").hasMessageContaining("cannot be loaded")
                .hasMessageContaining("no model.json");
        Files.writeString(model.resolve("twine-check/model.json"),
                Files.readString(dir("yolo-verified").resolve("twine-check/model.json"))
                        .replace("\"pp_twine\"", "\"pp_twine\", \"clean\""));
        assertThatThrownBy(() -> Detector.open(model, 1)).isInstanceOf(InvalidModelCardException.class)
                .hasMessageContaining("decision.verify.pp_twine").hasMessageContaining("one-class classify")
                .hasMessageContaining("[pp_twine, clean]");
    }

    @Test
    void corruptOrMissingFilesAreClear(@TempDir final Path tmp) throws Exception {
        final Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(dir("yolo-tiny").resolve("model.json"), bad.resolve("model.json"));
        Files.write(bad.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> Detector.open(bad, 1)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.onnx is not a loadable ONNX model");
        Files.delete(bad.resolve("model.onnx"));
        assertThatThrownBy(() -> Detector.open(bad, 1)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no model.onnx");
    }

    @Test
    void sha256InCardMustMatchTheFile(@TempDir final Path tmp) throws Exception {
        final Path src = dir("yolo-tiny");
        Files.copy(src.resolve("model.onnx"), tmp.resolve("model.onnx"));
        final String card = Files.readString(src.resolve("model.json"));
        final String sha = ModelPackage.sha256(src.resolve("model.onnx"));
        Files.writeString(tmp.resolve("model.json"), card.replaceFirst("\\{", "{\"sha256\": \"" + sha + "\","));
        assertThat(ModelPackage.load(tmp).sha256()).isEqualTo(sha);
        Files.writeString(tmp.resolve("model.json"), card.replaceFirst("\\{", "{\"sha256\": \"" + "0".repeat(64) + "\","));
        assertThatThrownBy(() -> ModelPackage.load(tmp)).isInstanceOf(InvalidModelCardException.class)
                .hasMessageContaining("another model file");
    }
}
