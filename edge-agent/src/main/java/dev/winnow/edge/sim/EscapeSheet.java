package dev.winnow.edge.sim;

import dev.winnow.hardware.sim.BeltItem;
import dev.winnow.hardware.sim.CameraGeometry;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualLine;
import dev.winnow.hardware.sim.Visibility;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A picture of the contaminants that escaped, as each camera saw them: one row per contaminant, one column per
 * camera, each a crop around the contaminant when it was in the middle of that camera's view, enlarged 4 times.
 * Each row says whether any camera shows the contaminant at all ({@link dev.winnow.hardware.sim.Visibility}): one no
 * camera shows is not a detector's miss.
 *
 * <p>The world is rendered again from the scenario (same seed, same items), so it costs nothing during a run.
 */
public final class EscapeSheet {

    /** Rows at most; later escapes are left out (the tracks CSV lists them all). */
    public static final int MAX_ROWS = 40;
    /** Side of one enlarged crop, pixels. */
    static final int CELL = 160;
    /** Width of the label column, pixels. */
    static final int LABEL = 150;
    private static final int SCALE = 4;
    /** Height of the title band, pixels: two lines of text. */
    static final int HEADER = 40;

    private EscapeSheet() {
    }

    /**
     * @param scenario the scenario of the run, never null
     * @param escaped  escaped contaminants, never null
     * @param sights   per escaped contaminant's id, what each camera shows of it ({@link Visibility#sights});
     *                 never null, an id without an entry is drawn without
     * @param png      where to write the picture, never null
     * @return the number of rows drawn
     * @throws IOException when the file cannot be written
     */
    public static int write(final Scenario scenario, final List<BeltItem> escaped,
                            final Map<Long, List<Visibility.Sight>> sights, final Path png) throws IOException {
        final List<BeltItem> items = new ArrayList<>(escaped);
        // A line's clock only goes forward: render items in the order they reach the cameras.
        items.sort(Comparator.comparingDouble(BeltItem::alongMm));
        final List<BeltItem> rows = items.subList(0, Math.min(MAX_ROWS, items.size()));
        final List<Scenario.CameraSpec> cameras = scenario.cameras();
        final BufferedImage out = new BufferedImage(LABEL + cameras.size() * CELL, Math.max(1, rows.size()) * CELL + HEADER,
                BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x20, 0x24, 0x28));
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.WHITE);
        final long unseen = escaped.stream().filter(it -> sights.containsKey(it.id())
                && sights.get(it.id()).stream().noneMatch(Visibility.DEFAULT::shown)).count();
        g.drawString(rows.isEmpty() ? "none escaped" : escaped.size() + " escaped", 6, 16);
        if (!rows.isEmpty()) {
            g.drawString(unseen + " shown by no camera", 6, 32);
        }
        for (int c = 0; c < cameras.size(); c++) {
            g.drawString(cameras.get(c).id() + " (" + cameras.get(c).kind().name().toLowerCase(Locale.ROOT) + ")",
                    LABEL + c * CELL + 6, 16);
        }
        for (int c = 0; c < cameras.size(); c++) {
            final Scenario.CameraSpec spec = cameras.get(c);
            final ManualClock clock = new ManualClock(0);
            final VirtualLine line = new VirtualLine(scenario, clock);
            final CameraGeometry geo = CameraGeometry.of(spec, scenario.belt().widthMm());
            for (int r = 0; r < rows.size(); r++) {
                final BeltItem it = rows.get(r);
                final long at = Math.max(clock.nanos(),
                        line.nanosWhenAt(it.alongMm(), geo.viewStartMm() + geo.viewLengthMm() / 2));
                clock.set(at);
                final BufferedImage frame = line.camera(spec.id()).grab(at).toImage();
                final int half = CELL / SCALE / 2;
                final int cx = (int) Math.round(it.acrossMm() / geo.mmPerPxX());
                final int cy = frame.getHeight() / 2;
                final BufferedImage crop = new BufferedImage(2 * half, 2 * half, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 2 * half; y++) {
                    for (int x = 0; x < 2 * half; x++) {
                        final int sx = cx - half + x;
                        final int sy = cy - half + y;
                        crop.setRGB(x, y, sx >= 0 && sy >= 0 && sx < frame.getWidth() && sy < frame.getHeight()
                                ? frame.getRGB(sx, sy) : 0);
                    }
                }
                g.drawImage(crop, LABEL + c * CELL, HEADER + r * CELL, CELL, CELL, null);
            }
        }
        g.setColor(Color.WHITE);
        for (int r = 0; r < rows.size(); r++) {
            final BeltItem it = rows.get(r);
            final int y = HEADER + r * CELL;
            g.drawString(it.cls().wireName(), 6, y + 18);
            g.drawString(String.format(Locale.ROOT, "%.0f x %.1f mm", it.lengthMm(), it.thicknessMm()), 6, y + 36);
            g.drawString(String.format(Locale.ROOT, "along %.0f mm", it.alongMm()), 6, y + 54);
            g.drawString(String.format(Locale.ROOT, "across %.0f mm", it.acrossMm()), 6, y + 72);
            int line = 0;
            for (final Visibility.Sight s : sights.getOrDefault(it.id(), List.of())) {
                // how many pixels show it, and by how much at most: a few faint pixels is a contaminant hidden in cotton
                g.drawString(String.format(Locale.ROOT, "%s: %d px, up to %d", s.cameraId(), s.pixels(),
                        s.maxLevels()), 6, y + 94 + 16 * line++);
            }
        }
        g.dispose();
        ImageIO.write(out, "png", png.toFile());
        return rows.size();
    }
}
