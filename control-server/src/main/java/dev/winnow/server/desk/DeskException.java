package dev.winnow.server.desk;

/** A request the desk refuses, with the HTTP status to answer and a message for people. */
public final class DeskException extends RuntimeException {

    private final int status;

    public DeskException(final int status, final String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
