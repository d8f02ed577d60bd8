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
 * @param boot         nullable: how many times the agent has started on this device (1, 2, …; kept in its state
 *                     folder). A status with a higher count is newer whatever its time says: a device's clock may
 *                     step backwards across a restart (a Pi has no real-time clock and may boot before NTP), and a
 *                     server ordering statuses by time alone would then keep the one from before the restart.
 *                     Absent from agents that predate it.
 */
public record Status(State state, Instant time, String agentVersion, Map<String, String> models, String configHash,
                     List<String> auditCameras, Long boot) implements WireMessage {

    public enum State { ONLINE, OFFLINE }

    public Status {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(time, "time");
        models = Map.copyOf(models);
        auditCameras = List.copyOf(auditCameras);
        if (boot != null && boot < 1) {
            throw new IllegalArgumentException("boot must be 1 or more, got " + boot);
        }
    }

    /** A status with no start count (an agent that predates it, or a test). */
    public Status(final State state, final Instant time, final String agentVersion, final Map<String, String> models,
                  final String configHash, final List<String> auditCameras) {
        this(state, time, agentVersion, models, configHash, auditCameras, null);
    }

    /** A status with no camera in audit mode on its own. */
    public Status(final State state, final Instant time, final String agentVersion, final Map<String, String> models,
                  final String configHash) {
        this(state, time, agentVersion, models, configHash, List.of(), null);
    }

    /** The same status stamped with the agent's start count. */
    public Status withBoot(final long count) {
        return new Status(state, time, agentVersion, models, configHash, auditCameras, count);
    }

    public static Status offline(final Instant time) {
        return new Status(State.OFFLINE, time, null, Map.of(), null);
    }

    @Override
    public Kind kind() {
        return Kind.STATUS;
    }
}
