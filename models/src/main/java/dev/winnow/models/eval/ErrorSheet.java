package dev.winnow.models.eval;

import dev.winnow.models.dataset.Box;
import dev.winnow.models.dataset.Sample;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.decode.Boxes;
import dev.winnow.models.decode.Detection;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * A picture of a model's mistakes at its operating point (the card's thresholds, IoU 0.5), one band per class: the
 * labels it missed and the false alarms it raised, each cut out of its frame with some surroundings and enlarged.
 * Figures say how many; the crops say why (a feather lying in a tuft, a string on a belt of its own colour, a tuft
 * taken for film). Labels are matched as in {@link Metrics}: predictions by descending confidence each take the
 * unmatched label of their class with the highest IoU &ge; 0.5; a prediction that takes none but lies on an ignore
 * region of its class is no false alarm.
 *
 * <p>Only the first {@code perRow} of each kind per class are kept (images in dataset order), so memory stays small
 * on large sets; the counts cover everything.
 */
public final class ErrorSheet {

    /** Side of one enlarged crop, pixels. */
    static final int CELL = 128;
    private static final int CAPTION = 14;
    private static final int TITLE = 36;
    private static final float MATCH_IOU = 0.5f;
    private static final Color BACKGROUND = new Color(0xF4F4F2);
    private static final Color LABEL = new Color(0x00C853);
    private static final Color PREDICTION = new Color(0xFF6D00);

    private final List<String> classes;
    private final float[] thresholds;
    private final int perRow;
    private final int[] labels;
    private final int[] missed;
    private final int[] falseAlarms;
    private final List<List<Crop>> missCrops = new ArrayList<>();
    private final List<List<Crop>> alarmCrops = new ArrayList<>();
    private final List<Map<String, Integer>> missReasons = new ArrayList<>();
    private final List<Map<String, Integer>> alarmReasons = new ArrayList<>();

    /** An enlarged cut, what it shows and the image it comes from. */
    private record Crop(BufferedImage image, String caption, String source) {
    }

    /**
     * @param classes    the model's class names, never null
     * @param thresholds the operating confidence per class (the card's), same length
     * @param perRow     crops kept per class and kind, &ge; 1
     */
    public ErrorSheet(final List<String> classes, final float[] thresholds, final int perRow) {
        if (thresholds.length != classes.size()) {
            throw new IllegalArgumentException("one threshold per class");
        }
        if (perRow < 1) {
            throw new IllegalArgumentException("perRow must be >= 1");
        }
        this.classes = List.copyOf(classes);
        this.thresholds = thresholds.clone();
        this.perRow = perRow;
        this.labels = new int[classes.size()];
        this.missed = new int[classes.size()];
        this.falseAlarms = new int[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            missCrops.add(new ArrayList<>());
            alarmCrops.add(new ArrayList<>());
            missReasons.add(new TreeMap<>());
            alarmReasons.add(new TreeMap<>());
        }
    }

    /** Adds one image: its labels and ignore regions (card class indices) and every prediction. */
    public void add(final Sample sample, final YoloDataset.BgrImage img, final List<Box> truth,
                    final List<Box> ignore, final List<Detection> predicted) {
        final String name = sample.image().getFileName().toString();
        final List<Detection> operating = new ArrayList<>();
        for (final Detection d : predicted) {
            if (d.confidence() >= thresholds[d.classIndex()]) {
                operating.add(d);
            }
        }
        operating.sort(Comparator.comparingDouble((Detection d) -> -d.confidence()));
        final boolean[] found = new boolean[truth.size()];
        final List<Detection> alarms = new ArrayList<>();
        for (final Detection d : operating) {
            int best = -1;
            float bestIou = MATCH_IOU;
            for (int g = 0; g < truth.size(); g++) {
                final Box b = truth.get(g);
                if (!found[g] && b.classIndex() == d.classIndex()) {
                    final float iou = iou(d, b);
                    if (iou >= bestIou) {
                        best = g;
                        bestIou = iou;
                    }
                }
            }
            if (best >= 0) {
                found[best] = true;
                continue;
            }
            boolean excused = false;
            for (final Box b : ignore) {
                excused |= b.classIndex() == d.classIndex() && iou(d, b) >= MATCH_IOU;
            }
            if (!excused) {
                alarms.add(d);
            }
        }
        BufferedImage frame = null;
        for (final Detection d : alarms) {
            final int c = d.classIndex();
            falseAlarms[c]++;
            // Why: a second box on a label already found, a box beside its label, another class's object, or
            // nothing labelled at all.
            float same = 0f;
            Box other = null;
            float otherIou = 0.3f;
            for (final Box b : truth) {
                final float iou = iou(d, b);
                if (b.classIndex() == c) {
                    same = Math.max(same, iou);
                } else if (iou >= otherIou) {
                    other = b;
                    otherIou = iou;
                }
            }
            final String why = same >= MATCH_IOU ? "second box" : same >= 0.1f
                    ? String.format(Locale.ROOT, "off, IoU %.2f", same)
                    : other != null ? "is " + classes.get(other.classIndex()) : "on no label";
            alarmReasons.get(c).merge(why.startsWith("off,") ? "box off" : why.startsWith("is ") ? "another class"
                    : why, 1, Integer::sum);
            if (alarmCrops.get(c).size() < perRow) {
                frame = frame == null ? toImage(img) : frame;
                alarmCrops.get(c).add(new Crop(crop(frame, d.x(), d.y(), d.x() + d.w(), d.y() + d.h(), truth, ignore,
                        d), String.format(Locale.ROOT, "%.2f %s", d.confidence(), why), name));
            }
        }
        for (int g = 0; g < truth.size(); g++) {
            final Box b = truth.get(g);
            labels[b.classIndex()]++;
            if (found[g]) {
                continue;
            }
            final int c = b.classIndex();
            missed[c]++;
            // Why: a confident box of its class that does not overlap it enough, a box of its class below the
            // threshold, taken for another class, or not seen at all.
            Detection offBox = null;
            Detection unsure = null;
            Detection otherClass = null;
            for (final Detection d : predicted) {
                final float iou = iou(d, b);
                final boolean confident = d.confidence() >= thresholds[d.classIndex()];
                if (d.classIndex() == c && confident && iou >= 0.1f
                        && (offBox == null || iou > iou(offBox, b))) {
                    offBox = d;
                } else if (d.classIndex() == c && !confident && iou >= MATCH_IOU
                        && (unsure == null || d.confidence() > unsure.confidence())) {
                    unsure = d;
                } else if (d.classIndex() != c && confident && iou >= 0.3f
                        && (otherClass == null || d.confidence() > otherClass.confidence())) {
                    otherClass = d;
                }
            }
            final Detection shown;
            final String why;
            final String reason;
            if (offBox != null) {
                shown = offBox;
                reason = "box off";
                why = String.format(Locale.ROOT, "%.2f off, IoU %.2f", offBox.confidence(), iou(offBox, b));
            } else if (unsure != null) {
                shown = unsure;
                reason = "too unsure";
                why = String.format(Locale.ROOT, "%.2f too unsure", unsure.confidence());
            } else if (otherClass != null) {
                shown = otherClass;
                reason = "another class";
                why = String.format(Locale.ROOT, "%.2f %s", otherClass.confidence(),
                        classes.get(otherClass.classIndex()));
            } else {
                shown = null;
                reason = "not seen";
                why = "not seen";
            }
            missReasons.get(c).merge(reason, 1, Integer::sum);
            if (missCrops.get(c).size() < perRow) {
                frame = frame == null ? toImage(img) : frame;
                missCrops.get(c).add(new Crop(crop(frame, b.x1(), b.y1(), b.x2(), b.y2(), truth, ignore, shown),
                        why, name));
            }
        }
    }

    /** Why labels of class {@code c} were missed: "box off", "too unsure", "another class", "not seen" → count. */
    public Map<String, Integer> missReasons(final int c) {
        return Map.copyOf(missReasons.get(c));
    }

    /** Why class {@code c}'s false alarms were raised: "second box", "box off", "another class", "on no label". */
    public Map<String, Integer> alarmReasons(final int c) {
        return Map.copyOf(alarmReasons.get(c));
    }

    /** Labels of class {@code c} seen so far. */
    public int labels(final int c) {
        return labels[c];
    }

    /** Labels of class {@code c} the model did not find at its operating point. */
    public int missed(final int c) {
        return missed[c];
    }

    /** Predictions of class {@code c} at the operating point that matched no label and no ignore region. */
    public int falseAlarms(final int c) {
        return falseAlarms[c];
    }

    /** Draws the sheet: per class a title with the counts, a row of misses, a row of false alarms. */
    public BufferedImage render() {
        final int width = Math.max(6, perRow) * CELL;
        final int band = TITLE + 2 * (CELL + CAPTION + 4);
        final BufferedImage out = new BufferedImage(width, band * classes.size(), BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int c = 0; c < classes.size(); c++) {
            final int top = c * band;
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(String.format(Locale.ROOT, "%s (confidence %.2f): %d of %d labels missed, %d false alarms",
                    classes.get(c), thresholds[c], missed[c], labels[c], falseAlarms[c]), 6, top + 15);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString("missed: " + reasons(missReasons.get(c)) + "   false alarms: "
                    + reasons(alarmReasons.get(c)) + "   (green: labels, grey: ignore regions, orange: the model)",
                    6, top + 30);
            row(g, missCrops.get(c), top + TITLE, "missed");
            row(g, alarmCrops.get(c), top + TITLE + CELL + CAPTION + 4, "false alarms");
        }
        g.dispose();
        return out;
    }

    /** Renders and writes the sheet as a PNG. */
    public void write(final Path png) throws IOException {
        if (!ImageIO.write(render(), "png", png.toFile())) {
            throw new IOException("no PNG writer for " + png);
        }
    }

    private static String reasons(final Map<String, Integer> r) {
        if (r.isEmpty()) {
            return "none";
        }
        final StringBuilder b = new StringBuilder();
        r.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
        return b.toString();
    }

    private static void row(final Graphics2D g, final List<Crop> crops, final int top, final String what) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        if (crops.isEmpty()) {
            g.setColor(Color.GRAY);
            g.drawString("no " + what, 6, top + CELL / 2);
            return;
        }
        for (int i = 0; i < crops.size(); i++) {
            final Crop k = crops.get(i);
            g.drawImage(k.image(), i * CELL, top, null);
            g.setClip(i * CELL, top, CELL - 2, CELL + CAPTION);
            g.setColor(Color.DARK_GRAY);
            g.drawString(k.caption(), i * CELL + 3, top + CELL + CAPTION - 3);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
            g.setColor(Color.WHITE);
            g.drawString(k.source(), i * CELL + 2, top + 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            g.setClip(null);
        }
    }

    /**
     * A square cut around a box, at least 32 px of frame and 1.6x the box, enlarged to {@link #CELL}, with the
     * frame's labels (green), ignore regions (grey) and one prediction (orange) drawn on it.
     */
    private static BufferedImage crop(final BufferedImage frame, final float x1, final float y1, final float x2,
                                      final float y2, final List<Box> labels, final List<Box> ignore,
                                      final Detection prediction) {
        final float side = Math.max(32f, 1.6f * Math.max(x2 - x1, y2 - y1));
        final float left = (x1 + x2) / 2 - side / 2;
        final float top = (y1 + y2) / 2 - side / 2;
        final double scale = CELL / (double) side;
        final BufferedImage out = new BufferedImage(CELL, CELL, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, CELL, CELL);
        g.drawImage(frame, (int) Math.round(-left * scale), (int) Math.round(-top * scale),
                (int) Math.round(frame.getWidth() * scale), (int) Math.round(frame.getHeight() * scale), null);
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(Color.LIGHT_GRAY);
        for (final Box b : ignore) {
            rect(g, b.x1(), b.y1(), b.x2(), b.y2(), left, top, scale);
        }
        g.setColor(LABEL);
        for (final Box b : labels) {
            rect(g, b.x1(), b.y1(), b.x2(), b.y2(), left, top, scale);
        }
        if (prediction != null) {
            g.setColor(PREDICTION);
            rect(g, prediction.x(), prediction.y(), prediction.x() + prediction.w(), prediction.y() + prediction.h(),
                    left, top, scale);
        }
        g.dispose();
        return out;
    }

    private static void rect(final Graphics2D g, final float x1, final float y1, final float x2, final float y2,
                             final float left, final float top, final double scale) {
        final int a = (int) Math.round((x1 - left) * scale);
        final int b = (int) Math.round((y1 - top) * scale);
        g.drawRect(a, b, Math.max(1, (int) Math.round((x2 - x1) * scale)), Math.max(1,
                (int) Math.round((y2 - y1) * scale)));
    }

    private static float iou(final Detection d, final Box b) {
        return Boxes.iou(d.x(), d.y(), d.x() + d.w(), d.y() + d.h(), b.x1(), b.y1(), b.x2(), b.y2());
    }

    private static BufferedImage toImage(final YoloDataset.BgrImage img) {
        final BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        // The raster's bytes are B, G, R per pixel, as the frame's.
        final byte[] pixels = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        System.arraycopy(img.bgr(), 0, pixels, 0, pixels.length);
        return out;
    }
}
