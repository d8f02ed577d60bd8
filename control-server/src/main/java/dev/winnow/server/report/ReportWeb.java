package dev.winnow.server.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.protocol.Topic;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Report routes.
 *
 * <pre>
 * GET  /reports                             archive and "generate" page (HTML)
 * GET  /reports/{id}                        an archived report (HTML)
 * GET  /api/reports                         ?site= archived reports, newest first
 * GET  /api/reports/{id}/pdf | /csv | /html the documents
 * POST /api/reports/generate                {site, day, zone?, email?} -> job (202)
 * GET  /api/report-jobs/{id}                job state and progress 0..1
 * GET  /api/reports/sites                   sites with devices
 * GET  /api/report-settings, PUT            zone, run_at, enabled, recipients, smtp_*
 * GET  /api/line-settings/{site}/{line}, PUT throughput_kg_h, grams_per_ejection
 * </pre>
 */
final class ReportWeb {

    private final Reports reports;
    private final String page = ReportRenderer.resource("/web/reports.html");

    ReportWeb(final Reports reports) {
        this.reports = reports;
    }

    void routes(final Javalin app) {
        app.get("/reports", ctx -> ctx.html(page));
        app.get("/reports/{id}", ctx -> ctx.html(reports.archive().html(ctx.pathParam("id")).orElseThrow(
                () -> new io.javalin.http.NotFoundResponse("no report " + ctx.pathParam("id")))));
        app.get("/api/reports", ctx -> ctx.json(Map.of("reports",
                reports.archive().list(ctx.queryParam("site"), 500).stream().map(ReportArchive.Entry::json).toList())));
        app.get("/api/reports/sites", ctx -> ctx.json(Map.of("sites", reports.engine().sites(),
                "zone", reports.settings().get().zone().getId())));
        app.get("/api/reports/{id}/html", ctx -> ctx.html(reports.archive().html(ctx.pathParam("id"))
                .orElseThrow(() -> notFound(ctx))));
        app.get("/api/reports/{id}/csv", ctx -> {
            final ReportArchive.Entry e = reports.archive().get(ctx.pathParam("id")).orElseThrow(() -> notFound(ctx));
            ctx.contentType("text/csv; charset=utf-8").header("Content-Disposition",
                    "attachment; filename=\"winnow-" + e.site() + "-" + e.day() + ".csv\"")
                    .result(reports.archive().csv(e.id()).orElseThrow());
        });
        app.get("/api/reports/{id}/pdf", ctx -> {
            final ReportArchive.Entry e = reports.archive().get(ctx.pathParam("id")).orElseThrow(() -> notFound(ctx));
            ctx.contentType("application/pdf").header("Content-Disposition",
                    "attachment; filename=\"winnow-" + e.site() + "-" + e.day() + ".pdf\"")
                    .result(reports.archive().pdf(e.id()).orElseThrow());
        });
        app.post("/api/reports/generate", ctx -> {
            final JsonNode body = body(ctx);
            final String site = text(body, "site");
            if (site == null || !Topic.NAME.matcher(site).matches()) {
                bad(ctx, "site must match " + Topic.NAME.pattern());
                return;
            }
            final LocalDate day;
            final ZoneId zone;
            try {
                day = LocalDate.parse(text(body, "day"));
                zone = text(body, "zone") == null ? reports.settings().get().zone() : ZoneId.of(text(body, "zone"));
            } catch (DateTimeException | NullPointerException e) {
                bad(ctx, "day must be YYYY-MM-DD and zone a zone id, e.g. Europe/Berlin");
                return;
            }
            final boolean mail = body.path("email").asBoolean(false);
            ctx.status(HttpStatus.ACCEPTED).json(reports.submit(site, day, zone, mail));
        });
        app.get("/api/report-jobs/{id}", ctx -> {
            final Reports.Job j = reports.job(ctx.pathParam("id"));
            if (j == null) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no such job"));
            } else {
                ctx.json(j);
            }
        });
        app.get("/api/report-settings", ctx -> ctx.json(reports.settingsJson()));
        app.put("/api/report-settings", ctx -> {
            final JsonNode b = body(ctx);
            final ReportSettings cur = reports.settings().get();
            try {
                final List<String> rec = new ArrayList<>(cur.recipients());
                if (b.has("recipients")) {
                    rec.clear();
                    b.get("recipients").forEach(n -> rec.add(n.asText()));
                }
                final ReportSettings s = new ReportSettings(
                        b.has("zone") ? ZoneId.of(b.get("zone").asText()) : cur.zone(),
                        b.has("run_at") ? LocalTime.parse(b.get("run_at").asText()) : cur.runAt(),
                        b.has("enabled") ? b.get("enabled").asBoolean() : cur.enabled(), rec,
                        b.has("smtp_host") ? nullable(b, "smtp_host") : cur.smtpHost(),
                        b.has("smtp_port") ? b.get("smtp_port").asInt() : cur.smtpPort(),
                        b.has("smtp_from") ? nullable(b, "smtp_from") : cur.smtpFrom(),
                        b.has("smtp_user") ? nullable(b, "smtp_user") : cur.smtpUser(),
                        b.has("smtp_starttls") ? b.get("smtp_starttls").asBoolean() : cur.smtpStartTls());
                reports.settings().put(s, reports.clock().instant());
            } catch (DateTimeException e) {
                bad(ctx, "zone must be a zone id and run_at HH:MM: " + e.getMessage());
                return;
            }
            ctx.json(reports.settingsJson());
        });
        app.get("/api/line-settings/{site}/{line}", ctx -> ctx.json(lineJson(reports.lineSettings()
                .get(ctx.pathParam("site"), ctx.pathParam("line")))));
        app.put("/api/line-settings/{site}/{line}", ctx -> {
            final String site = ctx.pathParam("site");
            final String line = ctx.pathParam("line");
            if (!Topic.NAME.matcher(site).matches() || !Topic.NAME.matcher(line).matches()) {
                bad(ctx, "site and line must match " + Topic.NAME.pattern());
                return;
            }
            final JsonNode b = body(ctx);
            final LineSettings s;
            try {
                s = new LineSettings(site, line, b.path("throughput_kg_h").asDouble(Double.NaN),
                        b.path("grams_per_ejection").asDouble(Double.NaN), true);
            } catch (IllegalArgumentException e) {
                bad(ctx, e.getMessage());
                return;
            }
            reports.lineSettings().put(s, reports.clock().instant());
            ctx.json(lineJson(s));
        });
    }

    private static Map<String, Object> lineJson(final LineSettings s) {
        return Map.of("site", s.site(), "line", s.line(), "throughput_kg_h", s.throughputKgH(),
                "grams_per_ejection", s.gramsPerEjection(), "configured", s.configured());
    }

    private static io.javalin.http.NotFoundResponse notFound(final Context ctx) {
        return new io.javalin.http.NotFoundResponse("no report " + ctx.pathParam("id"));
    }

    private static JsonNode body(final Context ctx) {
        try {
            return dev.winnow.server.line.Json.MAPPER.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
        } catch (Exception e) {
            return dev.winnow.server.line.Json.MAPPER.createObjectNode();
        }
    }

    private static String text(final JsonNode b, final String f) {
        return b.hasNonNull(f) ? b.get(f).asText() : null;
    }

    private static String nullable(final JsonNode b, final String f) {
        return b.get(f).isNull() ? null : b.get(f).asText();
    }

    private static void bad(final Context ctx, final String msg) {
        ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", msg));
    }
}
