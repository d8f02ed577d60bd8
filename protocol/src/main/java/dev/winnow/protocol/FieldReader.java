package dev.winnow.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one JSON object field by field, stopping at the first broken rule. Tracks which fields
 * were read so that unknown ones are refused rather than silently ignored.
 */
final class FieldReader {

    /** Thrown inside the codec only; always turned into a {@link DecodeError} before leaving it. */
    static final class Invalid extends Exception {
        final DecodeError error;

        Invalid(final DecodeError.Rule rule, final String field, final String message) {
            super(message, null, false, false);
            this.error = new DecodeError(rule, field, message);
        }

        /** The same rule for a nested element: field {@code at.field} (or {@code at}), message prefixed. */
        Invalid within(final String at, final String prefix) {
            return new Invalid(error.rule(), error.field() == null ? at : at + "." + error.field(),
                    prefix + error.message());
        }
    }

    static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1," + Schema.MAX_ID_LENGTH + "}");
    static final Pattern TOKEN = Pattern.compile("[a-z0-9][a-z0-9_-]{0," + (Schema.MAX_NAME_LENGTH - 1) + "}");

    private final ObjectNode node;
    private final Set<String> read = new HashSet<>();

    FieldReader(final ObjectNode node) {
        this.node = node;
    }

    private JsonNode required(final String field) throws Invalid {
        read.add(field);
        final JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new Invalid(DecodeError.Rule.MISSING_FIELD, field, "required field '" + field + "' is missing");
        }
        return value;
    }

    /** Nullable result: absent or JSON null. */
    private JsonNode optional(final String field) {
        read.add(field);
        final JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static Invalid wrongType(final String field, final String expected, final JsonNode got) {
        return new Invalid(DecodeError.Rule.WRONG_TYPE, field,
                "field '" + field + "' must be " + expected + ", got " + got.getNodeType().toString().toLowerCase(Locale.ROOT));
    }

    String text(final String field, final int maxLength) throws Invalid {
        return checkText(field, required(field), maxLength);
    }

    String optionalText(final String field, final int maxLength) throws Invalid {
        final JsonNode v = optional(field);
        return v == null ? null : checkText(field, v, maxLength);
    }

    private static String checkText(final String field, final JsonNode v, final int maxLength) throws Invalid {
        if (!v.isTextual()) {
            throw wrongType(field, "a string", v);
        }
        final String s = v.textValue();
        if (s.isEmpty()) {
            throw new Invalid(DecodeError.Rule.BAD_VALUE, field, "field '" + field + "' must not be empty");
        }
        if (s.length() > maxLength) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field,
                    "field '" + field + "' is " + s.length() + " characters; at most " + maxLength + " allowed");
        }
        // JSON can carry both, a database's text cannot: stored later, they would fail every retry of their batch.
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == 0) {
                throw new Invalid(DecodeError.Rule.BAD_VALUE, field,
                        "field '" + field + "' holds a NUL character (U+0000) at position " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Invalid(DecodeError.Rule.BAD_VALUE, field, String.format(
                        "field '%s' holds an unpaired surrogate (U+%04X) at position %d: not Unicode text",
                        field, (int) c, i));
            }
        }
        return s;
    }

    String id(final String field) throws Invalid {
        final String s = text(field, Schema.MAX_ID_LENGTH);
        if (!ID.matcher(s).matches()) {
            throw new Invalid(DecodeError.Rule.BAD_VALUE, field,
                    "field '" + field + "' must match " + ID.pattern() + ", got '" + Topic.abbreviate(s) + "'");
        }
        return s;
    }

    String token(final String field) throws Invalid {
        return checkToken(field, text(field, Schema.MAX_NAME_LENGTH));
    }

    String optionalToken(final String field) throws Invalid {
        final String s = optionalText(field, Schema.MAX_NAME_LENGTH);
        return s == null ? null : checkToken(field, s);
    }

    private static String checkToken(final String field, final String s) throws Invalid {
        if (!TOKEN.matcher(s).matches()) {
            throw new Invalid(DecodeError.Rule.BAD_VALUE, field,
                    "field '" + field + "' must match " + TOKEN.pattern() + ", got '" + Topic.abbreviate(s) + "'");
        }
        return s;
    }

    Instant instant(final String field) throws Invalid {
        final String s = text(field, 40);
        try {
            return Instants.parse(s);
        } catch (final DateTimeParseException e) {
            throw new Invalid(DecodeError.Rule.BAD_VALUE, field,
                    "field '" + field + "' must be an ISO-8601 instant like 2026-11-22T06:00:00Z, got '" + s + "'");
        }
    }

    <E extends Enum<E>> E enumValue(final String field, final Class<E> type) throws Invalid {
        final String s = text(field, Schema.MAX_NAME_LENGTH);
        for (final E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(s)) {
                return e;
            }
        }
        final List<String> allowed = new ArrayList<>();
        for (final E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new Invalid(DecodeError.Rule.BAD_VALUE, field,
                "field '" + field + "' must be one of " + allowed + ", got '" + Topic.abbreviate(s) + "'");
    }

    long count(final String field) throws Invalid {
        return checkInteger(field, required(field), 0);
    }

    private static long checkInteger(final String field, final JsonNode v, final long min) throws Invalid {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(field, "an integer", v);
        }
        final long n = v.longValue();
        if (n < min) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field, "field '" + field + "' must be ≥ " + min + ", got "
                    + n);
        }
        return n;
    }

    /** An optional count of starts: an integer of 1 or more (absent: null). */
    Long optionalStartCount(final String field) throws Invalid {
        final JsonNode v = optional(field);
        return v == null ? null : checkInteger(field, v, 1);
    }

    double number(final String field, final double min, final double max) throws Invalid {
        return checkNumber(field, required(field), min, max);
    }

    Double optionalNumber(final String field, final double min, final double max) throws Invalid {
        final JsonNode v = optional(field);
        return v == null ? null : checkNumber(field, v, min, max);
    }

    private static double checkNumber(final String field, final JsonNode v, final double min, final double max)
            throws Invalid {
        if (!v.isNumber()) {
            throw wrongType(field, "a number", v);
        }
        final double d = v.doubleValue();
        if (!Double.isFinite(d) || d < min || d > max) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field,
                    "field '" + field + "' must be within [" + min + ", " + max + "], got " + v.asText());
        }
        return d;
    }

    boolean bool(final String field) throws Invalid {
        final JsonNode v = required(field);
        if (!v.isBoolean()) {
            throw wrongType(field, "true or false", v);
        }
        return v.booleanValue();
    }

    List<Integer> valves(final String field) throws Invalid {
        final JsonNode v = required(field);
        if (!v.isArray()) {
            throw wrongType(field, "an array of valve numbers", v);
        }
        if (v.size() > Schema.MAX_VALVES) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field,
                    "field '" + field + "' lists " + v.size() + " valves; at most " + Schema.MAX_VALVES);
        }
        final List<Integer> out = new ArrayList<>(v.size());
        int previous = -1;
        for (final JsonNode e : v) {
            if (!e.isInt()) {
                throw wrongType(field + "[]", "an integer", e);
            }
            final int n = e.intValue();
            if (n <= previous || n >= Schema.MAX_VALVES) {
                throw new Invalid(DecodeError.Rule.BAD_VALUE, field,
                        "field '" + field + "' must list distinct valve numbers in ascending order below "
                                + Schema.MAX_VALVES + ", got " + v);
            }
            previous = n;
            out.add(n);
        }
        return out;
    }

    Map<String, Long> counts(final String field) throws Invalid {
        final JsonNode v = required(field);
        if (!v.isObject()) {
            throw wrongType(field, "an object of counts", v);
        }
        if (v.size() > Schema.MAX_MAP_ENTRIES) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field,
                    "field '" + field + "' has " + v.size() + " entries; at most " + Schema.MAX_MAP_ENTRIES);
        }
        final Map<String, Long> out = new LinkedHashMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String key = field + "." + e.getKey();
            checkToken(key, e.getKey());
            final JsonNode n = e.getValue();
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw wrongType(key, "an integer", n);
            }
            if (n.longValue() < 0) {
                throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, key, "field '" + key + "' must be ≥ 0, got " + n);
            }
            out.put(e.getKey(), n.longValue());
        }
        return out;
    }

    Map<String, String> names(final String field) throws Invalid {
        final JsonNode v = required(field);
        if (!v.isObject()) {
            throw wrongType(field, "an object of names", v);
        }
        if (v.size() > Schema.MAX_MAP_ENTRIES) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field,
                    "field '" + field + "' has " + v.size() + " entries; at most " + Schema.MAX_MAP_ENTRIES);
        }
        final Map<String, String> out = new LinkedHashMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String key = field + "." + e.getKey();
            checkToken(key, e.getKey());
            out.put(e.getKey(), checkText(key, e.getValue(), Schema.MAX_NAME_LENGTH));
        }
        return out;
    }

    /** An optional array of distinct tokens (absent: empty). */
    List<String> optionalTokens(final String field) throws Invalid {
        final JsonNode v = optional(field);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw wrongType(field, "an array of names", v);
        }
        if (v.size() > Schema.MAX_MAP_ENTRIES) {
            throw new Invalid(DecodeError.Rule.OUT_OF_RANGE, field,
                    "field '" + field + "' has " + v.size() + " entries; at most " + Schema.MAX_MAP_ENTRIES);
        }
        final List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            final String at = field + "[" + i + "]";
            final String s = checkToken(at, checkText(at, v.get(i), Schema.MAX_NAME_LENGTH));
            if (out.contains(s)) {
                throw new Invalid(DecodeError.Rule.BAD_VALUE, at, "field '" + at + "' repeats '" + s + "'");
            }
            out.add(s);
        }
        return out;
    }

    ArrayNode array(final String field) throws Invalid {
        final JsonNode v = required(field);
        if (!v.isArray()) {
            throw wrongType(field, "an array", v);
        }
        return (ArrayNode) v;
    }

    ObjectNode object(final String field) throws Invalid {
        final JsonNode v = required(field);
        if (!v.isObject()) {
            throw wrongType(field, "an object", v);
        }
        return (ObjectNode) v;
    }

    /** Refuses fields this schema version does not define, so typos never pass unnoticed. */
    void noOtherFields() throws Invalid {
        for (final Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            final String name = it.next();
            if (!read.contains(name)) {
                throw new Invalid(DecodeError.Rule.UNKNOWN_FIELD, name,
                        "unknown field '" + Topic.abbreviate(name) + "' in schema " + Schema.VERSION);
            }
        }
    }
}
