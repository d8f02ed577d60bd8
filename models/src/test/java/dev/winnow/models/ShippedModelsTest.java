package dev.winnow.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.decode.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped default models load, match their cards (graph and SHA-256), fit a Pi and carry their measured metrics. */
class ShippedModelsTest {

    @ParameterizedTest
    @CsvSource({"cotton-colour, 6, feather", "cotton-uv, 2, ''"})
    void shippedModelLoadsAndRuns(final String name, final int classes, final String verified) throws Exception {
        final Path dir = Path.of(name); // surefire runs in the module folder: models/
        assertThat(dir.resolve("model.onnx")).exists();
        final ModelPackage pkg = ModelPackage.load(dir);
        // A Pi holds the model with its verifiers: all of it within 5 MB, each verifier signed by its own card.
        long bytes = Files.size(dir.resolve("model.onnx"));
        for (final String folder : pkg.card().verify().values()) {
            final ModelPackage verifier = ModelPackage.load(dir.resolve(folder));
            assertThat(verifier.card().sha256()).contains(verifier.sha256());
            assertThat(dir.resolve(folder).resolve("metrics.json")).exists();
            bytes += Files.size(verifier.onnx());
        }
        assertThat(bytes).isLessThanOrEqualTo(5L * 1024 * 1024);
        assertThat(pkg.card().classes()).hasSize(classes);
        assertThat(String.join(",", pkg.card().verify().keySet())).isEqualTo(verified);
        assertThat(pkg.card().sha256()).contains(pkg.sha256());
        try (Detector d = new Detector(pkg, 1)) {
            final byte[] grey = new byte[320 * 240 * 3];
            java.util.Arrays.fill(grey, (byte) 60);
            final List<Detection> found = d.detect(grey, 320, 240);
            assertThat(found).isNotNull();
        }
        final JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertThat(metrics.get("map50").isNumber()).isTrue();
        assertThat(metrics.get("per_class").size()).isEqualTo(classes);
        assertThat(dir.resolve("MODEL_CARD.md")).exists();
    }
}
