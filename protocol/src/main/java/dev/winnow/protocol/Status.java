package dev.winnow.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Birth (retained, on connect) and last will of a device.
 *
 * @param agentVersion nullable in a last will, which is written before the agent knows much
 * @param models       model version per camera id
 * @param configHash   nullable in a last will
 * @param auditCameras the cameras in audit mode on their own (a model canary, or an engineer's choice): they detect
 *                     and report but fire nothing, while the rest of the line runs; empty when none. Sent again
 *                     whenever it changes. Audit mode of the whole device is {@link Stats#mode()}.
 */
public record Status(State state, Instant time, String agentVersion, Map<String, String> models, String configHash,
                     List<String> auditCameras) implements WireMessage {

    public enum State { ONLINE, OFFLINE }

    public Status {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(time, "time");
        models = Map.copyOf(models);
        auditCameras = List.copyOf(auditCameras);
    }

    /** A status with no camera in audit mode on its own. */
    public Status(final State state, final Instant time, final String agentVersion, final Map<String, String> models,
                  final String configHash) {
        this(state, time, agentVersion, models, configHash, List.of());
    }

    public static Status offline(final Instant time) {
        return new Status(State.OFFLINE, time, null, Map.of(), null);
    }

    @Override
    public Kind kind() {
        return Kind.STATUS;
    }
}
