package dev.winnow.server.ingest;

import dev.winnow.server.api.Web;
import dev.winnow.server.store.EventStore;
import io.javalin.Javalin;
import java.util.Map;

/**
 * Shows engineers the messages the database refused ({@code ingest_dead_letters}), on the fleet page.
 *
 * <pre>
 * GET  /api/fleet/dead-letters?limit=N   {count, latest: [{id, receivedAt, topic, payload, error}]}, newest first
 * POST /api/fleet/dead-letters/{id}/store  stores it again once the cause is fixed: {stored: true}; 409 with the
 *                                          database's reason when it is refused again; 404 when there is no such one
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
        app.post("/api/fleet/dead-letters/{id}/store", ctx -> {
            final long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            } catch (final NumberFormatException e) {
                throw new Web.BadInput("dead letter id must be a number, got '" + Web.cut(ctx.pathParam("id")) + "'");
            }
            final boolean stored;
            try {
                stored = store.storeDeadLetterAgain(id);
            } catch (final java.sql.SQLException e) {
                if (EventStore.isRefusal(e)) {
                    throw new Web.Conflict("the database refused it again: " + Ingest.reason(e));
                }
                throw e;
            }
            if (!stored) {
                throw new Web.NotFound("no dead letter " + id);
            }
            ctx.json(Map.of("stored", true));
        });
    }
}
