package dev.winnow.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * A device's answer to a command.
 *
 * @param id     the command's id
 * @param reason nullable for {@code accepted} and {@code done}; required for {@code refused} and {@code failed}
 */
public record CommandResult(String id, String name, Outcome outcome, String reason, Instant time)
        implements WireMessage {

    public enum Outcome { ACCEPTED, REFUSED, DONE, FAILED }

    public CommandResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(time, "time");
        if ((outcome == Outcome.REFUSED || outcome == Outcome.FAILED) && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException(outcome + " needs a reason");
        }
    }

    @Override
    public Kind kind() {
        return Kind.COMMAND_RESULT;
    }
}
