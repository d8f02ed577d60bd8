package dev.winnow.edge.config;

/** A configuration that must stop the agent at start; the message names the key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(final String message) {
        super(message);
    }
}
