package dev.winnow.server.store;

import java.sql.SQLException;

/** A database failure while answering a query. */
public final class StoreException extends RuntimeException {
    public StoreException(final SQLException cause) {
        super("database error: " + cause.getMessage(), cause);
    }
}
