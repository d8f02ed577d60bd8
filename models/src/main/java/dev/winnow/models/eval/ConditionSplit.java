package dev.winnow.models.eval;

import dev.winnow.models.dataset.Box;
import dev.winnow.models.decode.Detection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One evaluation split by the conditions each image was rendered under ({@code conditions.csv}, as
 * {@code winnow-agent export-dataset} writes it): for each condition, the images below its median and those at or
 * above it are scored on their own. It answers "what costs this model accuracy" (blur, light, crowding, the belt) in
 * the same pass over the images as the evaluation itself.
 *
 * <p>Numeric columns are conditions, except the row's key and the ignore-region count; {@code belt_colour}
 * ({@code #RRGGBB}) gives two: {@code belt_brightness} (its brightest channel) and {@code belt_saturation}. A column
 * with one value throughout is left out.
 */
public final class ConditionSplit {

    /** The file, at the dataset's root. */
    public static final String FILE = "conditions.csv";

    private static final Set<String> NOT_CONDITIONS = Set.of("split", "image", "scenario", "belt_colour",
            "ignore_regions");

    /** One condition's two halves. */
    public record Half(String column, double median, EvalReport below, EvalReport above) {

        /** mAP@0.5 above the median minus below it. */
        public double difference() {
            return above.map50() - below.map50();
        }
    }

    private final List<String> columns;
    private final Map<String, double[]> byImage;
    private final double[] medians;
    private final Metrics[] below;
    private final Metrics[] above;
    private final int[] belowImages;
    private final int[] aboveImages;

    private ConditionSplit(final List<String> columns, final Map<String, double[]> byImage,
                           final List<String> classes, final float[] operating) {
        this.columns = columns;
        this.byImage = byImage;
        this.medians = new double[columns.size()];
        this.below = new Metrics[columns.size()];
        this.above = new Metrics[columns.size()];
        this.belowImages = new int[columns.size()];
        this.aboveImages = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            final double[] v = new double[byImage.size()];
            int i = 0;
            for (final double[] row : byImage.values()) {
                v[i++] = row[c];
            }
            Arrays.sort(v);
            medians[c] = v[v.length / 2];
            below[c] = new Metrics(classes, operating);
            above[c] = new Metrics(classes, operating);
        }
    }

    /**
     * Reads {@code dataset/conditions.csv}.
     *
     * @param dataset  the dataset's root folder, never null
     * @param classes  the model's class names, never null
     * @param operating the card's per-class thresholds, never null
     * @throws IllegalArgumentException naming the file, line and column when the file is missing or malformed
     */
    public static ConditionSplit read(final Path dataset, final List<String> classes, final float[] operating)
            throws IOException {
        final Path file = dataset.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dataset + " has no " + FILE + ": it comes with datasets that "
                    + "winnow-agent export-dataset writes (and slices of them made by models/training/slice.py)");
        }
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty");
        }
        final List<String> header = List.of(lines.get(0).split(",", -1));
        final int split = header.indexOf("split");
        final int image = header.indexOf("image");
        final int belt = header.indexOf("belt_colour");
        if (split < 0 || image < 0) {
            throw new IllegalArgumentException(file + ": the header has no split or image column: " + lines.get(0));
        }
        final List<Integer> numeric = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (!NOT_CONDITIONS.contains(header.get(i))) {
                numeric.add(i);
                names.add(header.get(i));
            }
        }
        if (belt >= 0) {
            names.add("belt_brightness");
            names.add("belt_saturation");
        }
        final Map<String, double[]> rows = new LinkedHashMap<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            final String[] f = lines.get(n).split(",", -1);
            if (f.length != header.size()) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": " + f.length + " fields, the header "
                        + "has " + header.size());
            }
            final double[] v = new double[names.size()];
            for (int k = 0; k < numeric.size(); k++) {
                v[k] = number(file, n, header.get(numeric.get(k)), f[numeric.get(k)]);
            }
            if (belt >= 0) {
                final String hex = f[belt];
                if (!hex.matches("#[0-9A-Fa-f]{6}")) {
                    throw new IllegalArgumentException(file + " line " + (n + 1) + ": belt_colour '" + hex
                            + "' is not #RRGGBB");
                }
                final int rgb = Integer.parseInt(hex.substring(1), 16);
                final int max = Math.max((rgb >> 16) & 0xFF, Math.max((rgb >> 8) & 0xFF, rgb & 0xFF));
                final int min = Math.min((rgb >> 16) & 0xFF, Math.min((rgb >> 8) & 0xFF, rgb & 0xFF));
                v[numeric.size()] = max;
                v[numeric.size() + 1] = max == 0 ? 0 : (max - min) / (double) max;
            }
            rows.put(key(f[split], f[image]), v);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + " has no rows");
        }
        // A condition that never changes says nothing.
        final List<String> varied = new ArrayList<>();
        final List<Integer> keep = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            final int col = c;
            if (rows.values().stream().mapToDouble(r -> r[col]).distinct().count() > 1) {
                varied.add(names.get(c));
                keep.add(c);
            }
        }
        final Map<String, double[]> kept = new HashMap<>();
        rows.forEach((k, r) -> kept.put(k, keep.stream().mapToDouble(c -> r[c]).toArray()));
        return new ConditionSplit(List.copyOf(varied), kept, classes, operating);
    }

    private static double number(final Path file, final int n, final String column, final String text) {
        try {
            return Double.parseDouble(text);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(file + " line " + (n + 1) + ": " + column + " '" + text
                    + "' is not a number");
        }
    }

    private static String key(final String split, final String image) {
        return split + "/" + image;
    }

    /**
     * Adds one image to the half of each condition it belongs to.
     *
     * @param image the image file, under {@code images/SPLIT/}, never null
     * @throws IllegalArgumentException when {@code conditions.csv} has no row for it
     */
    public void add(final Path image, final List<Box> truth, final List<Box> ignore, final List<Detection> found) {
        final Path parent = image.getParent();
        final String k = key(parent == null ? "" : parent.getFileName().toString(), image.getFileName().toString());
        final double[] row = byImage.get(k);
        if (row == null) {
            throw new IllegalArgumentException(FILE + " has no row for " + k);
        }
        for (int c = 0; c < columns.size(); c++) {
            if (row[c] < medians[c]) {
                below[c].add(truth, ignore, found);
                belowImages[c]++;
            } else {
                above[c].add(truth, ignore, found);
                aboveImages[c]++;
            }
        }
    }

    /** @return one entry per condition with images on both sides of its median, the largest difference first */
    public List<Half> report() {
        final List<Half> out = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            if (belowImages[c] > 0 && aboveImages[c] > 0) {
                out.add(new Half(columns.get(c), medians[c], below[c].report(belowImages[c]),
                        above[c].report(aboveImages[c])));
            }
        }
        out.sort(Comparator.comparingDouble((Half h) -> -Math.abs(h.difference())));
        return out;
    }

    /** A table of {@link #report()}, for people. */
    public static String toTable(final List<Half> halves) {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-24s %9s   %13s   %13s   %10s%n",
                "condition", "median", "below median", "at or above", "difference"));
        sb.append(String.format(Locale.ROOT, "%-24s %9s   %6s %6s   %6s %6s%n", "", "", "images", "mAP50", "images",
                "mAP50"));
        for (final Half h : halves) {
            sb.append(String.format(Locale.ROOT, "%-24s %9.3f   %6d %6.3f   %6d %6.3f   %+10.3f%n", h.column(),
                    h.median(), h.below().images(), h.below().map50(), h.above().images(), h.above().map50(),
                    h.difference()));
        }
        return sb.toString();
    }
}
