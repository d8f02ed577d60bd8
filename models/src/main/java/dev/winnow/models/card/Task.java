package dev.winnow.models.card;

/** What a model does; the card's {@code task} field, spelled in lower case on the wire. */
public enum Task {
    DETECT("detect"),
    SEGMENT("segment"),
    CLASSIFY("classify");

    private final String wire;

    Task(final String wire) {
        this.wire = wire;
    }

    /** The spelling used in {@code model.json}. */
    public String wire() {
        return wire;
    }

    static Task parse(final String key, final String value) {
        for (final Task t : values()) {
            if (t.wire.equals(value)) {
                return t;
            }
        }
        throw new InvalidModelCardException(key, "must be one of detect, segment, classify but is '" + value + "'");
    }
}
