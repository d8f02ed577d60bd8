package dev.winnow.models.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataYamlTest {

    @Test
    void readsFlowBlockAndIndexedNames() {
        assertThat(DataYaml.parse("path: .\nnc: 2\nnames: ['plastic_film', \"pp twine\"]  # comment\n", "x").names())
                .containsExactly("plastic_film", "pp twine");
        assertThat(DataYaml.parse("train: images/train\nnames:\n  - hole\n  - stain # c\n  - 'knot'\nval: v\n", "x")
                .names()).containsExactly("hole", "stain", "knot");
        assertThat(DataYaml.parse("names:\n  0: hole\n  1: stain\n  2: knot\n", "x").names())
                .containsExactly("hole", "stain", "knot");
    }

    @Test
    void rejectsInconsistentFiles() {
        assertThatThrownBy(() -> DataYaml.parse("nc: 3\nnames: [a, b]\n", "data.yaml"))
                .hasMessage("data.yaml: 'nc' is 3 but 'names' lists 2");
        assertThatThrownBy(() -> DataYaml.parse("train: x\n", "data.yaml")).hasMessageContaining("no class 'names'");
        assertThatThrownBy(() -> DataYaml.parse("names:\n  0: a\n  2: b\n", "d")).hasMessageContaining("0..1");
    }

    @Test
    void labelsConvertPolygonsAndRejectBadRows(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("a.txt");
        Files.writeString(f, "0 0.5 0.5 0.2 0.4\n\n1 0.1 0.1 0.3 0.1 0.3 0.5\n");
        final List<float[]> rows = YoloDataset.readLabels(f, 2);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1)).containsExactly(new float[] {1f, 0.2f, 0.3f, 0.2f, 0.4f}, within(1e-6f));
        final Sample s = new Sample(dir.resolve("a.png"), rows);
        final Box b = s.boxes(100, 50).get(0);
        assertThat(b.classIndex()).isZero();
        assertThat(new float[] {b.x1(), b.y1(), b.x2(), b.y2()}).containsExactly(new float[] {40, 15, 60, 35},
                within(1e-4f));
        Files.writeString(f, "0 0.5 0.5 0.2 0.4\n5 0.5 0.5 0.2 0.2\n");
        assertThatThrownBy(() -> YoloDataset.readLabels(f, 2)).hasMessageContaining("a.txt:2")
                .hasMessageContaining("class 5 is not in 0..1");
        Files.writeString(f, "0 50 50 20 20\n");
        assertThatThrownBy(() -> YoloDataset.readLabels(f, 2)).hasMessageContaining("normalised");
    }
    @Test
    void ignoreRegionsAreReadBesideTheLabels(@TempDir final Path dir) throws Exception {
        Files.writeString(dir.resolve("data.yaml"), "names: [a, b]\n");
        for (final String d : List.of("images/val", "labels/val", "ignore/val")) {
            Files.createDirectories(dir.resolve(d));
        }
        for (final String stem : List.of("x", "y")) {
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(100, 50,
                    java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "png", dir.resolve("images/val/" + stem + ".png").toFile());
        }
        Files.writeString(dir.resolve("labels/val/x.txt"), "0 0.5 0.5 0.2 0.4\n");
        Files.writeString(dir.resolve("ignore/val/x.txt"), "1 0.1 0.1 0.1 0.1\n0 0.9 0.9 0.1 0.1\n");
        final YoloDataset d = YoloDataset.open(dir, "val");
        assertThat(d.samples()).hasSize(2);
        final Sample x = d.samples().get(0);
        assertThat(x.boxes(100, 50)).hasSize(1);
        assertThat(x.ignoreBoxes(100, 50)).hasSize(2);
        assertThat(x.ignoreBoxes(100, 50).get(0).classIndex()).isEqualTo(1);
        assertThat(d.samples().get(1).ignore()).as("no ignore file, no regions").isEmpty();
        // An ignore file is checked like a label file.
        Files.writeString(dir.resolve("ignore/val/y.txt"), "2 0.1 0.1 0.1 0.1\n");
        assertThatThrownBy(() -> YoloDataset.open(dir, "val")).hasMessageContaining("ignore")
                .hasMessageContaining("y.txt:1").hasMessageContaining("class 2 is not in 0..1");
    }
}
