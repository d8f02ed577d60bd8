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
    @CsvSource({"cotton-colour, 6", "cotton-uv, 2"})
    void shippedModelLoadsAndRuns(final String name, final int classes) throws Exception {
        final Path dir = Path.of(name); // surefire runs in the module folder: models/
        assertThat(dir.resolve("model.onnx")).exists();
        assertThat(Files.size(dir.resolve("model.onnx"))).isLessThanOrEqualTo(5L * 1024 * 1024);
        final ModelPackage pkg = ModelPackage.load(dir);
        assertThat(pkg.card().classes()).hasSize(classes);
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
