package dev.winnow.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.models.dataset.Box;
import dev.winnow.models.dataset.Sample;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.decode.Detection;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorSheetTest {

    /** A 200 x 100 frame, blue (B = 255) everywhere. */
    private static YoloDataset.BgrImage blueFrame() {
        final byte[] bgr = new byte[200 * 100 * 3];
        for (int i = 0; i < bgr.length; i += 3) {
            bgr[i] = (byte) 255;
        }
        return new YoloDataset.BgrImage(bgr, 200, 100);
    }

    private static Detection det(final int c, final float conf, final float x, final float y, final float w,
                                 final float h) {
        return new Detection(c, c == 0 ? "string" : "straw", conf, x, y, w, h);
    }

    @Test
    void sortsEachMistakeByWhyItHappened(@TempDir final Path dir) throws Exception {
        final ErrorSheet sheet = new ErrorSheet(List.of("string", "straw"), new float[] {0.5f, 0.5f}, 12);
        final List<Box> labels = List.of(
                new Box(0, 10, 10, 30, 30),    // found
                new Box(0, 50, 10, 70, 30),    // a confident string box overlapping it by IoU 1/3: box off
                new Box(0, 100, 10, 120, 30),  // only a string box below the threshold: too unsure
                new Box(0, 140, 10, 160, 30),  // a confident straw box on it: another class
                new Box(0, 10, 60, 30, 80));   // nothing there: not seen
        final List<Box> ignore = List.of(new Box(1, 150, 60, 170, 80));
        sheet.add(new Sample(dir.resolve("frame.png"), List.of()), blueFrame(), labels, ignore, List.of(
                det(0, 0.9f, 10, 10, 20, 20),
                det(0, 0.8f, 10, 10, 20, 20),   // the same label again: second box
                det(0, 0.7f, 60, 10, 20, 20),   // box off
                det(0, 0.3f, 100, 10, 20, 20),  // too unsure (not an alarm either: below the threshold)
                det(1, 0.9f, 140, 10, 20, 20),  // straw on the string: an alarm for straw, "is string"
                det(1, 0.6f, 150, 60, 20, 20),  // on a straw ignore region: neither
                det(1, 0.6f, 90, 60, 20, 20))); // on nothing
        assertThat(sheet.labels(0)).isEqualTo(5);
        assertThat(sheet.missed(0)).isEqualTo(4);
        assertThat(sheet.missReasons(0)).isEqualTo(Map.of("box off", 1, "too unsure", 1, "another class", 1,
                "not seen", 1));
        assertThat(sheet.falseAlarms(0)).isEqualTo(2);
        assertThat(sheet.alarmReasons(0)).isEqualTo(Map.of("second box", 1, "box off", 1));
        assertThat(sheet.falseAlarms(1)).isEqualTo(2);
        assertThat(sheet.alarmReasons(1)).isEqualTo(Map.of("another class", 1, "on no label", 1));

        final Path png = dir.resolve("errors.png");
        sheet.write(png);
        final BufferedImage img = ImageIO.read(png.toFile());
        // Two classes, each a title and two rows of crops.
        assertThat(img.getHeight()).isEqualTo(2 * (36 + 2 * (ErrorSheet.CELL + 14 + 4)));
        assertThat(img.getWidth()).isEqualTo(12 * ErrorSheet.CELL);
        // The first missed string crop shows the blue frame in its own colours.
        final int rgb = img.getRGB(ErrorSheet.CELL / 2, 36 + ErrorSheet.CELL - 20);
        assertThat(rgb & 0xFF).as("blue").isEqualTo(255);
        assertThat((rgb >> 16) & 0xFF).as("red").isZero();
    }

    @Test
    void keepsOnlyAFewCropsButCountsEverything(@TempDir final Path dir) throws Exception {
        final ErrorSheet sheet = new ErrorSheet(List.of("string", "straw"), new float[] {0.5f, 0.5f}, 2);
        for (int i = 0; i < 5; i++) {
            sheet.add(new Sample(dir.resolve(i + ".png"), List.of()), blueFrame(),
                    List.of(new Box(0, 10, 10, 30, 30)), List.of(), List.of());
        }
        assertThat(sheet.missed(0)).isEqualTo(5);
        assertThat(sheet.render().getWidth()).isEqualTo(6 * ErrorSheet.CELL);
        assertThatThrownBy(() -> new ErrorSheet(List.of("a"), new float[] {0.5f, 0.5f}, 2))
                .hasMessageContaining("one threshold per class");
        assertThatThrownBy(() -> new ErrorSheet(List.of("a"), new float[] {0.5f}, 0)).hasMessageContaining("perRow");
    }
}
