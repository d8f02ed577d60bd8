package dev.winnow.server.ingest;

import dev.winnow.server.api.Web;
import dev.winnow.server.store.EventStore;
import io.javalin.Javalin;
import java.util.Map;

/**
 * Shows engineers the messages the database refused ({@code ingest_dead_letters}), on the fleet page.
 *
 * <pre>
 * GET /api/fleet/dead-letters?limit=N   {count, latest: [{id, receivedAt, topic, payload, error}]}, newest first
 * </pre>
 */
public final class DeadLetterWeb {

    private final EventStore store;

    public DeadLetterWeb(final EventStore store) {
        this.store = store;
    }

    public void install(final Javalin app) {
        app.get("/api/fleet/dead-letters", ctx -> {
            final int limit = Web.intQuery(ctx, "limit", 20, 1, 500);
            ctx.json(Map.of("count", store.deadLetterCount(), "latest", store.deadLetters(limit)));
        });
    }
}
