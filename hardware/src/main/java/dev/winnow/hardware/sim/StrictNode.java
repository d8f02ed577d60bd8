package dev.winnow.hardware.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A strict reader over one mapping of a scenario tree: it remembers which keys were read so that
 * {@link #finish()} can reject the rest by name (a typo must not silently become a default).
 */
final class StrictNode {

    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    StrictNode(final JsonNode node, final String path) {
        this.node = node;
        this.path = path;
        if (node == null || !node.isObject()) {
            throw new ScenarioException(path, "expected a mapping, got " + describe(node));
        }
    }

    String key(final String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean has(final String name) {
        final JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    JsonNode raw(final String name) {
        read.add(name);
        final JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    StrictNode object(final String name) {
        final JsonNode v = raw(name);
        return new StrictNode(v == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : v, key(name));
    }

    String string(final String name, final String fallback) {
        final JsonNode v = raw(name);
        if (v == null) {
            if (fallback == null) {
                throw new ScenarioException(key(name), "is required");
            }
            return fallback;
        }
        if (!v.isTextual()) {
            throw new ScenarioException(key(name), "expected a string, got " + describe(v));
        }
        return v.asText();
    }

    double number(final String name, final double fallback, final double min, final double max) {
        final JsonNode v = raw(name);
        if (v == null) {
            return fallback;
        }
        return checkRange(key(name), toNumber(key(name), v), min, max);
    }

    double requiredNumber(final String name, final double min, final double max) {
        final JsonNode v = raw(name);
        if (v == null) {
            throw new ScenarioException(key(name), "is required");
        }
        return checkRange(key(name), toNumber(key(name), v), min, max);
    }

    int integer(final String name, final int fallback, final int min, final int max) {
        final JsonNode v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw new ScenarioException(key(name), "expected a whole number, got " + describe(v));
        }
        return (int) checkRange(key(name), v.asDouble(), min, max);
    }

    long longValue(final String name, final long fallback) {
        final JsonNode v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ScenarioException(key(name), "expected a whole number (64-bit), got " + describe(v));
        }
        return v.asLong();
    }

    List<JsonNode> list(final String name) {
        final JsonNode v = raw(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw new ScenarioException(key(name), "expected a list, got " + describe(v));
        }
        final List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    List<String> fieldNames() {
        final List<String> out = new ArrayList<>();
        final Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    void finish() {
        for (final String name : fieldNames()) {
            if (!read.contains(name)) {
                throw new ScenarioException(key(name), "unknown key '" + name + "'"
                        + (path.isEmpty() ? "" : " in " + path));
            }
        }
    }

    static double toNumber(final String key, final JsonNode v) {
        if (!v.isNumber()) {
            throw new ScenarioException(key, "expected a number, got " + describe(v));
        }
        final double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw new ScenarioException(key, "must be finite, got " + d);
        }
        return d;
    }

    static double checkRange(final String key, final double value, final double min, final double max) {
        if (!(value >= min && value <= max)) {
            throw new ScenarioException(key, "value " + fmt(value) + " is out of range [" + fmt(min) + ", " + fmt(max) + "]");
        }
        return value;
    }

    static String fmt(final double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }

    static String describe(final JsonNode v) {
        if (v == null || v.isNull()) {
            return "nothing";
        }
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        if (v.isContainerNode()) {
            return v.isArray() ? "a list" : "a mapping";
        }
        return v.toString();
    }
}
