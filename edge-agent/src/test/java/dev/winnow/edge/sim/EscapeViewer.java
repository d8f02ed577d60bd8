package dev.winnow.edge.sim;

import dev.winnow.hardware.sim.BeltItem;
import dev.winnow.hardware.sim.CameraGeometry;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualLine;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * DIAGNOSTIC (not a test): shows contaminants as one camera saw them, each when centred in its view, enlarged 4x,
 * with the contaminant's own pixels beside (the same instant rendered without that contaminant's neighbours is not
 * possible, so the right copy marks its centre line). Pass belt positions (along mm) as printed by
 * {@code OracleDiagnostics} for escaped items: {@code java -cp ... dev.winnow.edge.sim.EscapeViewer fast-belt colour-1
 * OUT.png ALONG...}.
 */
public final class EscapeViewer {

    private EscapeViewer() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        final Scenario sc = Scenario.named(args[0]);
        final String cameraId = args[1];
        final ManualClock clock = new ManualClock(0);
        final VirtualLine line = new VirtualLine(sc, clock);
        final Scenario.CameraSpec spec = sc.cameras().stream().filter(c -> c.id().equals(cameraId)).findFirst()
                .orElseThrow();
        final CameraGeometry g = CameraGeometry.of(spec, sc.belt().widthMm());
        final int cell = 192;
        final List<BeltItem> items = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            final double along = Double.parseDouble(args[i]);
            for (final BeltItem it : line.contaminantsBetween(along - 1, along + 1)) {
                items.add(it);
            }
        }
        final BufferedImage out = new BufferedImage(2 * cell, Math.max(1, items.size()) * cell,
                BufferedImage.TYPE_INT_RGB);
        final Graphics2D gr = out.createGraphics();
        int row = 0;
        for (final BeltItem it : items) {
            final long at = line.nanosWhenAt(it.alongMm(), g.viewStartMm() + g.viewLengthMm() / 2);
            clock.set(at);
            final BufferedImage frame = line.camera(cameraId).grab(at).toImage();
            final double cx = it.acrossMm() / g.mmPerPxX();
            final double cy = frame.getHeight() / 2.0;
            final int half = cell / 8;
            final BufferedImage crop = new BufferedImage(2 * half, 2 * half, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 2 * half; y++) {
                for (int x = 0; x < 2 * half; x++) {
                    final int sx = (int) cx - half + x;
                    final int sy = (int) cy - half + y;
                    crop.setRGB(x, y, sx >= 0 && sy >= 0 && sx < frame.getWidth() && sy < frame.getHeight()
                            ? frame.getRGB(sx, sy) : 0);
                }
            }
            gr.drawImage(crop, 0, row * cell, cell, cell, null);
            gr.drawImage(crop, cell, row * cell, cell, cell, null);
            // The item's centre line on the right copy.
            gr.setColor(Color.MAGENTA);
            final double sin = Math.sin(it.orientationRad());
            final double cos = Math.cos(it.orientationRad());
            final double scale = 4.0;
            final double l = it.lengthMm() / 2;
            final double x0 = cell + cell / 2.0 + (-l * sin) / g.mmPerPxX() * scale;
            final double y0 = row * cell + cell / 2.0 + (l * cos) / g.mmPerPxY() * scale;
            final double x1 = cell + cell / 2.0 + (l * sin) / g.mmPerPxX() * scale;
            final double y1 = row * cell + cell / 2.0 + (-l * cos) / g.mmPerPxY() * scale;
            gr.drawLine((int) x0, (int) y0, (int) x1, (int) y1);
            System.out.printf("row %d: %s along %.1f across %.1f length %.1f thickness %.1f%n", row,
                    it.cls().wireName(), it.alongMm(), it.acrossMm(), it.lengthMm(), it.thicknessMm());
            row++;
        }
        gr.dispose();
        ImageIO.write(out, "png", Path.of(args[2]).toFile());
        System.exit(0);
    }
}
