package dev.winnow.server.config;

/** A bad configuration value. The message names the key at fault and what would be accepted. */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(final String key, final String message) {
        super(key == null ? message : "config key '" + key + "': " + message);
        this.key = key;
    }

    /** The dotted key at fault, e.g. {@code http.port}; nullable when the whole file is at fault. */
    public String key() {
        return key;
    }
}
