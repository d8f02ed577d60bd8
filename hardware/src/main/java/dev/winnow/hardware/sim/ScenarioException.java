package dev.winnow.hardware.sim;

/** A scenario file that cannot be accepted; the message names the offending key and value. */
public final class ScenarioException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     dotted path of the offending key, e.g. {@code belt.speedMps}; never null ("" = whole file)
     * @param message what is wrong, never null
     */
    public ScenarioException(final String key, final String message) {
        super(key.isEmpty() ? message : key + ": " + message);
        this.key = key;
    }

    /** @return the dotted path of the offending key, never null */
    public String key() {
        return key;
    }
}
