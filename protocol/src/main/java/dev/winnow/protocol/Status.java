package dev.winnow.protocol;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Birth (retained, on connect) and last will of a device.
 *
 * @param agentVersion nullable in a last will, which is written before the agent knows much
 * @param models       model version per camera id
 * @param configHash   nullable in a last will
 */
public record Status(State state, Instant time, String agentVersion, Map<String, String> models, String configHash)
        implements WireMessage {

    public enum State { ONLINE, OFFLINE }

    public Status {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(time, "time");
        models = Map.copyOf(models);
    }

    public static Status offline(final Instant time) {
        return new Status(State.OFFLINE, time, null, Map.of(), null);
    }

    @Override
    public Kind kind() {
        return Kind.STATUS;
    }
}
