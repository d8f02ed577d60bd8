package dev.winnow.edge.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DetectorsTest {

    @Test
    void theShippedModelsAreFoundBesideTheAgentsJarFromAnyWorkingFolder() {
        assertThat(Detectors.modelFolders(Path.of("/srv/winnow/edge-agent/target/winnow-agent.jar")))
                .startsWith(Path.of("models"), Path.of("..", "models"), Path.of("/opt/winnow/models"))
                .contains(Path.of("/srv/winnow/models"));
        assertThat(Detectors.modelFolders(null)).hasSize(3);
    }

    @Test
    void thisCheckoutsColourModelIsTheShippedOne() {
        final Path found = Detectors.shippedModel(false);
        assertThat(found).isNotNull();
        assertThat(found.toAbsolutePath().normalize().toString()).endsWith("models/cotton-colour");
    }
}
