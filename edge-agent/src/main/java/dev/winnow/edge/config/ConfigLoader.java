package dev.winnow.edge.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@link AgentConfig} strictly: an unknown key, a wrong type or a value out of range stops
 * the agent with a {@link ConfigException} whose message starts with the key's path, e.g.
 * {@code cameras[0].threads: value 0 is out of range [1, 16]}.
 */
public final class ConfigLoader {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static AgentConfig load(final Path file) throws IOException {
        return parse(Files.readString(file), file.getParent() == null ? Path.of(".") : file.getParent());
    }

    /** @param base folder that relative paths in the file are resolved against */
    public static AgentConfig parse(final String yaml, final Path base) {
        final JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (final IOException e) {
            throw new ConfigException("not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("the configuration must be a YAML mapping");
        }
        final Node r = new Node(root, "");
        r.only("site", "line", "device", "hardware", "cameras", "belt", "nozzleBar", "decision", "failSafe",
                "audit", "stallTimeoutMs", "statsIntervalSeconds", "realtimeTimer", "mqtt", "models");
        final String site = r.name("site", null);
        final String line = r.name("line", null);
        final String device = r.name("device", "pi-" + line);
        final AgentConfig.Hardware hw = r.oneOf("hardware", AgentConfig.Hardware.class, AgentConfig.Hardware.PI);

        final Node belt = r.object("belt");
        belt.only("widthMm", "speedMps", "encoder", "encoderMmPerCount");
        final double widthMm = belt.number("widthMm", 1000, 100, 5000);
        final double speed = belt.number("speedMps", 3.0, 0.05, 10);
        final boolean encoder = belt.bool("encoder", true);
        final double mmPerCount = belt.number("encoderMmPerCount", 0.1, 0.001, 100);

        final Node nb = r.object("nozzleBar");
        nb.only("positionMm", "count", "pitchMm", "leftEdgeMm", "latencyMs", "marginAlongMm", "marginAcrossMm",
                "maxOnMs", "mergeGapMs");
        final double barPos = nb.number("positionMm", Double.NaN, 1, 100_000);
        final int count = nb.integer("count", 12, 1, 512);
        final double pitch = nb.number("pitchMm", widthMm / count, 1, widthMm);
        if (count * pitch > widthMm + 1e-6) {
            throw new ConfigException(nb.path("pitchMm") + ": " + count + " nozzles × " + pitch
                    + " mm do not fit the belt width " + widthMm + " mm");
        }
        final AgentConfig.NozzleBar bar = new AgentConfig.NozzleBar(barPos, count, pitch,
                nb.number("leftEdgeMm", 0, 0, widthMm), nb.number("latencyMs", 5, 0, 100),
                nb.number("marginAlongMm", 8, 0, 500), nb.number("marginAcrossMm", 0, 0, 500),
                nb.number("maxOnMs", 250, 1, 5000), nb.number("mergeGapMs", 2, 0, 100));

        final Node dec = r.object("decision");
        dec.only("minConfidence", "minSightings", "minSightingsByClass", "minSeenOverMmByClass",
                "minMeanConfidenceByClass", "sureMeanConfidenceByClass", "trackGateMm", "escapeAlarmRate");
        final AgentConfig.Line ls = new AgentConfig.Line(widthMm, speed, encoder, mmPerCount, bar,
                dec.number("minConfidence", 0.5, 0, 1), dec.integer("minSightings", 2, 1, 100),
                dec.number("trackGateMm", 10, 0, 500),
                r.oneOf("failSafe", AgentConfig.FailSafe.class, AgentConfig.FailSafe.ALARM), r.bool("audit", false),
                r.number("stallTimeoutMs", 2000, 50, 600_000), dec.number("escapeAlarmRate", 0.02, 0, 1),
                r.number("statsIntervalSeconds", 5, 0.1, 3600), r.bool("realtimeTimer", true),
                sightingsByClass(dec.object("minSightingsByClass")),
                seenOverByClass(dec.object("minSeenOverMmByClass")),
                meanConfidenceByClass(dec.object("minMeanConfidenceByClass")),
                sureMeanConfidenceByClass(dec.object("sureMeanConfidenceByClass")));

        final List<AgentConfig.Camera> cameras = new ArrayList<>();
        final JsonNode cams = root.get("cameras");
        if (cams == null || !cams.isArray() || cams.isEmpty()) {
            throw new ConfigException("cameras: at least one camera is required");
        }
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < cams.size(); i++) {
            final Node c = new Node(cams.get(i), "cameras[" + i + "]");
            if (!cams.get(i).isObject()) {
                throw new ConfigException(c.at + ": must be a mapping");
            }
            c.only("id", "kind", "source", "calibration", "model", "threads", "audit", "classical");
            final String id = c.name("id", null);
            if (!ids.add(id)) {
                throw new ConfigException(c.path("id") + ": camera '" + id + "' is defined twice");
            }
            final Node s = c.object("source");
            if (s.node == null) {
                throw new ConfigException(c.path("source") + ": required");
            }
            s.only("type", "device", "url", "path", "scenario", "fps", "width", "height", "loop", "crop");
            final AgentConfig.SourceType type = s.oneOf("type", AgentConfig.SourceType.class, null);
            final String url = s.text("url", null);
            if (type == AgentConfig.SourceType.URL && (url == null || !url.matches("(?i)(rtsp|rtsps|http|https)://.+"))) {
                throw new ConfigException(s.path("url") + ": an rtsp:// or http(s):// URL is required for type url");
            }
            final String dev = s.text("device", type == AgentConfig.SourceType.V4L2 ? "/dev/video0" : null);
            final String p = s.text("path", null);
            if ((type == AgentConfig.SourceType.FILE || type == AgentConfig.SourceType.FOLDER) && p == null) {
                throw new ConfigException(s.path("path") + ": required for type " + type.name().toLowerCase(Locale.ROOT));
            }
            final String scenario = s.text("scenario", type == AgentConfig.SourceType.VIRTUAL ? "demo" : null);
            final int width = s.integer("width", 0, 0, 8192);
            final int height = s.integer("height", 0, 0, 8192);
            if ((width == 0) != (height == 0)) {
                throw new ConfigException(s.path(width == 0 ? "width" : "height")
                        + ": width and height are set together (or both left out to keep the camera's size)");
            }
            dev.winnow.edge.camera.FrameShape.Crop crop = null;
            if (s.get("crop") != null) {
                final double[] rect = s.numbers("crop", 4);
                for (int k = 0; k < 4; k++) {
                    if (rect[k] != Math.rint(rect[k]) || rect[k] < (k < 2 ? 0 : 8) || rect[k] > 16_384) {
                        throw new ConfigException(s.path("crop") + "[" + k + "]: " + Node.fmt(rect[k]) + " is not "
                                + (k < 2 ? "a whole number of pixels from 0 to 16384 (left, top)"
                                        : "a whole number of pixels from 8 to 16384 (width, height)"));
                    }
                }
                crop = new dev.winnow.edge.camera.FrameShape.Crop((int) rect[0], (int) rect[1], (int) rect[2], (int) rect[3]);
            }
            if (type == AgentConfig.SourceType.VIRTUAL && (crop != null || width > 0)) {
                throw new ConfigException(s.path(crop != null ? "crop" : "width") + ": a virtual camera is rendered "
                        + "at its scenario's size; crop and scale apply to real cameras, files and folders");
            }
            final AgentConfig.Source src = new AgentConfig.Source(type, dev, url, p == null ? null : base.resolve(p),
                    scenario, s.number("fps", 30, 0.1, 1000), width, height, s.bool("loop", false), crop);
            double[] px = null;
            double[] mm = null;
            final Node cal = c.object("calibration");
            if (cal.node != null) {
                cal.only("pixels", "belt");
                px = cal.numbers("pixels", 8);
                mm = cal.numbers("belt", 8);
            } else if (type != AgentConfig.SourceType.VIRTUAL) {
                throw new ConfigException(c.path("calibration") + ": required (four image points and their belt mm)");
            }
            final String model = c.text("model", null);
            cameras.add(new AgentConfig.Camera(id, c.oneOf("kind", AgentConfig.CameraKind.class,
                    AgentConfig.CameraKind.COLOUR), src, px, mm, model == null ? null : base.resolve(model),
                    c.integer("threads", 1, 1, 16), c.bool("audit", false), c.bool("classical", false)));
        }
        final boolean anyVirtual = cameras.stream().anyMatch(c -> c.source().type() == AgentConfig.SourceType.VIRTUAL);
        if (anyVirtual != (hw == AgentConfig.Hardware.VIRTUAL)
                || anyVirtual && cameras.stream().anyMatch(c -> c.source().type() != AgentConfig.SourceType.VIRTUAL)) {
            throw new ConfigException("hardware: 'virtual' goes with virtual cameras only, and virtual cameras with it");
        }
        if (Double.isNaN(barPos)) {
            throw new ConfigException("nozzleBar.positionMm: required");
        }

        final Node mq = r.object("mqtt");
        AgentConfig.Mqtt mqtt = null;
        if (mq.node != null) {
            mq.only("url", "username", "password", "stateDir", "httpUrl");
            final String url = mq.text("url", null);
            if (url == null || !url.matches("(tcp|ssl|ws|wss)://[^/]+(:\\d+)?/?")) {
                throw new ConfigException(mq.path("url") + ": a broker URL like tcp://host:1883 is required");
            }
            final String state = mq.text("stateDir", "winnow-data/agent-" + device);
            final String httpUrl = mq.text("httpUrl", null);
            if (httpUrl != null && !httpUrl.matches("(?i)https?://[^\\s/]+(:\\d+)?(/\\S*)?")) {
                throw new ConfigException(mq.path("httpUrl") + ": the control server's web address, like "
                        + "https://winnow.mill.lan/, is required here; got '" + httpUrl + "'");
            }
            mqtt = new AgentConfig.Mqtt(url, mq.text("username", null), mq.text("password", null), base.resolve(state),
                    httpUrl);
        }
        final Node mo = r.object("models");
        mo.only("signingKey", "store");
        final String key = mo.text("signingKey", null);
        final String store = mo.text("store", null);
        final Path stateDir = mqtt != null ? mqtt.stateDir() : base.resolve("winnow-data/agent-" + device);
        final Path defaultKey = stateDir.resolve("model-signing.pub");
        final AgentConfig.Models models = new AgentConfig.Models(
                key != null ? base.resolve(key) : java.nio.file.Files.isRegularFile(defaultKey) ? defaultKey : null,
                store != null ? base.resolve(store) : stateDir.resolve("models"));
        return new AgentConfig(site, line, device, hw, List.copyOf(cameras), ls, mqtt, models);
    }

    /**
     * A mapping of class name to value ({@code decision.*ByClass}): {@code dflt} when absent, every key checked as a
     * class name and every value by {@code value}.
     */
    private static <V> Map<String, V> byClass(final Node n, final Map<String, V> dflt,
                                              final java.util.function.BiFunction<Node, String, V> value) {
        if (n.node == null) {
            return dflt;
        }
        final Map<String, V> out = new java.util.TreeMap<>();
        for (final String cls : n.keys()) {
            if (!cls.matches("[a-z][a-z0-9_-]*")) {
                throw new ConfigException(n.path(cls) + ": not a class name (lower case letters, digits, _ and -, "
                        + "as the model card's classes)");
            }
            out.put(cls, value.apply(n, cls));
        }
        return out;
    }

    private static Map<String, Integer> sightingsByClass(final Node n) {
        return byClass(n, AgentConfig.DEFAULT_SIGHTINGS_BY_CLASS, (node, cls) -> node.integer(cls, 2, 1, 100));
    }

    private static Map<String, Double> seenOverByClass(final Node n) {
        return byClass(n, AgentConfig.DEFAULT_SEEN_OVER_MM_BY_CLASS, (node, cls) -> node.number(cls, 0, 0, 5000));
    }

    private static Map<String, Double> sureMeanConfidenceByClass(final Node n) {
        // At 0 every object of the class would be "sure" and its other demands would never apply.
        return byClass(n, AgentConfig.DEFAULT_SURE_MEAN_CONFIDENCE_BY_CLASS,
                (node, cls) -> node.number(cls, 1, 0.5, 1));
    }

    private static Map<String, Double> meanConfidenceByClass(final Node n) {
        // Absent: each model's card brings its own.
        return byClass(n, Map.of(), (node, cls) -> node.number(cls, 0, 0, 1));
    }

    /** A node and its path, with typed, range-checked getters. */
    private static final class Node {
        final JsonNode node;
        final String at;

        Node(final JsonNode node, final String at) {
            this.node = node;
            this.at = at;
        }

        String path(final String key) {
            return at.isEmpty() ? key : at + "." + key;
        }

        /** Every key of this mapping (none when absent). */
        List<String> keys() {
            final List<String> out = new ArrayList<>();
            if (node != null) {
                node.fieldNames().forEachRemaining(out::add);
            }
            return out;
        }

        Node object(final String key) {
            final JsonNode n = node == null ? null : node.get(key);
            if (n != null && !n.isObject()) {
                throw new ConfigException(path(key) + ": must be a mapping");
            }
            return new Node(n, path(key));
        }

        void only(final String... keys) {
            if (node == null) {
                return;
            }
            final Set<String> allowed = Set.of(keys);
            for (final Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                final String k = it.next();
                if (!allowed.contains(k)) {
                    throw new ConfigException(path(k) + ": unknown key (allowed: " + String.join(", ", keys) + ")");
                }
            }
        }

        private JsonNode get(final String key) {
            final JsonNode n = node == null ? null : node.get(key);
            return n == null || n.isNull() ? null : n;
        }

        double number(final String key, final double dflt, final double min, final double max) {
            final JsonNode n = get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isNumber()) {
                throw new ConfigException(path(key) + ": must be a number, got '" + n.asText() + "'");
            }
            final double v = n.asDouble();
            if (!(v >= min && v <= max)) {
                throw new ConfigException(path(key) + ": value " + n.asText() + " is out of range [" + fmt(min) + ", "
                        + fmt(max) + "]");
            }
            return v;
        }

        int integer(final String key, final int dflt, final int min, final int max) {
            final JsonNode n = get(key);
            if (n != null && !n.isIntegralNumber()) {
                throw new ConfigException(path(key) + ": must be a whole number, got '" + n.asText() + "'");
            }
            return (int) number(key, dflt, min, max);
        }

        boolean bool(final String key, final boolean dflt) {
            final JsonNode n = get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw new ConfigException(path(key) + ": must be true or false, got '" + n.asText() + "'");
            }
            return n.asBoolean();
        }

        String text(final String key, final String dflt) {
            final JsonNode n = get(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isTextual() && !n.isNumber()) {
                throw new ConfigException(path(key) + ": must be text");
            }
            return n.asText();
        }

        String name(final String key, final String dflt) {
            final String v = text(key, dflt);
            if (v == null) {
                throw new ConfigException(path(key) + ": required");
            }
            if (!NAME.matcher(v).matches()) {
                throw new ConfigException(path(key) + ": '" + v + "' must match " + NAME.pattern());
            }
            return v;
        }

        <E extends Enum<E>> E oneOf(final String key, final Class<E> type, final E dflt) {
            final String v = text(key, null);
            if (v == null) {
                if (dflt == null) {
                    throw new ConfigException(path(key) + ": required");
                }
                return dflt;
            }
            final StringBuilder names = new StringBuilder();
            for (final E e : type.getEnumConstants()) {
                final String wire = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
                if (wire.equals(v)) {
                    return e;
                }
                names.append(names.length() == 0 ? "" : " | ").append(wire);
            }
            throw new ConfigException(path(key) + ": '" + v + "' is not one of " + names);
        }

        double[] numbers(final String key, final int n) {
            final JsonNode a = get(key);
            if (a == null || !a.isArray() || a.size() != n) {
                throw new ConfigException(path(key) + ": must be a list of exactly " + n + " numbers");
            }
            final double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                if (!a.get(i).isNumber()) {
                    throw new ConfigException(path(key) + "[" + i + "]: must be a number");
                }
                out[i] = a.get(i).asDouble();
            }
            return out;
        }

        static String fmt(final double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
