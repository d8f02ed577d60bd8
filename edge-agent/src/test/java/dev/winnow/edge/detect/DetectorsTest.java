package dev.winnow.edge.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.edge.host.HostInfo;
import java.nio.file.Path;
import java.util.List;
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
    void thisCheckoutsColourModelIsTheShippedOneForThisProcessor() {
        final Path found = Detectors.shippedModel(false);
        assertThat(found).isNotNull();
        assertThat(found.toAbsolutePath().normalize().toString())
                .endsWith("models/" + Detectors.shippedColourName(HostInfo.current()));
    }

    @Test
    void theEightBitColourModelRunsWhereTheProcessorHasEightBitDotProducts() {
        assertThat(Detectors.shippedColourName(new HostInfo("AMD EPYC", 2, List.of("avx2", "fma", "avx512f",
                "avx512_vnni")))).isEqualTo("cotton-colour");
        assertThat(Detectors.shippedColourName(new HostInfo("Intel Core i5-12400", 6, List.of("avx2", "fma",
                "avx_vnni")))).isEqualTo("cotton-colour");
        assertThat(Detectors.shippedColourName(new HostInfo("Raspberry Pi 5 Model B Rev 1.0", 4, List.of("asimd",
                "asimddp")))).isEqualTo("cotton-colour");
        // ARM without the dot product (a Raspberry Pi 4) and an unknown processor: the 8-bit model too
        assertThat(Detectors.shippedColourName(new HostInfo("Raspberry Pi 4 Model B Rev 1.4", 4, List.of("asimd"))))
                .isEqualTo("cotton-colour");
        assertThat(Detectors.shippedColourName(new HostInfo("aarch64", 4, List.of()))).isEqualTo("cotton-colour");
        // x86 without VNNI, with or without AVX-512: the floating-point one
        assertThat(Detectors.shippedColourName(new HostInfo("AMD EPYC", 2, List.of("avx2", "fma"))))
                .isEqualTo("cotton-colour-float");
        assertThat(Detectors.shippedColourName(new HostInfo("Intel Xeon", 2, List.of("avx2", "fma", "avx512f"))))
                .isEqualTo("cotton-colour-float");
    }
}
