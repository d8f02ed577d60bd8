package dev.winnow.models.card;

/**
 * A {@code model.json} that cannot be trusted: malformed JSON, an unknown key, a missing key or a value out
 * of range. The message always names the offending key (dotted path, e.g. {@code input.width}).
 */
public final class InvalidModelCardException extends IllegalArgumentException {

    private final String key;

    public InvalidModelCardException(final String key, final String problem) {
        super("model card key '" + key + "' " + problem);
        this.key = key;
    }

    public InvalidModelCardException(final String message, final Throwable cause) {
        super(message, cause);
        this.key = "";
    }

    /** The dotted path of the offending key; empty when the file as a whole is unreadable. */
    public String key() {
        return key;
    }
}
