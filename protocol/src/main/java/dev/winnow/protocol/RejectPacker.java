package dev.winnow.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs rejections, already encoded as single {@code events/reject} payloads (as a device's outbox
 * keeps them), into one {@code events/rejects} batch. Used by the edge agent's uplink and by the
 * server's {@code bench-ingest}, so the benchmark publishes exactly as a device does.
 *
 * <p>Every payload is decoded (and so validated) before it joins a batch: a batch is refused whole when
 * one element is bad, so a payload the server would refuse must never take good events down with it.
 * Packing stops at the first payload that does not decode; it is left for the caller to send alone.
 */
public final class RejectPacker {

    /** Bytes a batch adds over the sum of its events' single payloads, at most (envelope and commas). */
    public static final int OVERHEAD_BYTES = 32;

    private RejectPacker() {
    }

    /**
     * The result of {@link #pack}.
     *
     * @param payload the batch payload; nullable (null when {@code events} is 0)
     * @param events  how many of the leading payloads it holds; 0 when the first one is not a valid rejection
     */
    public record Packed(byte[] payload, int events) {
    }

    /**
     * True when a batch may take one more payload of {@code nextBytes} after {@code count} payloads of
     * {@code sumBytes} in total without passing {@code maxBytes} or {@code maxEvents}.
     */
    public static boolean fits(final int count, final long sumBytes, final int nextBytes, final int maxEvents,
                               final int maxBytes) {
        return count < Math.min(maxEvents, Schema.MAX_BATCH_EVENTS)
                && sumBytes + nextBytes + OVERHEAD_BYTES <= Math.min(maxBytes, Schema.MAX_PAYLOAD_BYTES);
    }

    /**
     * Packs as many of the leading {@code singles} as fit ({@code maxEvents}, {@code maxBytes}, and the
     * protocol's own limits) and decode as valid rejections.
     */
    public static Packed pack(final List<byte[]> singles, final int maxEvents, final int maxBytes) {
        final List<RejectEvent> events = new ArrayList<>(Math.min(singles.size(), Schema.MAX_BATCH_EVENTS));
        long sum = 0;
        for (final byte[] p : singles) {
            if (p == null || !fits(events.size(), sum, p.length, maxEvents, maxBytes)) {
                break;
            }
            final Decoded<RejectEvent> d = WireCodec.decodeReject(p);
            if (!(d instanceof Decoded.Ok<RejectEvent> ok)) {
                break;
            }
            events.add(ok.value());
            sum += p.length;
        }
        final int limit = Math.min(maxBytes, Schema.MAX_PAYLOAD_BYTES);
        while (!events.isEmpty()) {
            final byte[] payload = WireCodec.encode(new RejectBatch(events));
            if (payload.length <= limit) {
                return new Packed(payload, events.size());
            }
            // not reached with payloads this codec wrote (a batch is smaller than its singles); stay safe anyway
            if (events.size() == 1) {
                break;
            }
            events.subList((events.size() + 1) / 2, events.size()).clear();
        }
        return new Packed(null, 0);
    }
}
