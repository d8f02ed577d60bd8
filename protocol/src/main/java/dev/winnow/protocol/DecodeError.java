package dev.winnow.protocol;

import java.util.Objects;

/**
 * Why a topic or payload was refused.
 *
 * @param rule    the rule that was broken
 * @param field   the JSON field or topic part at fault; nullable when the whole input is at fault
 * @param message a sentence for people that names the problem
 */
public record DecodeError(Rule rule, String field, String message) {

    /** One value per malformed-input rule; the server counts refusals by it. */
    public enum Rule {
        EMPTY,
        OVERSIZED,
        NOT_JSON,
        NOT_AN_OBJECT,
        MISSING_SCHEMA,
        UNSUPPORTED_SCHEMA,
        MISSING_FIELD,
        WRONG_TYPE,
        OUT_OF_RANGE,
        BAD_VALUE,
        UNKNOWN_FIELD,
        BAD_TOPIC
    }

    public DecodeError {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return rule + (field == null ? "" : " [" + field + "]") + ": " + message;
    }
}
