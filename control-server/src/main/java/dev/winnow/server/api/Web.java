package dev.winnow.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.protocol.Topic;
import dev.winnow.server.line.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Small helpers shared by the control-room routes. Bad input throws {@link BadInput} (400 with the message). */
public final class Web {

    private Web() {
    }

    /** A 400 answer with a message for people. */
    public static final class BadInput extends RuntimeException {
        public BadInput(final String message) {
            super(message);
        }
    }

    /** A 404 answer. */
    public static final class NotFound extends RuntimeException {
        public NotFound(final String message) {
            super(message);
        }
    }

    /** A 409 answer: the request conflicts with the current state. */
    public static final class Conflict extends RuntimeException {
        public Conflict(final String message) {
            super(message);
        }
    }

    public static String name(final Context ctx, final String param) {
        final String v = ctx.pathParam(param);
        if (!Topic.NAME.matcher(v).matches()) {
            throw new BadInput(param + " '" + cut(v) + "' must match " + Topic.NAME.pattern());
        }
        return v;
    }

    public static int intQuery(final Context ctx, final String param, final int dflt, final int min, final int max) {
        final String v = ctx.queryParam(param);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            final int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new BadInput(param + " " + n + " is out of range [" + min + ", " + max + "]");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadInput(param + " '" + cut(v) + "' is not a whole number");
        }
    }

    /** The JSON object body (an empty object for an empty body). */
    public static JsonNode body(final Context ctx) {
        final String text = ctx.body();
        if (text.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            final JsonNode n = Json.MAPPER.readTree(text);
            if (!n.isObject()) {
                throw new BadInput("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BadInput("the body is not valid JSON");
        }
    }

    public static String cut(final String s) {
        return s == null ? "" : s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    public static String resource(final String path) {
        try (InputStream in = Web.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
