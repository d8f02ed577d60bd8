package dev.winnow.server.llm;

/** The language model could not be reached, refused, or answered something unusable. */
public final class LlmException extends RuntimeException {

    public LlmException(final String message) {
        super(message);
    }

    public LlmException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
