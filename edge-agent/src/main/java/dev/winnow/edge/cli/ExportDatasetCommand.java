package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.hardware.sim.ContaminantClass;
import dev.winnow.hardware.sim.GroundTruthBox;
import dev.winnow.hardware.sim.ManualClock;
import dev.winnow.hardware.sim.RenderedFrame;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualCamera;
import dev.winnow.hardware.sim.VirtualLine;
import dev.winnow.hardware.sim.Visibility;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow-agent export-dataset}: renders labelled frames from the virtual line into a YOLO-format folder
 * ({@code images/{train,val}/*.png}, {@code labels/{train,val}/*.txt}, {@code data.yaml}) for training and
 * evaluating detectors.
 *
 * <p>Every image comes from its own copy of the base scenario with a fresh seed and randomly varied lighting
 * (brightness, drift, vignetting), cotton (shade spread, density, tufts per second), contaminants (size scale,
 * count per view, class mix), camera (optical blur, noise, exposure, hence motion blur) and belt speed and colour, sampled at
 * a random instant, so a model trained on it learns the contaminants rather than one rendering of them. A share of
 * images has no contaminant at all.
 *
 * <p>Label set per camera: the colour camera labels all six {@link ContaminantClass}es; the UV camera labels only
 * the classes that fluoresce ({@link ContaminantClass#fluorescesUnderUv()}: plastic_film, polypropylene_twine).
 * Non-fluorescing contaminants are still on the UV images (as dark shapes on faintly glowing cotton) but are
 * unlabelled background: the UV model must not fire on them, the colour model handles them. Class indices follow
 * {@link ContaminantClass} order within the camera's label set.
 *
 * <p>Labelling rules: boxes are the contaminant's axis-aligned extent clipped to the image; a box whose visible
 * part is a sliver (less than {@code --min-visible} of its full extent and under 8 px long) is dropped; boxes
 * narrower than {@code --min-box} pixels (sub-pixel fibres, strings seen end-on) are widened to that size around
 * their centre, so that IoU-based matching is meaningful for hair-thin objects; and a contaminant is labelled only
 * when the camera can see it: at least {@code --visible-pixels} pixels of its box differ by {@code --visible-delta}
 * levels from the same frame rendered without contaminants (a dark string on the dark belt, a grey feather on grey
 * cotton under heavy blur are not labelled, as a human labeller would miss them). Such a contaminant is still there,
 * so it is written as an ignore region ({@code ignore/<split>/<image>.txt}, the label format): neither a label to
 * find nor background, so a model that does find it is not counted wrong, in evaluation or training. The JSON
 * line counts what was dropped and what became an ignore region.
 *
 * <p>{@code conditions.csv} holds one row per image with the conditions it was rendered under (belt speed, exposure
 * and the motion blur they make, focus blur, noise, light, belt colour, cotton, contaminant size), so a model's
 * mistakes can be sorted by condition: evaluate the images of one range of a column as a dataset of their own.
 */
@Command(name = "export-dataset", mixinStandardHelpOptions = true,
        description = "Render a labelled YOLO-format dataset from the virtual line.")
public final class ExportDatasetCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Output folder (created; must be empty or absent).")
    Path out;

    @Option(names = "--images", required = true, description = "Number of images to render.")
    int images;

    @Option(names = "--seed", defaultValue = "1", description = "Seed: same seed, same dataset (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--scenario", defaultValue = "demo",
            description = "Base scenario: a shipped name (demo, fast-belt, fast-belt-dark, white-pp) or a YAML/JSON file; "
                    + "several separated by commas take turns image by image (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--camera", defaultValue = "colour", description = "colour or uv (default ${DEFAULT-VALUE}).")
    String camera;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "Share of images in the val split (default ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--empty-fraction", defaultValue = "0.1",
            description = "Share of images rendered with no contaminant (default ${DEFAULT-VALUE}).")
    double emptyFraction;

    @Option(names = "--no-variation", description = "Render the base scenario as it is (only seed and instant vary).")
    boolean noVariation;

    @Option(names = "--belt", defaultValue = "any", paramLabel = "any|own",
            description = "any: half the images keep the scenario's belt colour, half get a belt of any colour (one "
                    + "model for lines with different belts); own: every image keeps the scenario's belt colour, "
                    + "within 12 levels a channel (a model for one line's belt) (default ${DEFAULT-VALUE}).")
    String beltChoice;

    @Option(names = "--min-box", defaultValue = "4", description = "Minimum label box side in pixels (default ${DEFAULT-VALUE}).")
    double minBox;

    @Option(names = "--min-visible", defaultValue = "0.2",
            description = "Drop edge slivers showing less than this share of the object (default ${DEFAULT-VALUE}).")
    double minVisible;

    @Option(names = "--visible-delta", defaultValue = "24",
            description = "A pixel shows a contaminant when it differs by this many 8-bit levels from the frame "
                    + "rendered without contaminants (default ${DEFAULT-VALUE}).")
    int visibleDelta;

    @Option(names = "--visible-pixels", defaultValue = "4",
            description = "A contaminant is labelled only when at least this many of its pixels show it; "
                    + "0 labels everything (default ${DEFAULT-VALUE}).")
    int visiblePixels;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Per-camera label set. */
    static List<ContaminantClass> labelSet(final Scenario.CameraKind kind) {
        final List<ContaminantClass> out = new ArrayList<>();
        for (final ContaminantClass c : ContaminantClass.values()) {
            if (kind == Scenario.CameraKind.COLOUR || c.fluorescesUnderUv()) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (images < 1) {
            throw new IllegalArgumentException("--images must be >= 1");
        }
        if (!(valFraction >= 0 && valFraction <= 1)) {
            throw new IllegalArgumentException("--val-fraction must be in [0, 1] (1 = a held-out test set, all in val)");
        }
        if (!(emptyFraction >= 0 && emptyFraction <= 1)) {
            throw new IllegalArgumentException("--empty-fraction must be in [0, 1]");
        }
        if (!"any".equals(beltChoice) && !"own".equals(beltChoice)) {
            throw new IllegalArgumentException("--belt must be any or own, not '" + beltChoice + "'");
        }
        if (visibleDelta < 1 || visibleDelta > 255) {
            throw new IllegalArgumentException("--visible-delta must be 1 to 255 levels, not " + visibleDelta);
        }
        if (visiblePixels < 0) {
            throw new IllegalArgumentException("--visible-pixels must be 0 (label everything) or more, not "
                    + visiblePixels);
        }
        final Visibility visibility = new Visibility(visibleDelta, visiblePixels);
        final Scenario.CameraKind kind = switch (camera) {
            case "colour" -> Scenario.CameraKind.COLOUR;
            case "uv" -> Scenario.CameraKind.UV;
            default -> throw new IllegalArgumentException("--camera must be colour or uv, not '" + camera + "'");
        };
        final List<Scenario> bases = new ArrayList<>();
        final List<Scenario.CameraSpec> cams = new ArrayList<>();
        for (final String name : scenario.split(",", -1)) {
            final String n = name.strip();
            if (n.isEmpty()) {
                throw new IllegalArgumentException("--scenario '" + scenario + "' names an empty scenario");
            }
            final Scenario base = Scenario.NAMED.contains(n) ? Scenario.named(n) : Scenario.load(Path.of(n));
            bases.add(base);
            cams.add(base.cameras().stream().filter(c -> c.kind() == kind).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("scenario '" + base.name() + "' has no " + camera
                            + " camera")));
        }
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + " is not empty");
                }
            }
        }
        final List<ContaminantClass> labels = labelSet(kind);
        for (final String split : List.of("train", "val")) {
            Files.createDirectories(out.resolve("images").resolve(split));
            Files.createDirectories(out.resolve("labels").resolve(split));
            Files.createDirectories(out.resolve("ignore").resolve(split));
        }
        writeDataYaml(labels, bases, kind);

        final PrintWriter err = spec.commandLine().getErr();
        final int nVal = (int) Math.round(images * valFraction);
        final int nTrain = images - nVal;
        final Map<ContaminantClass, Integer> perClass = new EnumMap<>(ContaminantClass.class);
        final Map<ContaminantClass, Integer> invisibleByClass = new EnumMap<>(ContaminantClass.class);
        labels.forEach(c -> {
            perClass.put(c, 0);
            invisibleByClass.put(c, 0);
        });
        int totalLabels = 0;
        int empty = 0;
        int dropped = 0;
        int invisible = 0;
        final long started = System.nanoTime();
        final StringBuilder conditions = new StringBuilder(CONDITIONS_HEADER).append('\n');
        for (int i = 0; i < images; i++) {
            final SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
            final boolean noContaminants = rng.nextDouble() < emptyFraction;
            final Scenario sc = vary(bases.get(i % bases.size()), cams.get(i % bases.size()), rng, noContaminants);
            final Scenario.CameraSpec c = sc.cameras().get(0);
            final ManualClock clock = new ManualClock(0);
            final VirtualLine line = new VirtualLine(sc, clock);
            final VirtualCamera vc = line.camera(c.id());
            // Any instant after the view has filled with belt that carries contaminants.
            final double fillSeconds = (c.viewEndMm() + 200) / (sc.belt().speedMps() * 1000);
            final long at = Math.round((fillSeconds + rng.nextDouble() * 30) * 1e9);
            clock.set(at);
            final RenderedFrame frame = vc.grab(at);
            // The same instant without contaminants: what a contaminant changes is what a camera can see of it.
            final byte[] background = frame.truth().isEmpty() ? frame.bgr() : Visibility.withoutContaminants(sc, c.id(), at);
            final StringBuilder txt = new StringBuilder();
            final StringBuilder ignored = new StringBuilder();
            int n = 0;
            for (final GroundTruthBox b : frame.truth()) {
                final int idx = labels.indexOf(b.cls());
                if (idx < 0) {
                    continue;
                }
                final String l = label(b, idx, frame.width(), frame.height(), sc, c);
                if (l == null) {
                    dropped++;
                    continue;
                }
                if (!visibility.shows(b, frame, background)) {
                    ignored.append(l).append('\n');
                    invisible++;
                    invisibleByClass.merge(b.cls(), 1, Integer::sum);
                    continue;
                }
                txt.append(l).append('\n');
                perClass.merge(b.cls(), 1, Integer::sum);
                n++;
            }
            if (n == 0) {
                empty++;
            }
            totalLabels += n;
            final String split = i < nTrain ? "train" : "val";
            final String stem = String.format(Locale.ROOT, "%s_%06d", kind.wireName(), i);
            ImageIO.write(frame.toImage(), "png", out.resolve("images").resolve(split).resolve(stem + ".png").toFile());
            Files.writeString(out.resolve("labels").resolve(split).resolve(stem + ".txt"), txt, StandardCharsets.UTF_8);
            if (!ignored.isEmpty()) {
                Files.writeString(out.resolve("ignore").resolve(split).resolve(stem + ".txt"), ignored,
                        StandardCharsets.UTF_8);
            }
            conditions.append(conditionsRow(split, stem, sc, c, n, ignored.isEmpty() ? 0
                    : (int) ignored.chars().filter(ch -> ch == '\n').count(),
                    bases.get(i % bases.size()).belt().colourRgb())).append('\n');
            if ((i + 1) % 100 == 0 || i + 1 == images) {
                final double s = (System.nanoTime() - started) / 1e9;
                err.printf(Locale.ROOT, "export-dataset: %d/%d images, %d labels, %.0fs elapsed, ~%.0fs left%n", i + 1,
                        images, totalLabels, s, s / (i + 1) * (images - i - 1));
                err.flush();
            }
        }
        Files.writeString(out.resolve("conditions.csv"), conditions, StandardCharsets.UTF_8);
        final ObjectMapper m = new ObjectMapper();
        final ObjectNode json = m.createObjectNode();
        json.put("out", out.toAbsolutePath().normalize().toString());
        json.put("images", images);
        json.put("labels", totalLabels);
        json.put("train", nTrain);
        json.put("val", nVal);
        json.put("camera", kind.wireName());
        json.put("images_without_labels", empty);
        json.put("dropped_slivers", dropped);
        json.put("dropped_invisible", invisible);
        json.put("ignore_regions", invisible);
        final ObjectNode ic = json.putObject("invisible_per_class");
        invisibleByClass.forEach((k, v) -> ic.put(k.wireName(), v));
        final ObjectNode pc = json.putObject("per_class");
        perClass.forEach((k, v) -> pc.put(k.wireName(), v));
        spec.commandLine().getOut().println(json);
        spec.commandLine().getOut().flush();
        return 0;
    }

    static final String CONDITIONS_HEADER = "split,image,scenario,belt_speed_mps,exposure_ms,motion_mm,motion_px,"
            + "focus_blur_px,noise,brightness,light_variation,vignetting,belt_colour,tuft_density,shade_variation,"
            + "contaminant_size_scale,labels,ignore_regions,belt_off_base";

    /**
     * One image's row of conditions.csv: the conditions its scenario was varied to. {@code belt_off_base} is the
     * largest difference of a channel, in levels, between this image's belt and its base scenario's: near 0 for the
     * line's own belt, large for a belt of another colour.
     */
    static String conditionsRow(final String split, final String stem, final Scenario sc, final Scenario.CameraSpec c,
                                final int labels, final int ignoreRegions, final int baseBeltRgb) {
        final double motionMm = sc.belt().speedMps() * c.exposureMs();
        final double mmPerPx = c.viewLengthMm() / c.heightPx();
        final String base = sc.name().endsWith("-export") ? sc.name().substring(0, sc.name().length() - 7)
                : sc.name();
        return String.format(Locale.ROOT, "%s,%s.png,%s,%.3f,%.3f,%.2f,%.2f,%.3f,%.3f,%.3f,%.3f,%.3f,#%06X,%.3f,%.3f,"
                        + "%.3f,%d,%d,%d", split, stem, base, sc.belt().speedMps(), c.exposureMs(), motionMm,
                motionMm / mmPerPx, c.blur(), c.noise(), sc.lighting().brightness(), sc.lighting().variation(),
                sc.lighting().vignetting(), sc.belt().colourRgb() & 0xFFFFFF, sc.product().density(),
                sc.product().shadeVariation(), sc.contaminants().sizeScale(), labels, ignoreRegions,
                channelDistance(sc.belt().colourRgb(), baseBeltRgb));
    }

    private static int channelDistance(final int a, final int b) {
        int max = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            max = Math.max(max, Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)));
        }
        return max;
    }

    /** Renders the frame's scenario at the same instant with no contaminant (tufts, belt, light and noise are equal). */
    /** The YOLO label line, or null for an edge sliver. */
    private String label(final GroundTruthBox b, final int idx, final int w, final int h, final Scenario sc,
                         final Scenario.CameraSpec c) {
        final double mmX = sc.belt().widthMm() / c.widthPx();
        final double mmY = c.viewLengthMm() / c.heightPx();
        final double fullW = Math.max(1e-6, b.widthMm() / mmX);
        final double fullH = Math.max(1e-6, b.lengthMm() / mmY);
        final double visible = Math.min(1, b.wPx() / fullW) * Math.min(1, b.hPx() / fullH);
        if (visible < minVisible && Math.max(b.wPx(), b.hPx()) < 8) {
            return null;
        }
        double x1 = b.xPx();
        double y1 = b.yPx();
        double x2 = x1 + b.wPx();
        double y2 = y1 + b.hPx();
        if (x2 - x1 < minBox) {
            final double cx = (x1 + x2) / 2;
            x1 = Math.max(0, cx - minBox / 2);
            x2 = Math.min(w, cx + minBox / 2);
        }
        if (y2 - y1 < minBox) {
            final double cy = (y1 + y2) / 2;
            y1 = Math.max(0, cy - minBox / 2);
            y2 = Math.min(h, cy + minBox / 2);
        }
        return String.format(Locale.ROOT, "%d %.6f %.6f %.6f %.6f", idx, (x1 + x2) / 2 / w, (y1 + y2) / 2 / h,
                (x2 - x1) / w, (y2 - y1) / h);
    }

    /** A copy of the base scenario, reduced to the one camera, with per-image variation. */
    Scenario vary(final Scenario base, final Scenario.CameraSpec cam, final SplittableRandom rng,
                  final boolean noContaminants) {
        final long imageSeed = rng.nextLong();
        final double speed = noVariation ? base.belt().speedMps()
                : Math.max(0.05, Math.min(10, base.belt().speedMps() * u(rng, 0.6, 3.0)));
        final Scenario.Belt belt = new Scenario.Belt(base.belt().widthMm(), speed, base.belt().encoderMmPerCount(),
                noVariation ? base.belt().colourRgb() : beltColour(base.belt().colourRgb(), "own".equals(beltChoice), rng));
        final Scenario.Product p = base.product();
        // Keep the tuft coverage of the belt (tufts per metre) around the base scenario's, varied.
        final double coverage = p.tuftsPerSecond() / base.belt().speedMps();
        final Scenario.Product product = noVariation ? p : new Scenario.Product(
                Math.min(5000, coverage * speed * u(rng, 0.5, 1.6)), p.tuftMinMm(), p.tuftMaxMm(),
                u(rng, 0.02, 0.22), u(rng, 0.45, 0.95));
        final Scenario.Contaminants ct = base.contaminants();
        final double viewM = cam.viewLengthMm() / 1000;
        final double perSecond;
        final Map<ContaminantClass, Double> mix = new LinkedHashMap<>();
        if (noContaminants) {
            perSecond = 0;
            mix.putAll(ct.mix());
        } else if (noVariation) {
            perSecond = ct.perSecond();
            mix.putAll(ct.mix());
        } else {
            // 0.7 .. 5 contaminants in view on average, classes roughly balanced with some jitter.
            perSecond = u(rng, 0.7, 5.0) * speed / viewM;
            for (final ContaminantClass c : ContaminantClass.values()) {
                // The UV camera labels only fluorescing classes: give them most of the mix, keep the rest as negatives.
                final boolean main = cam.kind() == Scenario.CameraKind.COLOUR || c.fluorescesUnderUv();
                mix.put(c, main ? u(rng, 0.5, 1.5) : u(rng, 0.1, 0.4));
            }
        }
        final Scenario.Contaminants contaminants = new Scenario.Contaminants(perSecond, mix,
                noVariation ? ct.sizeScale() : ct.sizeScale() * u(rng, 0.75, 1.35), ct.palettes());
        final Scenario.CameraSpec camera = noVariation ? cam : new Scenario.CameraSpec(cam.id(), cam.kind(),
                cam.positionMm(), cam.viewLengthMm(), cam.widthPx(), cam.heightPx(), cam.fps(),
                u(rng, 0.3, 3.0), u(rng, 0.2, 1.5), u(rng, 1.0, 7.0));
        final Scenario.Lighting l = base.lighting();
        final Scenario.Lighting lighting = noVariation ? l
                : new Scenario.Lighting(u(rng, 0.75, 1.25), u(rng, 0.0, 0.12), u(rng, 0.0, 0.35));
        final Scenario.NozzleBar bar = base.nozzleBar().positionMm() > camera.viewEndMm() ? base.nozzleBar()
                : new Scenario.NozzleBar(camera.viewEndMm() + 500, base.nozzleBar().count(), base.nozzleBar().pitchMm(),
                base.nozzleBar().latencyMs(), base.nozzleBar().jitterMs(), base.nozzleBar().footprintMm());
        return new Scenario(base.name() + "-export", imageSeed, base.durationSeconds(), belt, product, contaminants,
                List.of(camera), bar, lighting);
    }

    /**
     * Half the images keep the base belt's colour, a little off (wear, dirt, white balance); the other half get
     * another belt altogether, any hue, dull to saturated, dark to mid, so one model serves lines whose belts differ.
     * With {@code ownOnly} every image keeps the base belt's colour: a model for one line, which need not spend its
     * capacity on belts it will never see.
     */
    private static int beltColour(final int base, final boolean ownOnly, final SplittableRandom rng) {
        if (rng.nextBoolean() || ownOnly) {
            final int r = ((base >> 16) & 0xFF) + (int) u(rng, -12, 12);
            final int g = ((base >> 8) & 0xFF) + (int) u(rng, -12, 12);
            final int b = (base & 0xFF) + (int) u(rng, -12, 12);
            return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
        }
        return java.awt.Color.HSBtoRGB((float) rng.nextDouble(), (float) u(rng, 0, 0.75), (float) u(rng, 0.15, 0.72))
                & 0xFFFFFF;
    }

    private static int clamp(final int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static double u(final SplittableRandom rng, final double lo, final double hi) {
        return lo + rng.nextDouble() * (hi - lo);
    }

    private void writeDataYaml(final List<ContaminantClass> labels, final List<Scenario> bases,
                               final Scenario.CameraKind kind) throws IOException {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Exported by winnow-agent export-dataset from scenario")
                .append(bases.size() > 1 ? "s '" : " '")
                .append(String.join("', '", bases.stream().map(Scenario::name).toList()))
                .append("', camera ").append(kind.wireName()).append(", seed ").append(seed).append(", ")
                .append(images).append(" images").append(noVariation ? " (no variation)" : " (varied per image)")
                .append('\n');
        sb.append("path: .\ntrain: images/train\nval: images/val\n");
        sb.append("nc: ").append(labels.size()).append('\n');
        sb.append("names: [").append(String.join(", ", labels.stream().map(ContaminantClass::wireName).toList()))
                .append("]\n");
        Files.writeString(out.resolve("data.yaml"), sb, StandardCharsets.UTF_8);
    }
}
