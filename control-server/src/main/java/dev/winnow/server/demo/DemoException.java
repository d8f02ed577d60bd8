package dev.winnow.server.demo;

/** The demo cannot start; the message says why and what to do, for a person. */
public final class DemoException extends RuntimeException {

    public DemoException(final String message) {
        super(message);
    }

    public DemoException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
