package dev.winnow.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A command from the server to one device, e.g. {@code test-fire}, {@code set-lot}, {@code audit}; the
 * names and their arguments are in {@link Commands}.
 * Its name is also the last level of its topic.
 *
 * @param args command-specific arguments, validated by the device before anything is applied
 */
public record Command(String id, String name, Instant time, ObjectNode args) implements WireMessage {

    public Command {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(time, "time");
        args = args.deepCopy();
    }

    @Override
    public ObjectNode args() {
        return args.deepCopy();
    }

    @Override
    public Kind kind() {
        return Kind.COMMAND;
    }
}
