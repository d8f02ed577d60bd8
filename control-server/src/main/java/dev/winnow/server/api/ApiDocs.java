package dev.winnow.server.api;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.fleet.FleetStore;
import dev.winnow.server.ingest.IngestCounters;
import io.javalin.Javalin;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /api/openapi.json}: the REST API described (OpenAPI 3.0, kept by hand in
 * {@code web/openapi.json}); {@code GET /api/docs}: a readable list of it; {@code GET /metrics}:
 * Prometheus text exposition format 0.0.4.
 */
public final class ApiDocs {

    private final ControlRoom room;
    private final WinnowServer server;
    private final String openapi = Web.resource("/web/openapi.json");
    private final String docs = Web.resource("/web/api-docs.html");

    ApiDocs(final ControlRoom room, final WinnowServer server) {
        this.room = room;
        this.server = server;
    }

    public void install(final Javalin app) {
        app.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));
        app.get("/api/docs", ctx -> ctx.html(docs));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics()));
    }

    String metrics() {
        final StringBuilder b = new StringBuilder();
        final IngestCounters in = server.ingestCounters();
        counter(b, "winnow_ingest_received_total", "MQTT messages received by the ingest", in.received());
        counter(b, "winnow_ingest_stored_total", "messages stored", in.stored());
        counter(b, "winnow_ingest_duplicates_total", "duplicate messages skipped", in.duplicates());
        counter(b, "winnow_ingest_batches_total", "store transactions", in.batches());
        counter(b, "winnow_ingest_store_failures_total", "failed store transactions", in.storeFailures());
        counter(b, "winnow_ingest_dead_lettered_total", "messages the database refused, kept in ingest_dead_letters",
                in.deadLettered());
        counter(b, "winnow_ingest_rejected_total", "malformed messages refused", in.rejectedTotal());
        counter(b, "winnow_rejections_stored_total", "rejection events in the store", server.store().countRejections());
        final Instant now = Instant.now();
        final var devices = room.fleet().devices(now);
        b.append("# HELP winnow_device_up 1 when the device is online\n# TYPE winnow_device_up gauge\n");
        for (FleetStore.Device d : devices) {
            b.append("winnow_device_up").append(labels(d)).append(' ').append(d.online() ? 1 : 0).append('\n');
        }
        b.append("# HELP winnow_device_fps frames per second in the last stats interval\n# TYPE winnow_device_fps gauge\n");
        for (FleetStore.Device d : devices) {
            if (d.fps() != null) {
                b.append("winnow_device_fps").append(labels(d)).append(' ').append(d.fps()).append('\n');
            }
        }
        b.append("# HELP winnow_device_dropped_frames_ratio share of frames dropped (inference behind the camera) in the "
                + "last stats interval\n# TYPE winnow_device_dropped_frames_ratio gauge\n");
        for (FleetStore.Device d : devices) {
            if (d.droppedFramesPct() != null) {
                b.append("winnow_device_dropped_frames_ratio").append(labels(d)).append(' ')
                        .append(d.droppedFramesPct() / 100).append('\n');
            }
        }
        b.append("# HELP winnow_device_outbox_depth events buffered on the device\n# TYPE winnow_device_outbox_depth gauge\n");
        for (FleetStore.Device d : devices) {
            if (d.outboxDepth() != null) {
                b.append("winnow_device_outbox_depth").append(labels(d)).append(' ').append(d.outboxDepth()).append('\n');
            }
        }
        b.append("# HELP winnow_device_cpu_temperature_celsius CPU temperature\n"
                + "# TYPE winnow_device_cpu_temperature_celsius gauge\n");
        for (FleetStore.Device d : devices) {
            if (d.cpuTemperatureC() != null) {
                b.append("winnow_device_cpu_temperature_celsius").append(labels(d)).append(' ')
                        .append(d.cpuTemperatureC()).append('\n');
            }
        }
        final Map<String, Integer> bySeverity = new TreeMap<>();
        for (var a : room.fleet().activeAlarms(now)) {
            bySeverity.merge(a.severity(), 1, Integer::sum);
        }
        b.append("# HELP winnow_alarms_active active alarms\n# TYPE winnow_alarms_active gauge\n");
        for (String s : new String[] {"info", "warning", "critical"}) {
            b.append("winnow_alarms_active{severity=\"").append(s).append("\"} ").append(bySeverity.getOrDefault(s, 0))
                    .append('\n');
        }
        final Map<String, Integer> models = new TreeMap<>();
        room.registry().list().forEach(v -> models.merge(v.state(), 1, Integer::sum));
        b.append("# HELP winnow_models model versions in the registry by state\n# TYPE winnow_models gauge\n");
        models.forEach((k, v) -> b.append("winnow_models{state=\"").append(esc(k)).append("\"} ").append(v).append('\n'));
        final Map<String, Integer> rollouts = new TreeMap<>();
        room.rollouts().list().forEach(r -> rollouts.merge((String) r.get("state"), 1, Integer::sum));
        b.append("# HELP winnow_rollouts rollouts by state\n# TYPE winnow_rollouts gauge\n");
        rollouts.forEach((k, v) -> b.append("winnow_rollouts{state=\"").append(esc(k)).append("\"} ").append(v).append('\n'));
        b.append("# HELP winnow_up 1 while the control server serves\n# TYPE winnow_up gauge\nwinnow_up 1\n");
        return b.toString();
    }

    private static void counter(final StringBuilder b, final String name, final String help, final long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n').append("# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(v).append('\n');
    }

    private static String labels(final FleetStore.Device d) {
        return String.format(Locale.ROOT, "{site=\"%s\",line=\"%s\",device=\"%s\"}", esc(d.site()), esc(d.line()),
                esc(d.device()));
    }

    private static String esc(final String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
