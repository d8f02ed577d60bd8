package dev.winnow.models.card;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strict reader of {@code model.json}. Hand-walks the JSON tree instead of data-binding because every error
 * must name the dotted key path, and because unknown keys must fail (a typo such as {@code colorOrder}
 * silently ignored would feed the model the wrong channels on the line).
 */
final class ModelCardParser {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> TOP = Set.of("name", "version", "task", "input", "classes", "confidence",
            "thresholds", "nmsIou", "decoder", "maxDetections", "classMap", "tiles", "sha256", "description", "decision");
    private static final Set<String> INPUT = Set.of("width", "height", "layout", "channels", "colourOrder",
            "letterbox", "padValue", "resize", "normalisation");
    private static final Set<String> NORM = Set.of("scale", "mean", "std");
    private static final Set<String> CLASS_MAP = Set.of("connectivity", "minArea");
    private static final Set<String> TILES = Set.of("cols", "rows", "activation", "ignore");
    private static final Set<String> DECISION = Set.of("minMeanConfidence", "verify");

    private ModelCardParser() {
    }

    static ModelCard parse(final InputStream in) throws IOException {
        final JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (final JsonProcessingException e) {
            throw new InvalidModelCardException("model card is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromTree(root);
    }

    static ModelCard parse(final String json) {
        final JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (final JsonProcessingException e) {
            throw new InvalidModelCardException("model card is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromTree(root);
    }

    private static ModelCard fromTree(final JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidModelCardException("model card must be a JSON object", (Throwable) null);
        }
        checkKeys(root, "", TOP);
        final String name = token(root, "name", "name");
        final String version = text(root, "version", "version");
        if (version.isBlank()) {
            throw new InvalidModelCardException("version", "must not be blank");
        }
        final Task task = Task.parse("task", text(root, "task", "task"));
        final InputSpec input = input(required(root, "input", "input"));
        final List<String> classes = classes(required(root, "classes", "classes"));
        final double confidence = optNumber(root, "confidence", "confidence", 0.25, 0.0, 1.0);
        final List<Double> thresholds = thresholds(root.get("thresholds"), classes, confidence);
        final double nmsIou = optNumber(root, "nmsIou", "nmsIou", 0.45, 1e-6, 1.0);
        final DecoderKind decoder = DecoderKind.parse("decoder", text(root, "decoder", "decoder"));
        checkTaskDecoder(task, decoder);
        final int maxDetections = (int) optInt(root, "maxDetections", "maxDetections", 300, 1, 10_000);
        final ClassMapSpec classMap = classMap(root.get("classMap"), decoder);
        final TileSpec tiles = tiles(root.get("tiles"), decoder, classes);
        final Optional<String> sha = Optional.ofNullable(root.get("sha256")).map(n -> {
            if (!n.isTextual() || !n.asText().matches("[0-9a-fA-F]{64}")) {
                throw new InvalidModelCardException("sha256", "must be 64 hexadecimal digits");
            }
            return n.asText().toLowerCase(Locale.ROOT);
        });
        final String description = root.has("description") ? text(root, "description", "description") : "";
        final Map<String, Double> minMeanConfidence = decision(root.get("decision"), classes);
        final Map<String, String> verify = verify(root.get("decision"), classes, task);
        return new ModelCard(name, version, task, input, classes, thresholds, nmsIou, decoder, maxDetections,
                classMap, tiles, sha, description, minMeanConfidence, verify);
    }

    private static void checkTaskDecoder(final Task task, final DecoderKind decoder) {
        final boolean ok = switch (task) {
            case DETECT -> decoder == DecoderKind.YOLO;
            case SEGMENT -> decoder == DecoderKind.CLASS_MAP;
            case CLASSIFY -> decoder == DecoderKind.TILE;
        };
        if (!ok) {
            throw new InvalidModelCardException("decoder", "'" + decoder.wire() + "' cannot decode task '"
                    + task.wire() + "' (detect uses yolo, segment uses class-map, classify uses tile)");
        }
    }

    private static InputSpec input(final JsonNode n) {
        requireObject(n, "input");
        checkKeys(n, "input.", INPUT);
        final int width = (int) intValue(required(n, "width", "input.width"), "input.width", 8, 8192);
        final int height = (int) intValue(required(n, "height", "input.height"), "input.height", 8, 8192);
        final String layout = text(n, "layout", "input.layout");
        if (!InputSpec.LAYOUT.equals(layout)) {
            throw new InvalidModelCardException("input.layout", "must be NCHW (the only layout supported) but is '"
                    + layout + "'");
        }
        final long channels = intValue(required(n, "channels", "input.channels"), "input.channels", 1, 64);
        if (channels != InputSpec.CHANNELS) {
            throw new InvalidModelCardException("input.channels", "must be 3 but is " + channels);
        }
        final String order = text(n, "colourOrder", "input.colourOrder");
        final ColourOrder colourOrder = switch (order) {
            case "rgb" -> ColourOrder.RGB;
            case "bgr" -> ColourOrder.BGR;
            default -> throw new InvalidModelCardException("input.colourOrder", "must be rgb or bgr but is '"
                    + order + "'");
        };
        final boolean letterbox = bool(required(n, "letterbox", "input.letterbox"), "input.letterbox");
        final int padValue = (int) optInt(n, "padValue", "input.padValue", 114, 0, 255);
        final ResizeMode resize;
        if (n.has("resize")) {
            final String r = text(n, "resize", "input.resize");
            resize = switch (r) {
                case "bilinear" -> ResizeMode.BILINEAR;
                case "nearest" -> ResizeMode.NEAREST;
                default -> throw new InvalidModelCardException("input.resize", "must be bilinear or nearest but is '"
                        + r + "'");
            };
        } else {
            resize = ResizeMode.BILINEAR;
        }
        final Normalisation norm = n.has("normalisation") ? normalisation(n.get("normalisation"))
                : Normalisation.ULTRALYTICS;
        return new InputSpec(width, height, colourOrder, letterbox, padValue, resize, norm);
    }

    private static Normalisation normalisation(final JsonNode n) {
        requireObject(n, "input.normalisation");
        checkKeys(n, "input.normalisation.", NORM);
        final double scale = optNumber(n, "scale", "input.normalisation.scale", 1.0 / 255.0, 1e-9, 1.0);
        final List<Double> mean = triple(n.get("mean"), "input.normalisation.mean", 0.0, -1e6, 1e6, false);
        final List<Double> std = triple(n.get("std"), "input.normalisation.std", 1.0, 0.0, 1e6, true);
        return new Normalisation(scale, mean, std);
    }

    private static List<Double> triple(final JsonNode n, final String key, final double dflt, final double min,
            final double max, final boolean positive) {
        if (n == null) {
            return List.of(dflt, dflt, dflt);
        }
        if (!n.isArray() || n.size() != 3) {
            throw new InvalidModelCardException(key, "must be an array of 3 numbers");
        }
        final List<Double> out = new ArrayList<>(3);
        for (int i = 0; i < 3; i++) {
            final JsonNode v = n.get(i);
            final String k = key + "[" + i + "]";
            if (!v.isNumber()) {
                throw new InvalidModelCardException(k, "must be a number");
            }
            final double d = v.asDouble();
            if (d < min || d > max || (positive && d <= 0.0)) {
                throw new InvalidModelCardException(k, "is " + d + ", out of range");
            }
            out.add(d);
        }
        return out;
    }

    private static List<String> classes(final JsonNode n) {
        if (!n.isArray() || n.isEmpty()) {
            throw new InvalidModelCardException("classes", "must be a non-empty array of class names");
        }
        if (n.size() > 1000) {
            throw new InvalidModelCardException("classes", "lists " + n.size() + " classes, more than 1000");
        }
        final List<String> out = new ArrayList<>(n.size());
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            final String key = "classes[" + i + "]";
            final JsonNode v = n.get(i);
            if (!v.isTextual() || !ModelCard.TOKEN.matcher(v.asText()).matches()) {
                throw new InvalidModelCardException(key, "must be a wire-style token like plastic_film but is "
                        + v);
            }
            if (!seen.add(v.asText())) {
                throw new InvalidModelCardException(key, "repeats class '" + v.asText() + "'");
            }
            out.add(v.asText());
        }
        return out;
    }

    private static List<Double> thresholds(final JsonNode n, final List<String> classes, final double dflt) {
        final List<Double> out = new ArrayList<>(classes.size());
        for (int i = 0; i < classes.size(); i++) {
            out.add(dflt);
        }
        if (n == null) {
            return out;
        }
        requireObject(n, "thresholds");
        final Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String key = "thresholds." + e.getKey();
            final int idx = classes.indexOf(e.getKey());
            if (idx < 0) {
                throw new InvalidModelCardException(key, "names a class that is not in 'classes' " + classes);
            }
            final JsonNode v = e.getValue();
            if (!v.isNumber() || v.asDouble() < 0.0 || v.asDouble() > 1.0) {
                throw new InvalidModelCardException(key, "must be a number in [0, 1] but is " + v);
            }
            out.set(idx, v.asDouble());
        }
        return out;
    }

    /** {@code decision.minMeanConfidence}: per class of this card, a number in [0, 1]. */
    private static Map<String, Double> decision(final JsonNode n, final List<String> classes) {
        if (n == null) {
            return Map.of();
        }
        requireObject(n, "decision");
        checkKeys(n, "decision.", DECISION);
        final JsonNode m = n.get("minMeanConfidence");
        if (m == null) {
            return Map.of();
        }
        requireObject(m, "decision.minMeanConfidence");
        final Map<String, Double> out = new java.util.TreeMap<>();
        final Iterator<Map.Entry<String, JsonNode>> it = m.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String key = "decision.minMeanConfidence." + e.getKey();
            if (!classes.contains(e.getKey())) {
                throw new InvalidModelCardException(key, "names a class that is not in 'classes' " + classes);
            }
            final JsonNode v = e.getValue();
            if (!v.isNumber() || v.asDouble() < 0.0 || v.asDouble() > 1.0) {
                throw new InvalidModelCardException(key, "must be a number in [0, 1] but is " + v);
            }
            out.put(e.getKey(), v.asDouble());
        }
        return out;
    }

    /** {@code decision.verify}: per class of this detection card, a plain sub-folder name (no path). */
    private static Map<String, String> verify(final JsonNode decision, final List<String> classes, final Task task) {
        final JsonNode m = decision == null ? null : decision.get("verify");
        if (m == null) {
            return Map.of();
        }
        requireObject(m, "decision.verify");
        if (task != Task.DETECT) {
            throw new InvalidModelCardException("decision.verify", "is only allowed for task detect");
        }
        final Map<String, String> out = new java.util.TreeMap<>();
        final Iterator<Map.Entry<String, JsonNode>> it = m.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String key = "decision.verify." + e.getKey();
            if (!classes.contains(e.getKey())) {
                throw new InvalidModelCardException(key, "names a class that is not in 'classes' " + classes);
            }
            final JsonNode v = e.getValue();
            if (!v.isTextual() || !ModelCard.TOKEN.matcher(v.asText()).matches()) {
                throw new InvalidModelCardException(key, "must be the name of a folder inside the model's folder, "
                        + "like feather-verifier, but is " + v);
            }
            for (final Map.Entry<String, String> o : out.entrySet()) {
                if (o.getValue().equals(v.asText())) {
                    throw new InvalidModelCardException(key, "names " + v.asText() + ", which decision.verify."
                            + o.getKey() + " names too: a verifier is a one-class model, one per class");
                }
            }
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    private static ClassMapSpec classMap(final JsonNode n, final DecoderKind decoder) {
        if (n == null) {
            return ClassMapSpec.DEFAULT;
        }
        if (decoder != DecoderKind.CLASS_MAP) {
            throw new InvalidModelCardException("classMap", "is only allowed with decoder class-map");
        }
        requireObject(n, "classMap");
        checkKeys(n, "classMap.", CLASS_MAP);
        final int conn = (int) optInt(n, "connectivity", "classMap.connectivity", 8, 4, 8);
        if (conn != 4 && conn != 8) {
            throw new InvalidModelCardException("classMap.connectivity", "must be 4 or 8 but is " + conn);
        }
        final int minArea = (int) optInt(n, "minArea", "classMap.minArea", 1, 1, 1_000_000);
        return new ClassMapSpec(conn, minArea);
    }

    private static TileSpec tiles(final JsonNode n, final DecoderKind decoder, final List<String> classes) {
        if (n == null) {
            return TileSpec.DEFAULT;
        }
        if (decoder != DecoderKind.TILE) {
            throw new InvalidModelCardException("tiles", "is only allowed with decoder tile");
        }
        requireObject(n, "tiles");
        checkKeys(n, "tiles.", TILES);
        final int cols = (int) optInt(n, "cols", "tiles.cols", 1, 1, 1024);
        final int rows = (int) optInt(n, "rows", "tiles.rows", 1, 1, 1024);
        TileSpec.Activation act = TileSpec.Activation.SOFTMAX;
        if (n.has("activation")) {
            final String a = text(n, "activation", "tiles.activation");
            act = switch (a) {
                case "none" -> TileSpec.Activation.NONE;
                case "sigmoid" -> TileSpec.Activation.SIGMOID;
                case "softmax" -> TileSpec.Activation.SOFTMAX;
                default -> throw new InvalidModelCardException("tiles.activation",
                        "must be none, sigmoid or softmax but is '" + a + "'");
            };
        }
        int ignore = -1;
        if (n.has("ignore")) {
            final String c = text(n, "ignore", "tiles.ignore");
            ignore = classes.indexOf(c);
            if (ignore < 0) {
                throw new InvalidModelCardException("tiles.ignore", "names '" + c + "', not one of " + classes);
            }
        }
        return new TileSpec(cols, rows, act, ignore);
    }

    // ---- small strict accessors; each error names the dotted key ----

    private static void checkKeys(final JsonNode n, final String prefix, final Set<String> allowed) {
        final Iterator<String> it = n.fieldNames();
        while (it.hasNext()) {
            final String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidModelCardException(prefix + k, "is not a known key (allowed: "
                        + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    private static JsonNode required(final JsonNode n, final String field, final String key) {
        final JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidModelCardException(key, "is required");
        }
        return v;
    }

    private static void requireObject(final JsonNode n, final String key) {
        if (!n.isObject()) {
            throw new InvalidModelCardException(key, "must be an object");
        }
    }

    private static String text(final JsonNode n, final String field, final String key) {
        final JsonNode v = required(n, field, key);
        if (!v.isTextual()) {
            throw new InvalidModelCardException(key, "must be a string but is " + v);
        }
        return v.asText();
    }

    private static String token(final JsonNode n, final String field, final String key) {
        final String s = text(n, field, key);
        if (!ModelCard.TOKEN.matcher(s).matches()) {
            throw new InvalidModelCardException(key, "must be a wire-style token (a-z, 0-9, _ or -) but is '"
                    + s + "'");
        }
        return s;
    }

    private static boolean bool(final JsonNode v, final String key) {
        if (!v.isBoolean()) {
            throw new InvalidModelCardException(key, "must be true or false but is " + v);
        }
        return v.asBoolean();
    }

    private static long intValue(final JsonNode v, final String key, final long min, final long max) {
        if (!v.isIntegralNumber()) {
            throw new InvalidModelCardException(key, "must be an integer but is " + v);
        }
        final long l = v.asLong();
        if (l < min || l > max) {
            throw new InvalidModelCardException(key, "is " + l + ", out of range [" + min + ", " + max + "]");
        }
        return l;
    }

    private static long optInt(final JsonNode n, final String field, final String key, final long dflt,
            final long min, final long max) {
        final JsonNode v = n.get(field);
        return v == null ? dflt : intValue(v, key, min, max);
    }

    private static double optNumber(final JsonNode n, final String field, final String key, final double dflt,
            final double min, final double max) {
        final JsonNode v = n.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new InvalidModelCardException(key, "must be a number but is " + v);
        }
        final double d = v.asDouble();
        if (d < min || d > max) {
            throw new InvalidModelCardException(key, "is " + d + ", out of range [" + min + ", " + max + "]");
        }
        return d;
    }
}
