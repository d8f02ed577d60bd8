package dev.winnow.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.TestModels;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.dataset.YoloDataset;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {

    private static void image(final Path file, final Color c) throws Exception {
        final BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void evaluatesTheProductionPathOnAYoloFolder(@TempDir final Path root) throws Exception {
        Files.createDirectories(root.resolve("images/val"));
        Files.createDirectories(root.resolve("labels/val"));
        // Dataset lists the classes in the other order than the card: matched by name.
        Files.writeString(root.resolve("data.yaml"), "path: .\nval: images/val\nnames:\n  0: pp_twine\n  1: plastic_film\n");
        // Red image: the model finds plastic_film at (12,12)-(20,20) → label it exactly there.
        image(root.resolve("images/val/red.png"), Color.RED);
        Files.writeString(root.resolve("labels/val/red.txt"), "1 0.25 0.25 0.125 0.125\n");
        // Blue image: the model finds pp_twine at (35,35)-(45,45); the label is elsewhere → a miss and an FP.
        image(root.resolve("images/val/blue.png"), Color.BLUE);
        Files.writeString(root.resolve("labels/val/blue.txt"), "0 0.1 0.9 0.1 0.1\n");
        // Black image without labels: no predictions.
        image(root.resolve("images/val/black.png"), Color.BLACK);

        final YoloDataset ds = YoloDataset.open(root, "val");
        assertThat(ds.samples()).hasSize(3);
        final AtomicInteger progress = new AtomicInteger();
        final EvalReport r = Evaluator.evaluate(ModelPackage.load(TestModels.dir("yolo-tiny")), ds, 1,
                (done, total) -> progress.set(done * 100 + total));
        assertThat(progress.get()).isEqualTo(303);
        final ClassMetrics film = r.perClass().get(0);
        assertThat(film.name()).isEqualTo("plastic_film");
        // At the 0.001 evaluation floor, the red image also yields anchor 3 (score 0.1, a false positive ranked
        // after the true one) → AP stays 1; at the card's 0.25 operating point only the true one counts.
        assertThat(film.ap50()).isCloseTo(1.0, within(1e-9));
        assertThat(film.predictions()).isEqualTo(1);
        assertThat(film.precision()).isEqualTo(1.0);
        assertThat(film.recall()).isEqualTo(1.0);
        final ClassMetrics twine = r.perClass().get(1);
        assertThat(twine.ap50()).isZero();
        assertThat(twine.precision()).isZero();
        assertThat(r.map50()).isCloseTo(0.5, within(1e-9));
        assertThat(r.images()).isEqualTo(3);
        assertThat(r.toTable()).contains("plastic_film", "all");
    }
}
