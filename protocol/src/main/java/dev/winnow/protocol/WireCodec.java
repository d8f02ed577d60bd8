package dev.winnow.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON encoding and strict, step-by-step decoding of every {@link WireMessage}. Thread-safe.
 * Decoding never throws for bad input: it returns the first rule the payload broke.
 */
public final class WireCodec {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // same values as Double.parseDouble (correctly rounded), without its slow path for every number
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxNumberLength(64).maxStringLength(Schema.MAX_PAYLOAD_BYTES).build());
    }

    private WireCodec() {
    }

    /** A JSON object node for building command arguments. */
    public static ObjectNode newObject() {
        return JSON.createObjectNode();
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    // ---------------------------------------------------------------- encode

    public static byte[] encode(final WireMessage message) {
        final ObjectNode o = JSON.createObjectNode();
        o.put("schema", Schema.VERSION);
        if (message instanceof Status s) {
            o.put("state", lower(s.state()));
            o.put("time", s.time().toString());
            putNullable(o, "agentVersion", s.agentVersion());
            final ObjectNode models = o.putObject("models");
            s.models().forEach(models::put);
            putNullable(o, "configHash", s.configHash());
            if (!s.auditCameras().isEmpty()) {
                // absent when empty: a server that predates the field still reads every device without one
                final ArrayNode audit = o.putArray("auditCameras");
                s.auditCameras().forEach(audit::add);
            }
            if (s.boot() != null) {
                o.put("boot", s.boot().longValue());
            }
        } else if (message instanceof Stats s) {
            o.put("from", s.from().toString());
            o.put("to", s.to().toString());
            o.put("mode", lower(s.mode()));
            o.put("frames", s.frames());
            o.put("droppedFrames", s.droppedFrames());
            o.put("objects", s.objects());
            putCounts(o.putObject("detections"), s.detections());
            putCounts(o.putObject("rejections"), s.rejections());
            o.put("escapes", s.escapes());
            o.put("lateDecisions", s.lateDecisions());
            o.put("latencyP50Ms", s.latencyP50Ms());
            o.put("latencyP99Ms", s.latencyP99Ms());
            o.put("valveCycles", s.valveCycles());
            o.put("fps", s.fps());
            o.put("outboxDepth", s.outboxDepth());
            if (s.cpuTemperatureC() != null) {
                o.put("cpuTemperatureC", s.cpuTemperatureC());
            }
            putNullable(o, "lot", s.lot());
        } else if (message instanceof RejectEvent r) {
            putReject(o, r);
        } else if (message instanceof RejectBatch b) {
            final ArrayNode events = o.putArray("events");
            for (final RejectEvent r : b.events()) {
                putReject(events.addObject(), r);
            }
        } else if (message instanceof Alarm a) {
            o.put("id", a.id());
            o.put("time", a.time().toString());
            o.put("state", lower(a.state()));
            o.put("severity", lower(a.severity()));
            o.put("cause", a.cause());
            o.put("message", a.message());
            putNullable(o, "camera", a.camera());
        } else if (message instanceof Command c) {
            o.put("id", c.id());
            o.put("name", c.name());
            o.put("time", c.time().toString());
            o.set("args", c.args());
        } else if (message instanceof CommandResult r) {
            o.put("id", r.id());
            o.put("name", r.name());
            o.put("outcome", lower(r.outcome()));
            putNullable(o, "reason", r.reason());
            o.put("time", r.time().toString());
        } else {
            throw new IllegalArgumentException("unknown message type " + message.getClass());
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }

    private static void putReject(final ObjectNode o, final RejectEvent r) {
        o.put("id", r.id());
        o.put("time", r.time().toString());
        o.put("camera", r.camera());
        o.put("class", r.cls());
        o.put("confidence", r.confidence());
        o.put("beltMm", r.beltMm());
        o.put("acrossMm", r.acrossMm());
        o.put("widthMm", r.widthMm());
        o.put("lengthMm", r.lengthMm());
        final ArrayNode valves = o.putArray("valves");
        r.valves().forEach(valves::add);
        o.put("pulseMs", r.pulseMs());
        o.put("audit", r.audit());
        putNullable(o, "model", r.model());
        putNullable(o, "lot", r.lot());
        putNullable(o, "crop", r.crop());
    }

    private static void putCounts(final ObjectNode node, final Map<String, Long> counts) {
        counts.forEach(node::put);
    }

    private static void putNullable(final ObjectNode o, final String field, final String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static String lower(final Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- decode

    /** Decodes the payload of a topic of the given kind. */
    public static Decoded<? extends WireMessage> decode(final Kind kind, final byte[] payload) {
        return switch (kind) {
            case STATUS -> decodeStatus(payload);
            case STATS -> decodeStats(payload);
            case REJECT -> decodeReject(payload);
            case REJECT_BATCH -> decodeRejectBatch(payload);
            case ALARM -> decodeAlarm(payload);
            case COMMAND -> decodeCommand(payload);
            case COMMAND_RESULT -> decodeCommandResult(payload);
        };
    }

    private interface Body<T> {
        T read(FieldReader r) throws FieldReader.Invalid;
    }

    private static <T> Decoded<T> decodeWith(final byte[] payload, final Body<T> body) {
        try {
            final FieldReader r = new FieldReader(parseEnvelope(payload));
            final T value = body.read(r);
            r.noOtherFields();
            return Decoded.ok(value);
        } catch (final FieldReader.Invalid e) {
            return Decoded.failed(e.error);
        } catch (final IllegalArgumentException | NullPointerException e) {
            // A record's own invariant (e.g. a refusal without a reason) that the reader did not pre-check.
            return Decoded.failed(new DecodeError(DecodeError.Rule.BAD_VALUE, null, String.valueOf(e.getMessage())));
        }
    }

    private static ObjectNode parseEnvelope(final byte[] payload) throws FieldReader.Invalid {
        if (payload == null || payload.length == 0) {
            throw new FieldReader.Invalid(DecodeError.Rule.EMPTY, null, "payload is empty");
        }
        if (payload.length > Schema.MAX_PAYLOAD_BYTES) {
            throw new FieldReader.Invalid(DecodeError.Rule.OVERSIZED, null,
                    "payload is " + payload.length + " bytes; at most " + Schema.MAX_PAYLOAD_BYTES + " allowed");
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload));
        } catch (final CharacterCodingException e) {
            throw new FieldReader.Invalid(DecodeError.Rule.NOT_JSON, null, "payload is not valid UTF-8");
        }
        final JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (final IOException e) {
            throw new FieldReader.Invalid(DecodeError.Rule.NOT_JSON, null,
                    "payload is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new FieldReader.Invalid(DecodeError.Rule.NOT_JSON, null, "payload is not valid JSON: no content");
        }
        if (!root.isObject()) {
            throw new FieldReader.Invalid(DecodeError.Rule.NOT_AN_OBJECT, null,
                    "payload must be a JSON object, got " + root.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        final JsonNode schema = root.get("schema");
        if (schema == null || schema.isNull()) {
            throw new FieldReader.Invalid(DecodeError.Rule.MISSING_SCHEMA, "schema", "field 'schema' is missing");
        }
        if (!schema.isInt()) {
            throw new FieldReader.Invalid(DecodeError.Rule.WRONG_TYPE, "schema", "field 'schema' must be an integer");
        }
        if (schema.intValue() != Schema.VERSION) {
            throw new FieldReader.Invalid(DecodeError.Rule.UNSUPPORTED_SCHEMA, "schema",
                    "schema " + schema.intValue() + " is not supported; this build reads schema " + Schema.VERSION);
        }
        final ObjectNode object = (ObjectNode) root;
        object.remove("schema");
        return object;
    }

    private static String firstLine(final String s) {
        if (s == null) {
            return "unreadable";
        }
        final int nl = s.indexOf('\n');
        return Topic.abbreviate(nl < 0 ? s : s.substring(0, nl));
    }

    public static Decoded<Status> decodeStatus(final byte[] payload) {
        return decodeWith(payload, r -> new Status(
                r.enumValue("state", Status.State.class),
                r.instant("time"),
                r.optionalText("agentVersion", Schema.MAX_NAME_LENGTH),
                r.names("models"),
                r.optionalText("configHash", Schema.MAX_NAME_LENGTH),
                r.optionalTokens("auditCameras"),
                r.optionalStartCount("boot")));
    }

    public static Decoded<Stats> decodeStats(final byte[] payload) {
        return decodeWith(payload, r -> {
            final var from = r.instant("from");
            final var to = r.instant("to");
            if (to.isBefore(from)) {
                throw new FieldReader.Invalid(DecodeError.Rule.OUT_OF_RANGE, "to", "field 'to' is before 'from'");
            }
            return new Stats(from, to,
                    r.enumValue("mode", Stats.Mode.class),
                    r.count("frames"),
                    r.count("droppedFrames"),
                    r.count("objects"),
                    r.counts("detections"),
                    r.counts("rejections"),
                    r.count("escapes"),
                    r.count("lateDecisions"),
                    r.number("latencyP50Ms", 0, 3_600_000),
                    r.number("latencyP99Ms", 0, 3_600_000),
                    r.count("valveCycles"),
                    r.number("fps", 0, 100_000),
                    r.count("outboxDepth"),
                    r.optionalNumber("cpuTemperatureC", -60, 200),
                    r.optionalText("lot", Schema.MAX_NAME_LENGTH));
        });
    }

    public static Decoded<RejectEvent> decodeReject(final byte[] payload) {
        return decodeWith(payload, WireCodec::readReject);
    }

    private static RejectEvent readReject(final FieldReader r) throws FieldReader.Invalid {
        return new RejectEvent(
                r.id("id"),
                r.instant("time"),
                r.token("camera"),
                r.token("class"),
                r.number("confidence", 0, 1),
                r.number("beltMm", -1e12, 1e12),
                r.number("acrossMm", -100_000, 100_000),
                r.number("widthMm", 0, 100_000),
                r.number("lengthMm", 0, 100_000),
                r.valves("valves"),
                r.number("pulseMs", 0, 60_000),
                r.bool("audit"),
                r.optionalText("model", Schema.MAX_NAME_LENGTH),
                r.optionalText("lot", Schema.MAX_NAME_LENGTH),
                r.optionalText("crop", Schema.MAX_TEXT_LENGTH));
    }

    /**
     * Decodes an {@code events/rejects} payload: 1 to {@link Schema#MAX_BATCH_EVENTS} events, each checked
     * exactly like a single {@code events/reject} payload (without its own {@code schema} field). The first
     * bad element refuses the whole batch; the error's field is {@code events[i]} or {@code events[i].field}
     * and its message starts with {@code event i:}.
     */
    public static Decoded<RejectBatch> decodeRejectBatch(final byte[] payload) {
        return decodeWith(payload, r -> {
            final ArrayNode events = r.array("events");
            if (events.isEmpty()) {
                throw new FieldReader.Invalid(DecodeError.Rule.OUT_OF_RANGE, "events",
                        "field 'events' must hold at least one event");
            }
            if (events.size() > Schema.MAX_BATCH_EVENTS) {
                throw new FieldReader.Invalid(DecodeError.Rule.OUT_OF_RANGE, "events",
                        "field 'events' holds " + events.size() + " events; at most " + Schema.MAX_BATCH_EVENTS
                                + " allowed");
            }
            final List<RejectEvent> out = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                final JsonNode e = events.get(i);
                final String at = "events[" + i + "]";
                if (!e.isObject()) {
                    throw new FieldReader.Invalid(DecodeError.Rule.WRONG_TYPE, at, "event " + i
                            + ": must be an object, got " + e.getNodeType().toString().toLowerCase(Locale.ROOT));
                }
                try {
                    final FieldReader er = new FieldReader((ObjectNode) e);
                    final RejectEvent event = readReject(er);
                    er.noOtherFields();
                    out.add(event);
                } catch (final FieldReader.Invalid x) {
                    throw x.within(at, "event " + i + ": ");
                } catch (final IllegalArgumentException | NullPointerException x) {
                    throw new FieldReader.Invalid(DecodeError.Rule.BAD_VALUE, at,
                            "event " + i + ": " + x.getMessage());
                }
            }
            return new RejectBatch(out);
        });
    }

    public static Decoded<Alarm> decodeAlarm(final byte[] payload) {
        return decodeWith(payload, r -> new Alarm(
                r.id("id"),
                r.instant("time"),
                r.enumValue("state", Alarm.State.class),
                r.enumValue("severity", Alarm.Severity.class),
                r.token("cause"),
                r.text("message", Schema.MAX_TEXT_LENGTH),
                r.optionalToken("camera")));
    }

    public static Decoded<Command> decodeCommand(final byte[] payload) {
        return decodeWith(payload, r -> new Command(
                r.id("id"),
                r.token("name"),
                r.instant("time"),
                r.object("args")));
    }

    public static Decoded<CommandResult> decodeCommandResult(final byte[] payload) {
        return decodeWith(payload, r -> {
            final String id = r.id("id");
            final String name = r.token("name");
            final CommandResult.Outcome outcome = r.enumValue("outcome", CommandResult.Outcome.class);
            final String reason = r.optionalText("reason", Schema.MAX_TEXT_LENGTH);
            if ((outcome == CommandResult.Outcome.REFUSED || outcome == CommandResult.Outcome.FAILED) && reason == null) {
                throw new FieldReader.Invalid(DecodeError.Rule.MISSING_FIELD, "reason",
                        "field 'reason' is required when the outcome is " + outcome.name().toLowerCase(Locale.ROOT));
            }
            return new CommandResult(id, name, outcome, reason, r.instant("time"));
        });
    }
}
