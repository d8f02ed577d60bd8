package dev.winnow.models.eval;

import dev.winnow.models.Detector;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.dataset.Box;
import dev.winnow.models.dataset.Sample;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.decode.Boxes;
import dev.winnow.models.decode.Detection;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * DIAGNOSTIC (not a test): for one class, a montage of labels the model finds (top row block) and labels it misses
 * even at confidence 0.1 (bottom block), each crop enlarged 4x, and the share of labels that are missed that way.
 * {@code java -cp "target/classes:target/test-classes:target/lib/*:..." dev.winnow.models.eval.MissDiagnostics
 * MODEL DATA CLASS OUT.png}.
 */
public final class MissDiagnostics {

    private MissDiagnostics() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        final ModelPackage pkg = ModelPackage.load(Path.of(args[0]));
        final YoloDataset data = YoloDataset.open(Path.of(args[1]));
        final int cls = pkg.card().classes().indexOf(args[2]);
        final int cell = 64;
        final int cols = 12;
        final BufferedImage montage = new BufferedImage(cols * cell, 8 * cell, BufferedImage.TYPE_INT_RGB);
        int found = 0;
        int missed = 0;
        int labels = 0;
        try (Detector detector = Detector.forEvaluation(pkg, 1, 0.1f)) {
            for (final Sample s : data.samples()) {
                final YoloDataset.BgrImage img = YoloDataset.readBgr(s.image());
                final List<Detection> dets = detector.detect(img.bgr(), img.width(), img.height());
                for (final Box b : s.boxes(img.width(), img.height())) {
                    if (b.classIndex() != cls) {
                        continue;
                    }
                    labels++;
                    boolean hit = false;
                    for (final Detection d : dets) {
                        if (d.classIndex() == cls && Boxes.iou(d.x(), d.y(), d.x() + d.w(), d.y() + d.h(), b.x1(),
                                b.y1(), b.x2(), b.y2()) >= 0.3) {
                            hit = true;
                        }
                    }
                    final int slot = hit ? found++ : missed++;
                    if (slot < 4 * cols) {
                        paste(montage, img, b, (slot % cols) * cell, (hit ? 0 : 4 * cell) + (slot / cols) * cell, cell);
                    }
                }
            }
        }
        ImageIO.write(montage, "png", Path.of(args[3]).toFile());
        System.out.printf("%s: %d labels, %d found (IoU >= 0.3 at confidence >= 0.1), %d missed (%.1f %%)%n", args[2],
                labels, found, missed, 100.0 * missed / Math.max(1, labels));
    }

    private static void paste(final BufferedImage out, final YoloDataset.BgrImage img, final Box b, final int ox,
                              final int oy, final int cell) {
        final double cx = (b.x1() + b.x2()) / 2;
        final double cy = (b.y1() + b.y2()) / 2;
        final double half = Math.max(8, Math.max(b.x2() - b.x1(), b.y2() - b.y1()) / 2 + 2);
        for (int y = 0; y < cell; y++) {
            for (int x = 0; x < cell; x++) {
                final int sx = (int) Math.floor(cx - half + (x + 0.5) * 2 * half / cell);
                final int sy = (int) Math.floor(cy - half + (y + 0.5) * 2 * half / cell);
                int rgb = 0;
                if (sx >= 0 && sy >= 0 && sx < img.width() && sy < img.height()) {
                    final int o = (sy * img.width() + sx) * 3;
                    rgb = (img.bgr()[o + 2] & 0xFF) << 16 | (img.bgr()[o + 1] & 0xFF) << 8 | (img.bgr()[o] & 0xFF);
                }
                out.setRGB(ox + x, oy + y, rgb);
            }
        }
    }
}
