package dev.winnow.server.store;

import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireMessage;
import java.util.Objects;

/** One decoded message and the topic it came on, ready to store. */
public record Inbound(Topic topic, WireMessage message) {
    public Inbound {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(message, "message");
    }
}
