package dev.winnow.server.line;

import dev.winnow.protocol.Topic;
import dev.winnow.server.store.EventStore;
import dev.winnow.server.store.StoreException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The web side of the live line view: the pages, their JSON API and the SSE stream.
 *
 * <pre>
 * GET /                                       lines overview (HTML)
 * GET /lines/{site}/{line}                    live line page (HTML)
 * GET /api/lines                              every line with state
 * GET /api/lines/{site}/{line}/summary        ?minutes=30 (1..1440) rejections per minute and class
 * GET /api/lines/{site}/{line}/rejections     ?limit=50 (1..1000) latest rejections, newest first
 * SSE /api/lines/{site}/{line}/events         events: hello, summary, rejections
 * GET /api/health                             broker, database, ingest counters (503 when something is down)
 * </pre>
 */
public final class LineWeb {

    /** What {@code /api/health} reports; {@code ok()} decides 200 or 503. */
    public interface Health {
        boolean ok();

        Object body();
    }

    private final EventStore store;
    private final LiveHub hub;
    private final Supplier<Health> health;
    private final Clock clock;
    private final String indexHtml = resource("/web/index.html");
    private final String lineHtml = resource("/web/line.html");

    public LineWeb(final EventStore store, final LiveHub hub, final Supplier<Health> health, final Clock clock) {
        this.store = store;
        this.hub = hub;
        this.health = health;
        this.clock = clock;
    }

    /** Creates the Javalin app with every route; the caller starts it. */
    public Javalin create() {
        final Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            // model uploads (the registry checks each file's own limit and answers 413 with a message)
            cfg.jetty.multipartConfig.maxFileSize(dev.winnow.server.registry.ModelRegistry.MAX_DATASET,
                    io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxTotalRequestSize(dev.winnow.server.registry.ModelRegistry.MAX_REQUEST,
                    io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, io.javalin.config.SizeUnit.MB);
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/assets";
                sf.directory = "/web/assets";
                sf.location = Location.CLASSPATH;
            });
        });
        routes(app);
        return app;
    }

    public void routes(final Javalin app) {
        app.get("/", ctx -> ctx.html(indexHtml));
        app.get("/lines/{site}/{line}", ctx -> {
            name(ctx, "site");
            name(ctx, "line");
            ctx.html(lineHtml);
        });
        app.get("/api/lines", ctx -> ctx.json(Map.of("lines", store.lines(clock.instant()))));
        app.get("/api/lines/{site}/{line}/summary", ctx -> {
            final int minutes = intParam(ctx, "minutes", LiveHub.SUMMARY_MINUTES, 1, 1440);
            ctx.json(store.summary(name(ctx, "site"), name(ctx, "line"), minutes, clock.instant()));
        });
        app.get("/api/lines/{site}/{line}/rejections", ctx -> {
            final int limit = intParam(ctx, "limit", 50, 1, 1000);
            ctx.json(Map.of("rejections", store.latestRejections(name(ctx, "site"), name(ctx, "line"), limit)));
        });
        app.sse("/api/lines/{site}/{line}/events", client -> {
            final String site = client.ctx().pathParam("site");
            final String line = client.ctx().pathParam("line");
            if (!Topic.NAME.matcher(site).matches() || !Topic.NAME.matcher(line).matches()) {
                client.sendEvent("error", "{\"error\":\"site and line must match " + Topic.NAME.pattern() + "\"}");
                client.close();
                return;
            }
            client.keepAlive();
            hub.watch(site, line, client);
        });
        app.get("/api/health", ctx -> {
            final Health h = health.get();
            ctx.status(h.ok() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(h.body());
        });
        app.exception(BadRequest.class, (e, ctx) ->
                ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", e.getMessage())));
        app.exception(StoreException.class, (e, ctx) ->
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", e.getMessage())));
    }

    static final class BadRequest extends RuntimeException {
        BadRequest(final String message) {
            super(message);
        }
    }

    private static String name(final Context ctx, final String param) {
        final String v = ctx.pathParam(param);
        if (!Topic.NAME.matcher(v).matches()) {
            throw new BadRequest(param + " '" + abbreviate(v) + "' must match " + Topic.NAME.pattern());
        }
        return v;
    }

    private static int intParam(final Context ctx, final String param, final int dflt, final int min, final int max) {
        final String v = ctx.queryParam(param);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        final int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadRequest(param + " '" + abbreviate(v) + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new BadRequest(param + " " + n + " is out of range [" + min + ", " + max + "]");
        }
        return n;
    }

    private static String abbreviate(final String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static String resource(final String path) {
        try (InputStream in = LineWeb.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
