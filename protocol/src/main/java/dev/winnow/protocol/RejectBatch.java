package dev.winnow.protocol;

import java.util.List;

/**
 * Several rejections of one device in one message, on {@code events/rejects}: the same
 * {@link RejectEvent} objects as the single-event message, in an array. The wire form is
 * {@code {"schema":1,"events":[{...},{...}]}}; each element has exactly the fields of a single
 * {@code events/reject} payload except {@code schema}.
 *
 * <p>The message is all or nothing: the decoder refuses the whole batch, naming the element index,
 * when any element is bad. Each event keeps its own id, so a batch delivered twice (QoS 1) is
 * stored once.
 *
 * @param events 1 to {@link Schema#MAX_BATCH_EVENTS} events, in the order the device made them
 */
public record RejectBatch(List<RejectEvent> events) implements WireMessage {

    public RejectBatch {
        events = List.copyOf(events);
        if (events.isEmpty() || events.size() > Schema.MAX_BATCH_EVENTS) {
            throw new IllegalArgumentException("a batch holds 1 to " + Schema.MAX_BATCH_EVENTS + " events, not "
                    + events.size());
        }
    }

    @Override
    public Kind kind() {
        return Kind.REJECT_BATCH;
    }
}
