package dev.winnow.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm raised or cleared on a device. A clear carries the same {@code cause} (and camera) as
 * the raise it ends.
 *
 * @param id     unique per message (raise and clear are two messages)
 * @param cause  machine token, e.g. {@code camera_stall}, {@code interlock}, {@code escape_rate}
 * @param camera nullable: the camera concerned
 */
public record Alarm(String id, Instant time, State state, Severity severity, String cause, String message,
                    String camera) implements WireMessage {

    public enum State { RAISED, CLEARED }

    public enum Severity { INFO, WARNING, CRITICAL }

    public Alarm {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public Kind kind() {
        return Kind.ALARM;
    }
}
