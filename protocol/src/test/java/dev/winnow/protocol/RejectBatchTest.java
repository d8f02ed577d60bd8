package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The batched rejections message: round trip, packing, and one test per malformed-batch rule. */
final class RejectBatchTest {

    private static final Instant T = Instant.parse("2026-11-22T06:00:00.123Z");

    static RejectEvent event(final int i) {
        return new RejectEvent("pi-7-" + i, T.plusMillis(i), "colour", "plastic_film", 0.93, 123456.5 + i, 412.0,
                18.0, 25.5, List.of(12, 13), 14.0, false, "cotton-colour@1.0.0", "lot-2026-118", null);
    }

    static List<RejectEvent> events(final int n) {
        final List<RejectEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(event(i));
        }
        return out;
    }

    private static ObjectNode validBatch(final int n) {
        try {
            return (ObjectNode) WireCodec.mapper().readTree(WireCodec.encode(new RejectBatch(events(n))));
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private static DecodeError batchWith(final int n, final Consumer<ObjectNode> change) {
        final ObjectNode o = validBatch(n);
        change.accept(o);
        return error(o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static DecodeError error(final byte[] payload) {
        final Decoded<RejectBatch> d = WireCodec.decodeRejectBatch(payload);
        assertThat(d.isOk()).as("batch must be refused").isFalse();
        return d.errorOrNull();
    }

    @Test
    void roundTripsOnItsOwnTopic() {
        final RejectBatch b = new RejectBatch(events(3));
        assertThat(WireCodec.decode(Kind.REJECT_BATCH, WireCodec.encode(b)).orThrow()).isEqualTo(b);
        final Topic t = Topic.of("mill", "l1", "pi-7", Kind.REJECT_BATCH);
        assertThat(t.toString()).isEqualTo("winnow/v1/mill/l1/pi-7/events/rejects");
        assertThat(Topic.parse(t.toString()).orThrow()).isEqualTo(t);
        final String json = new String(WireCodec.encode(b), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"schema\":1,\"events\":[{\"id\":\"pi-7-0\"");
    }

    @Test
    void emptyArrayIsRefused() {
        final DecodeError e = batchWith(1, o -> o.putArray("events"));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("events");
        assertThat(e.message()).contains("at least one");
    }

    @Test
    void missingOrNonArrayEventsAreRefused() {
        assertThat(batchWith(1, o -> o.remove("events")).rule()).isEqualTo(DecodeError.Rule.MISSING_FIELD);
        assertThat(batchWith(1, o -> o.put("events", "x")).rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
    }

    @Test
    void tooManyEventsAreRefused() {
        // small events so that the count, not the payload size, is the limit that binds
        final StringBuilder sb = new StringBuilder("{\"schema\":1,\"events\":[");
        for (int i = 0; i <= Schema.MAX_BATCH_EVENTS; i++) {
            sb.append(i == 0 ? "" : ",").append("{}");
        }
        sb.append("]}");
        final byte[] payload = sb.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(payload.length).isLessThan(Schema.MAX_PAYLOAD_BYTES);
        final DecodeError e = error(payload);
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("events");
        assertThat(e.message()).contains(String.valueOf(Schema.MAX_BATCH_EVENTS + 1))
                .contains(String.valueOf(Schema.MAX_BATCH_EVENTS));
    }

    @Test
    void aBadElementRefusesTheWholeBatchNamingItsIndex() {
        final DecodeError e = batchWith(5, o -> ((ObjectNode) o.get("events").get(3)).put("confidence", 1.5));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OUT_OF_RANGE);
        assertThat(e.field()).isEqualTo("events[3].confidence");
        assertThat(e.message()).startsWith("event 3: ");
    }

    @Test
    void everyElementIsCheckedLikeASingleEvent() {
        assertThat(batchWith(3, o -> ((ObjectNode) o.get("events").get(2)).remove("id")).field())
                .isEqualTo("events[2].id");
        assertThat(batchWith(3, o -> ((ObjectNode) o.get("events").get(1)).put("extra", 1)).rule())
                .isEqualTo(DecodeError.Rule.UNKNOWN_FIELD);
        // elements carry no schema of their own: the batch's schema covers them
        assertThat(batchWith(3, o -> ((ObjectNode) o.get("events").get(0)).put("schema", 1)).field())
                .isEqualTo("events[0].schema");
        final DecodeError notObject = batchWith(3, o -> ((ArrayNode) o.get("events")).set(1, 7));
        assertThat(notObject.rule()).isEqualTo(DecodeError.Rule.WRONG_TYPE);
        assertThat(notObject.field()).isEqualTo("events[1]");
    }

    @Test
    void oversizedBatchIsRefused() {
        final StringBuilder sb = new StringBuilder(new String(WireCodec.encode(new RejectBatch(events(1))),
                StandardCharsets.UTF_8));
        sb.insert(sb.length() - 1, ",\"pad\":\"" + "x".repeat(Schema.MAX_PAYLOAD_BYTES) + "\"");
        final DecodeError e = error(sb.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.OVERSIZED);
    }

    @Test
    void wrongSchemaIsRefused() {
        final DecodeError e = batchWith(2, o -> o.put("schema", 2));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.UNSUPPORTED_SCHEMA);
        assertThat(batchWith(2, o -> o.remove("schema")).rule()).isEqualTo(DecodeError.Rule.MISSING_SCHEMA);
    }

    @Test
    void unknownTopLevelFieldIsRefused() {
        assertThat(batchWith(2, o -> o.put("count", 2)).rule()).isEqualTo(DecodeError.Rule.UNKNOWN_FIELD);
    }

    @Test
    void aSingleEventPayloadOnTheBatchTopicIsRefused() {
        final DecodeError e = error(WireCodec.encode(event(1)));
        assertThat(e.rule()).isEqualTo(DecodeError.Rule.MISSING_FIELD);
        assertThat(e.field()).isEqualTo("events");
    }

    @Test
    void packerTakesWhatFitsAndStopsAtAnInvalidPayload() {
        final List<byte[]> singles = new ArrayList<>();
        for (final RejectEvent e : events(10)) {
            singles.add(WireCodec.encode(e));
        }
        final RejectPacker.Packed all = RejectPacker.pack(singles, 500, Schema.MAX_PAYLOAD_BYTES);
        assertThat(all.events()).isEqualTo(10);
        assertThat(WireCodec.decodeRejectBatch(all.payload()).orThrow().events()).isEqualTo(events(10));
        long sum = 0;
        for (final byte[] s : singles) {
            sum += s.length;
        }
        assertThat((long) all.payload().length).isLessThanOrEqualTo(sum + RejectPacker.OVERHEAD_BYTES);

        assertThat(RejectPacker.pack(singles, 4, Schema.MAX_PAYLOAD_BYTES).events()).isEqualTo(4);
        final int threeFit = (int) (singles.get(0).length * 3L + RejectPacker.OVERHEAD_BYTES + 10);
        assertThat(RejectPacker.pack(singles, 500, threeFit).events()).isEqualTo(3);

        final List<byte[]> withBad = new ArrayList<>(singles);
        withBad.set(6, "{\"schema\":1,\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(RejectPacker.pack(withBad, 500, Schema.MAX_PAYLOAD_BYTES).events()).isEqualTo(6);
        final RejectPacker.Packed none = RejectPacker.pack(withBad.subList(6, 10), 500, Schema.MAX_PAYLOAD_BYTES);
        assertThat(none.events()).isZero();
        assertThat(none.payload()).isNull();
    }

    @Test
    void aFullBatchStaysWithinThePayloadLimit() {
        final List<byte[]> singles = new ArrayList<>();
        for (final RejectEvent e : events(Schema.MAX_BATCH_EVENTS)) {
            singles.add(WireCodec.encode(e));
        }
        final RejectPacker.Packed p = RejectPacker.pack(singles, Schema.MAX_BATCH_EVENTS, Schema.MAX_PAYLOAD_BYTES);
        assertThat(p.events()).isBetween(100, Schema.MAX_BATCH_EVENTS);
        assertThat(p.payload().length).isLessThanOrEqualTo(Schema.MAX_PAYLOAD_BYTES);
        assertThat(WireCodec.decodeRejectBatch(p.payload()).isOk()).isTrue();
    }
}
