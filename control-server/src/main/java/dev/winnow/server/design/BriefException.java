package dev.winnow.server.design;

/** A brief the lab refuses: which field, and why. */
public final class BriefException extends RuntimeException {

    private final String field;
    private final String reason;

    public BriefException(final String field, final String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
