package dev.winnow.hardware.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the virtual line needs to play a run: belt, product, contaminants, cameras, nozzle bar
 * and lighting. Loaded strictly from YAML or JSON (hardware/SCENARIOS.md is the reference): an
 * unknown key, a value of the wrong type or outside its range fails with a {@link ScenarioException}
 * naming the key. All lengths are millimetres; positions along the belt are world positions
 * measured downstream from the belt origin (see {@link VirtualLine}).
 *
 * @param name            human-readable name, never null
 * @param seed            the seed every random choice derives from
 * @param durationSeconds how long a scripted run lasts
 * @param belt            never null
 * @param product         never null
 * @param contaminants    never null
 * @param cameras         at least one, unique ids, never null
 * @param nozzleBar       never null
 * @param lighting        never null
 */
public record Scenario(
        String name,
        long seed,
        double durationSeconds,
        Belt belt,
        Product product,
        Contaminants contaminants,
        List<CameraSpec> cameras,
        NozzleBar nozzleBar,
        Lighting lighting) {

    /** Names of the scenarios shipped under {@code src/main/resources/scenarios/}. */
    public static final List<String> NAMED = List.of("demo", "fast-belt", "fast-belt-dark", "white-pp");

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");

    /** Copies the camera list; checks non-null parts. */
    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(belt, "belt");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(contaminants, "contaminants");
        Objects.requireNonNull(nozzleBar, "nozzleBar");
        Objects.requireNonNull(lighting, "lighting");
        cameras = List.copyOf(cameras);
        if (cameras.isEmpty()) {
            throw new ScenarioException("cameras", "at least one camera is required");
        }
    }

    /**
     * @param widthMm           belt width, across
     * @param speedMps          belt speed in metres per second (= millimetres per millisecond)
     * @param encoderMmPerCount belt travel per encoder pulse
     * @param colourRgb         the belt's surface colour as the colour camera sees it ({@code 0xRRGGBB}); under UV
     *                          the belt stays dark (belts carry no optical brightener)
     */
    public record Belt(double widthMm, double speedMps, double encoderMmPerCount, int colourRgb) {
        /** The belt colour when a scenario names none: the dark grey-green of a common PVC conveyor belt. */
        public static final int DEFAULT_COLOUR = 0x3C423F;

        /** A belt of the default colour. */
        public Belt(final double widthMm, final double speedMps, final double encoderMmPerCount) {
            this(widthMm, speedMps, encoderMmPerCount, DEFAULT_COLOUR);
        }

        /** @return the same belt at another speed, never null */
        public Belt withSpeed(final double mps) {
            return new Belt(widthMm, mps, encoderMmPerCount, colourRgb);
        }
    }

    /**
     * @param tuftsPerSecond cotton tufts arriving per second (spread uniformly over the belt)
     * @param tuftMinMm      smallest tuft length
     * @param tuftMaxMm      largest tuft length
     * @param shadeVariation relative brightness spread of cotton between tufts (0 = all equal)
     * @param density        fibre density of a tuft, 0 (wispy, belt shows through) .. 1 (opaque)
     */
    public record Product(double tuftsPerSecond, double tuftMinMm, double tuftMaxMm, double shadeVariation,
                          double density) {
    }

    /**
     * @param perSecond contaminants arriving per second
     * @param mix       relative weight per class, never null; classes absent or at 0 never appear
     * @param sizeScale multiplies every class's size range
     * @param palettes  per-class colour overrides ({@code 0xRRGGBB}), never null, usually empty
     */
    public record Contaminants(double perSecond, Map<ContaminantClass, Double> mix, double sizeScale,
                               Map<ContaminantClass, List<Integer>> palettes) {
        /** Copies the maps. */
        public Contaminants {
            mix = Collections.unmodifiableMap(new EnumMap<>(mix.isEmpty() ? Map.of(ContaminantClass.STRAW, 0.0) : mix));
            final Map<ContaminantClass, List<Integer>> p = new EnumMap<>(ContaminantClass.class);
            palettes.forEach((k, v) -> p.put(k, List.copyOf(v)));
            palettes = Collections.unmodifiableMap(p);
        }

        /** @return the colours to draw a class with, never empty */
        public int[] paletteOf(final ContaminantClass cls) {
            final List<Integer> override = palettes.get(cls);
            return override == null ? cls.palette() : override.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Camera kinds. */
    public enum CameraKind {
        /** white light, RGB sensor */
        COLOUR,
        /** UV illumination, visible-light sensor behind a UV-blocking filter: only fluorescence shows */
        UV;

        /** @return the wire name */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param id           unique id, {@code [a-z0-9][a-z0-9_-]*}
     * @param kind         colour or uv
     * @param positionMm   world position of the view centre along the belt
     * @param viewLengthMm view length along the belt (the view spans the full belt width across)
     * @param widthPx      image width (across the belt)
     * @param heightPx     image height (along the belt, downstream = increasing y)
     * @param fps          nominal frame rate (informational: frames are rendered on demand)
     * @param exposureMs   exposure time; motion blur = speed x exposure
     * @param blur         optical blur radius in pixels
     * @param noise        sensor noise standard deviation in 8-bit levels
     */
    public record CameraSpec(String id, CameraKind kind, double positionMm, double viewLengthMm, int widthPx,
                             int heightPx, double fps, double exposureMs, double blur, double noise) {
        /** @return world position of the upstream edge of the view */
        public double viewStartMm() {
            return positionMm - viewLengthMm / 2;
        }

        /** @return world position of the downstream edge of the view */
        public double viewEndMm() {
            return positionMm + viewLengthMm / 2;
        }
    }

    /**
     * @param positionMm  world position of the nozzle line, downstream of every camera view
     * @param count       number of valves
     * @param pitchMm     lateral distance between valves; valve i nominally covers [i*pitch, (i+1)*pitch)
     * @param latencyMs   delay from the open/close command to air arriving at/leaving the belt
     * @param jitterMs    standard deviation of that delay, per edge
     * @param footprintMm diameter of one jet on the belt: its length along the belt, and its width
     *                    across when larger than the pitch
     */
    public record NozzleBar(double positionMm, int count, double pitchMm, double latencyMs, double jitterMs,
                            double footprintMm) {
    }

    /**
     * @param brightness overall gain, 1 = nominal
     * @param variation  relative frame-to-frame and slow drift of the illumination
     * @param vignetting relative darkening of the image corners
     */
    public record Lighting(double brightness, double variation, double vignetting) {
    }

    /** @return this scenario with another seed */
    public Scenario withSeed(final long newSeed) {
        return new Scenario(name, newSeed, durationSeconds, belt, product, contaminants, cameras, nozzleBar, lighting);
    }

    /** @return the camera with this id */
    public CameraSpec camera(final String id) {
        for (final CameraSpec c : cameras) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no camera '" + id + "' in scenario '" + name + "', cameras: "
                + cameras.stream().map(CameraSpec::id).toList());
    }

    // ------------------------------------------------------------------ loading

    /**
     * @param file a {@code .yaml}, {@code .yml} or {@code .json} file
     * @return the scenario
     * @throws ScenarioException    for invalid content
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Scenario load(final Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read scenario " + file, e);
        }
    }

    /**
     * @param name one of {@link #NAMED}
     * @return the shipped scenario
     */
    public static Scenario named(final String name) {
        if (!NAMED.contains(name)) {
            throw new IllegalArgumentException("no shipped scenario '" + name + "', available: " + NAMED);
        }
        try (InputStream in = Scenario.class.getResourceAsStream("/scenarios/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("scenario resource missing: /scenarios/" + name + ".yaml");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param text YAML or JSON (JSON is valid YAML), never null
     * @return the scenario
     * @throws ScenarioException naming the offending key
     */
    public static Scenario parse(final String text) {
        final JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (final JsonProcessingException e) {
            throw new ScenarioException("", "not valid YAML/JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new ScenarioException("", "the scenario is empty");
        }
        return fromTree(new StrictNode(root, ""));
    }

    private static Scenario fromTree(final StrictNode r) {
        final String name = r.string("name", "scenario");
        final long seed = r.longValue("seed", 1L);
        final double duration = r.number("durationSeconds", 60, 0.001, 86_400);

        final StrictNode b = r.object("belt");
        final double width = b.number("widthMm", 1000, 100, 5000);
        final double speed = b.number("speedMps", 3.0, 0.05, 10);
        final double mmPerCount = b.number("encoderMmPerCount", 0.1, 0.001, 100);
        int beltColour = Belt.DEFAULT_COLOUR;
        if (b.has("colour")) {
            final JsonNode v = b.raw("colour");
            if (!v.isTextual() || !COLOUR.matcher(v.asText()).matches()) {
                throw new ScenarioException(b.key("colour"), "expected \"#RRGGBB\", got " + StrictNode.describe(v));
            }
            beltColour = Integer.parseInt(v.asText().substring(1), 16);
        }
        final Belt belt = new Belt(width, speed, mmPerCount, beltColour);
        b.finish();

        final StrictNode p = r.object("product");
        double tuftMin = 20;
        double tuftMax = 60;
        final List<JsonNode> sizes = p.list("tuftSizeMm");
        if (sizes != null) {
            final String key = p.key("tuftSizeMm");
            if (sizes.size() != 2) {
                throw new ScenarioException(key, "expected [min, max], got " + sizes.size() + " values");
            }
            tuftMin = StrictNode.checkRange(key + "[0]", StrictNode.toNumber(key + "[0]", sizes.get(0)), 2, 300);
            tuftMax = StrictNode.checkRange(key + "[1]", StrictNode.toNumber(key + "[1]", sizes.get(1)), 2, 300);
            if (tuftMin > tuftMax) {
                throw new ScenarioException(key, "min " + StrictNode.fmt(tuftMin) + " is greater than max " + StrictNode.fmt(tuftMax));
            }
        }
        final Product product = new Product(p.number("tuftsPerSecond", 300, 0, 5000), tuftMin, tuftMax,
                p.number("shadeVariation", 0.08, 0, 1), p.number("density", 0.7, 0, 1));
        p.finish();

        final Contaminants contaminants = contaminants(r.object("contaminants"));
        final List<CameraSpec> cameras = cameras(r, belt);

        double lastViewEnd = 0;
        for (final CameraSpec c : cameras) {
            lastViewEnd = Math.max(lastViewEnd, c.viewEndMm());
        }
        final StrictNode n = r.object("nozzleBar");
        final double barPos = n.number("positionMm", lastViewEnd + 500, 0, 100_000);
        if (barPos <= lastViewEnd) {
            throw new ScenarioException(n.key("positionMm"), "value " + StrictNode.fmt(barPos)
                    + " must be downstream of every camera view (> " + StrictNode.fmt(lastViewEnd) + ")");
        }
        final int count = n.integer("count", 32, 1, 256);
        final double pitch = n.number("pitchMm", width / count, 1, width);
        if (count * pitch > width + 1e-6) {
            throw new ScenarioException(n.key("pitchMm"), "count x pitch = " + StrictNode.fmt(count * pitch)
                    + " mm is wider than the belt (" + StrictNode.fmt(width) + " mm)");
        }
        final NozzleBar bar = new NozzleBar(barPos, count, pitch, n.number("latencyMs", 5, 0, 100),
                n.number("jitterMs", 0.3, 0, 20), n.number("footprintMm", pitch, 1, 500));
        n.finish();

        final StrictNode l = r.object("lighting");
        final Lighting lighting = new Lighting(l.number("brightness", 1.0, 0.2, 2.0), l.number("variation", 0.05, 0, 0.5),
                l.number("vignetting", 0.15, 0, 0.8));
        l.finish();
        r.finish();
        return new Scenario(name, seed, duration, belt, product, contaminants, cameras, bar, lighting);
    }

    private static Contaminants contaminants(final StrictNode c) {
        final double perSecond = c.number("perSecond", 2, 0, 1000);
        final Map<ContaminantClass, Double> mix = new EnumMap<>(ContaminantClass.class);
        if (c.has("mix")) {
            final StrictNode m = c.object("mix");
            for (final String wire : m.fieldNames()) {
                mix.put(classOf(m.key(wire), wire), m.number(wire, 0, 0, 1000));
            }
            m.finish();
        } else {
            c.raw("mix");
            for (final ContaminantClass cls : ContaminantClass.values()) {
                mix.put(cls, 1.0);
            }
        }
        if (perSecond > 0 && mix.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
            throw new ScenarioException(c.key("mix"), "needs at least one class with a positive weight when perSecond > 0");
        }
        final Map<ContaminantClass, List<Integer>> palettes = new EnumMap<>(ContaminantClass.class);
        if (c.has("palettes")) {
            final StrictNode m = c.object("palettes");
            for (final String wire : m.fieldNames()) {
                final String key = m.key(wire);
                final ContaminantClass cls = classOf(key, wire);
                final List<JsonNode> colours = m.list(wire);
                if (colours == null || colours.isEmpty()) {
                    throw new ScenarioException(key, "expected a non-empty list of \"#RRGGBB\" colours");
                }
                final List<Integer> rgb = new ArrayList<>();
                for (final JsonNode v : colours) {
                    if (!v.isTextual() || !COLOUR.matcher(v.asText()).matches()) {
                        throw new ScenarioException(key, "expected \"#RRGGBB\", got " + StrictNode.describe(v));
                    }
                    rgb.add(Integer.parseInt(v.asText().substring(1), 16));
                }
                palettes.put(cls, rgb);
            }
            m.finish();
        } else {
            c.raw("palettes");
        }
        final Contaminants out = new Contaminants(perSecond, mix, c.number("sizeScale", 1.0, 0.1, 10), palettes);
        c.finish();
        return out;
    }

    private static ContaminantClass classOf(final String key, final String wire) {
        try {
            return ContaminantClass.fromWire(wire);
        } catch (final IllegalArgumentException e) {
            throw new ScenarioException(key, e.getMessage());
        }
    }

    private static List<CameraSpec> cameras(final StrictNode r, final Belt belt) {
        final List<JsonNode> list = r.list("cameras");
        if (list == null || list.isEmpty()) {
            throw new ScenarioException("cameras", "at least one camera is required");
        }
        final List<CameraSpec> out = new ArrayList<>();
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            final StrictNode c = new StrictNode(list.get(i), "cameras[" + i + "]");
            final String id = c.string("id", null);
            if (!ID.matcher(id).matches()) {
                throw new ScenarioException(c.key("id"), "'" + id + "' must match " + ID.pattern());
            }
            if (!ids.add(id)) {
                throw new ScenarioException(c.key("id"), "duplicate camera id '" + id + "'");
            }
            final String kindText = c.string("kind", "colour");
            final CameraKind kind;
            if ("colour".equals(kindText)) {
                kind = CameraKind.COLOUR;
            } else if ("uv".equals(kindText)) {
                kind = CameraKind.UV;
            } else {
                throw new ScenarioException(c.key("kind"), "unknown kind '" + kindText + "', allowed: [colour, uv]");
            }
            final int w = c.integer("widthPx", 320, 16, 4096);
            final int h = c.integer("heightPx", 240, 16, 4096);
            final double position = c.requiredNumber("positionMm", 0, 100_000);
            // Default view length keeps pixels square: the view spans the full belt width across.
            final double viewLength = c.number("viewLengthMm", belt.widthMm() * h / w, 10, 10_000);
            if (position - viewLength / 2 < 0) {
                throw new ScenarioException(c.key("positionMm"), "value " + StrictNode.fmt(position)
                        + " puts the view start before the belt origin (needs >= viewLengthMm/2 = "
                        + StrictNode.fmt(viewLength / 2) + ")");
            }
            out.add(new CameraSpec(id, kind, position, viewLength, w, h, c.number("fps", 30, 0.1, 1000),
                    c.number("exposureMs", 1.0, 0, 100), c.number("blur", 0.5, 0, 8), c.number("noise", 3, 0, 64)));
            c.finish();
        }
        return out;
    }
}
