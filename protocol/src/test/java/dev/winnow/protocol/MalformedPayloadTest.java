package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** One test per malformed-input rule: each names the rule and, where there is one, the field. */
final class MalformedPayloadTest {

    private static ObjectNode validReject() {
        try {
            return (ObjectNode) WireCodec.mapper().readTree(WireCodec.encode(WireCodecTest.reject()));
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private static DecodeError rejectWith(final Consumer<ObjectNode> change) {
        final ObjectNode o = validReject();
        change.accept(o);
        return error(o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static DecodeError error(final byte[] payload) {
        final Decoded<RejectEvent> d = WireCodec.decodeReject(payload);
        assertThat(d.isOk()).as("payload must be refused").isFalse();
        return d.errorOrNull();
    }

    private static DecodeError statusWith(final String auditCameras) {
        final String json = "{\"schema\":1,\"state\":\"online\",\"time\":\"2026-12-06T10:00:00Z\","
                + "\"agentVersion\":\"0.1.0\",\"models\":{},\"auditCameras\":" + auditCameras + "}";
        final Decoded<Status> d = WireCodec.decodeStatus(json.getBytes(StandardCharsets.UTF_8));
        assertThat(d.isOk()).as("payload must be refused").isFalse();
        return d.errorOrNull();
    }

    @Test
    void auditCamerasMustBeAListOfDistinctNames() {
        assertThat(statusWith("\"colour-1\"").field()).isEqualTo("auditCameras");
        final DecodeError name = statusWith("[\"colour 1\"]");
        assertThat(name.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(name.field()).isEqualTo("auditCameras[0]");
        final DecodeError twice = statusWith("[\"uv-1\",\"uv-1\"]");
        assertThat(twice.field()).isEqualTo("auditCameras[1]");
        assertThat(twice.message()).contains("repeats 'uv-1'");
        assertThat(statusWith("[1]").field()).isEqualTo("auditCameras[0]");
    }

    private static DecodeError statusWithBoot(final String boot) {
        final String json = "{\"schema\":1,\"state\":\"online\",\"time\":\"2026-12-06T10:00:00Z\","
                + "\"agentVersion\":\"0.1.0\",\"models\":{},\"boot\":" + boot + "}";
        final Decoded<Status> d = WireCodec.decodeStatus(json.getBytes(StandardCharsets.UTF_8));
        assertThat(d.isOk()).as("payload must be refused").isFalse();
        return d.errorOrNull();
    }

    @Test
    void aStartCountMustBeAnIntegerOfOneOrMore() {
        final DecodeError zero = statusWithBoot("0");
        assertThat(zero.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(zero.field()).isEqualTo("boot");
        assertThat(zero.message()).contains("must be ≥ 1, got 0");
        assertThat(statusWithBoot("-3").rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        final DecodeError fraction = statusWithBoot("2.5");
        assertThat(fraction.rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
        assertThat(fraction.field()).isEqualTo("boot");
        assertThat(statusWithBoot("\"7\"").rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
        assertThat(statusWithBoot("18446744073709551616").rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
    }

    @Test
    void emptyPayload() {
        assertThat(error(new byte[0]).rule()).isEqualTo(DecodeError.Rule.EMPTY);
        assertThat(error(null).rule()).isEqualTo(DecodeError.Rule.EMPTY);
    }

    @Test
    void oversizedPayload() {
        final DecodeError e = error(new byte[Schema.MAX_PAYLOAD_BYTES + 1]);
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OVERSIZED);
        assertThat(e.message()).contains(String.valueOf(Schema.MAX_PAYLOAD_BYTES + 1));
    }

    @Test
    void notJson() {
        assertThat(error("{\"schema\":1,".getBytes(StandardCharsets.UTF_8)).rule()).isEqualTo(DecodeError.Rule.NOT_JSON);
        assertThat(error("{} trailing".getBytes(StandardCharsets.UTF_8)).rule()).isEqualTo(DecodeError.Rule.NOT_JSON);
    }

    @Test
    void invalidUtf8() {
        final DecodeError e = error(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.NOT_JSON);
        assertThat(e.message()).contains("UTF-8");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(error("{\"schema\":1,\"schema\":1}".getBytes(StandardCharsets.UTF_8)).rule())
                .isEqualTo(DecodeError.Rule.NOT_JSON);
    }

    @Test
    void notAnObject() {
        assertThat(error("[1,2]".getBytes(StandardCharsets.UTF_8)).rule()).isEqualTo(DecodeError.Rule.NOT_AN_OBJECT);
    }

    @Test
    void aNulCharacterInTextIsRefused() {
        final DecodeError e = rejectWith(o -> o.put("model", "cotton\u0000colour"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(e.field()).isEqualTo("model");
        assertThat(e.message()).contains("NUL").contains("position 6");
    }

    @Test
    void anUnpairedSurrogateInTextIsRefused() {
        // Written as a JSON escape: a Java string cannot be encoded to UTF-8 with a lone surrogate in it.
        final DecodeError e = error(validReject().toString().replace("\"lot-2026-118\"", "\"L\\ud800x\"")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(e.field()).isEqualTo("lot");
        assertThat(e.message()).contains("U+D800");
        assertThat(WireCodec.decodeReject(validReject().put("lot", "lot \uD83D\uDE00").toString()
                .getBytes(StandardCharsets.UTF_8)).isOk()).as("a pair is one character: allowed").isTrue();
    }

    @Test
    void missingSchema() {
        assertThat(rejectWith(o -> o.remove("schema")).rule()).isEqualTo(DecodeError.Rule.MISSING_SCHEMA);
    }

    @Test
    void unsupportedSchema() {
        final DecodeError e = rejectWith(o -> o.put("schema", 2));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.UNSUPPORTED_SCHEMA);
        assertThat(e.message()).contains("schema 2");
    }

    @Test
    void missingField() {
        final DecodeError e = rejectWith(o -> o.remove("confidence"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.MISSING_FIELD);
        assertThat(e.field()).isEqualTo("confidence");
    }

    @Test
    void wrongType() {
        final DecodeError e = rejectWith(o -> o.put("confidence", "high"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
        assertThat(e.field()).isEqualTo("confidence");
        assertThat(e.message()).contains("number").contains("string");
    }

    @Test
    void outOfRange() {
        final DecodeError e = rejectWith(o -> o.put("confidence", 1.5));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("confidence");
    }

    @Test
    void overlongText() {
        final DecodeError e = rejectWith(o -> o.put("lot", "x".repeat(Schema.MAX_NAME_LENGTH + 1)));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("lot");
    }

    @Test
    void badId() {
        final DecodeError e = rejectWith(o -> o.put("id", "has space"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(e.field()).isEqualTo("id");
    }

    @Test
    void badInstant() {
        final DecodeError e = rejectWith(o -> o.put("time", "yesterday"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(e.field()).isEqualTo("time");
    }

    @Test
    void badValveList() {
        assertThat(rejectWith(o -> o.putArray("valves").add(5).add(3)).field()).isEqualTo("valves");
        assertThat(rejectWith(o -> o.putArray("valves").add(-1)).rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(rejectWith(o -> o.put("valves", 3)).rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
    }

    @Test
    void badClassToken() {
        final DecodeError e = rejectWith(o -> o.put("class", "Plastic Film"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(e.field()).isEqualTo("class");
    }

    @Test
    void unknownField() {
        final DecodeError e = rejectWith(o -> o.put("colour", "red"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.UNKNOWN_FIELD);
        assertThat(e.field()).isEqualTo("colour");
    }

    @Test
    void unknownEnumValue() {
        final DecodeError e = WireCodec.decodeAlarm(
                ("{\"schema\":1,\"id\":\"a\",\"time\":\"2026-11-22T06:00:00Z\",\"state\":\"exploded\","
                        + "\"severity\":\"info\",\"cause\":\"x\",\"message\":\"m\"}").getBytes(StandardCharsets.UTF_8))
                .errorOrNull();
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.BAD_VALUE);
        assertThat(e.field()).isEqualTo("state");
        assertThat(e.message()).contains("raised").contains("cleared");
    }

    @Test
    void refusalWithoutReason() {
        final DecodeError e = WireCodec.decodeCommandResult(
                ("{\"schema\":1,\"id\":\"c\",\"name\":\"test-fire\",\"outcome\":\"refused\","
                        + "\"time\":\"2026-11-22T06:00:00Z\"}").getBytes(StandardCharsets.UTF_8)).errorOrNull();
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.MISSING_FIELD);
        assertThat(e.field()).isEqualTo("reason");
    }

    @Test
    void statsIntervalBackwards() {
        final DecodeError e = WireCodec.decodeStats(
                ("{\"schema\":1,\"from\":\"2026-11-22T06:00:10Z\",\"to\":\"2026-11-22T06:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8)).errorOrNull();
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("to");
    }

    @Test
    void negativeCount() {
        final byte[] stats = ("{\"schema\":1,\"from\":\"2026-11-22T06:00:00Z\",\"to\":\"2026-11-22T06:00:10Z\","
                + "\"mode\":\"running\",\"frames\":-3}").getBytes(StandardCharsets.UTF_8);
        final DecodeError e = WireCodec.decodeStats(stats).errorOrNull();
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("frames");
    }

    @Test
    void deepNestingIsRefusedWithoutCrash() {
        final String deep = "{\"schema\":1,\"args\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThat(WireCodec.decodeCommand(deep.getBytes(StandardCharsets.UTF_8)).isOk()).isFalse();
    }

    @Test
    void randomBytesNeverThrow() {
        final java.util.Random random = new java.util.Random(7);
        final byte[] valid = WireCodec.encode(WireCodecTest.reject());
        for (int i = 0; i < 5000; i++) {
            final byte[] mutated = valid.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            for (final Kind kind : Kind.values()) {
                final Decoded<? extends WireMessage> d = WireCodec.decode(kind, mutated);
                assertThat(d).isNotNull();
            }
        }
    }
}
