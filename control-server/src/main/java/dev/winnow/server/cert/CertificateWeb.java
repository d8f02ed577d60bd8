package dev.winnow.server.cert;

import static dev.winnow.server.report.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.report.ReportRenderer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;

/**
 * Certificate routes (the customer desk's API).
 *
 * <pre>
 * GET  /api/lots/{lot}/certificate        the lot's certificate as JSON (?format=pdf for the PDF); 404 unknown lot
 * GET  /api/lots/{lot}/certificate.pdf    the same as PDF
 * GET  /api/certificates/{id}             an issued certificate by id (JSON)
 * POST /api/certificates/verify           body: a certificate JSON -> {valid}
 * </pre>
 */
public final class CertificateWeb {

    private final CertificateService service;

    public CertificateWeb(final CertificateService service) {
        this.service = service;
    }

    public void routes(final Javalin app) {
        app.get("/api/lots/{lot}/certificate", ctx -> {
            if ("pdf".equals(ctx.queryParam("format"))) {
                pdf(ctx);
            } else {
                respond(ctx, service.certificate(lot(ctx)), false);
            }
        });
        app.get("/api/lots/{lot}/certificate.pdf", this::pdf);
        app.get("/api/certificates/{id}", ctx -> respond(ctx, service.byId(ctx.pathParam("id")), false));
        app.get("/api/certificates/{id}/pdf", ctx -> respond(ctx, service.byId(ctx.pathParam("id")), true));
        app.post("/api/certificates/verify", ctx -> {
            JsonNode doc;
            try {
                doc = CertificateService.CANONICAL.readTree(ctx.body());
            } catch (Exception e) {
                doc = null;
            }
            ctx.json(Map.of("valid", doc != null && service.verify(doc)));
        });
    }

    private void pdf(final Context ctx) {
        respond(ctx, service.certificate(lot(ctx)), true);
    }

    private static String lot(final Context ctx) {
        final String lot = ctx.pathParam("lot");
        if (lot.isEmpty() || lot.length() > 1024) {
            throw new io.javalin.http.BadRequestResponse("lot must be 1..1024 characters");
        }
        return lot;
    }

    private static void respond(final Context ctx, final Optional<CertificateService.Issued> c, final boolean pdf) {
        if (c.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no inspection data for this lot"));
            return;
        }
        if (pdf) {
            ctx.contentType("application/pdf").header("Content-Disposition",
                    "attachment; filename=\"" + c.get().id() + ".pdf\"").result(pdf(c.get()));
        } else {
            ctx.contentType("application/json").result(CertificateService.canonicalPretty(c.get().document()));
        }
    }

    /** The certificate as an A4 PDF. */
    public static byte[] pdf(final CertificateService.Issued c) {
        final JsonNode d = c.document();
        final JsonNode k = d.get("content");
        final StringBuilder b = new StringBuilder(8192);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><style>")
                .append("@page { size: A4; margin: 20mm 18mm; } body { font-family: Helvetica, Arial, sans-serif; ")
                .append("font-size: 10pt; color: #1f2328; } h1 { color: #1a7f37; font-size: 20pt; margin: 0; } ")
                .append(".sub { color: #59636e; } table { width: 100%; border-collapse: collapse; margin: 6pt 0 12pt 0; } ")
                .append("th { background: #f0f3f6; text-align: left; padding: 3pt 5pt; font-size: 8.5pt; } ")
                .append("td { padding: 3pt 5pt; border-bottom: 0.5pt solid #d8dee4; } td.n, th.n { text-align: right; } ")
                .append(".big { font-size: 16pt; font-weight: bold; } .box { border: 1pt solid #1a7f37; padding: 8pt; ")
                .append("margin: 10pt 0; } .hash { font-family: Courier, monospace; font-size: 8pt; word-wrap: break-word; } ")
                .append("h2 { font-size: 12pt; margin: 14pt 0 2pt 0; }</style></head><body>");
        b.append("<h1>Lot quality certificate</h1><p class=\"sub\">Certificate <b>").append(esc(c.id()))
                .append("</b> &#183; issued ").append(esc(d.get("issued_at").asText())).append(" by ")
                .append(esc(d.get("issuer").asText())).append("</p>");
        b.append("<div class=\"box\"><div>Lot</div><div class=\"big\">").append(esc(c.lot())).append("</div>")
                .append("<div>Inspected ").append(esc(k.get("from").asText())).append(" to ")
                .append(esc(k.get("to").asText())).append("</div></div>");
        b.append("<table><tr><th>Product inspected</th><th class=\"n\">Contaminants removed</th>")
                .append("<th class=\"n\">Removed per tonne</th><th class=\"n\">Audit detections excluded</th></tr><tr><td>")
                .append(esc(k.get("tonnes_inspected").asText())).append(" t</td><td class=\"n\">")
                .append(k.get("removed_total").asLong()).append("</td><td class=\"n\">")
                .append(esc(k.path("removed_per_tonne").asText("-"))).append("</td><td class=\"n\">")
                .append(k.get("audit_detections_excluded").asLong()).append("</td></tr></table>");
        b.append("<h2>Contaminants removed per class</h2><table><tr><th>Class</th><th class=\"n\">Removed</th>")
                .append("<th class=\"n\">per tonne</th></tr>");
        k.get("removed_per_class").fields().forEachRemaining(e -> b.append("<tr><td>").append(esc(e.getKey()))
                .append("</td><td class=\"n\">").append(e.getValue().asLong()).append("</td><td class=\"n\">")
                .append(esc(k.get("removed_per_class_per_tonne").path(e.getKey()).asText("-"))).append("</td></tr>"));
        b.append("</table><h2>Lines and times</h2><table><tr><th>Site / line</th><th>From (UTC)</th><th>To (UTC)</th>")
                .append("<th class=\"n\">Running h</th><th class=\"n\">kg/h</th><th class=\"n\">Tonnes</th></tr>");
        k.get("lines").forEach(l -> b.append("<tr><td>").append(esc(l.get("site").asText())).append(" / ")
                .append(esc(l.get("line").asText())).append("</td><td>").append(esc(l.get("from").asText()))
                .append("</td><td>").append(esc(l.get("to").asText())).append("</td><td class=\"n\">")
                .append(String.format(java.util.Locale.ROOT, "%.2f", l.get("running_ms").asLong() / 3_600_000.0))
                .append("</td><td class=\"n\">").append(esc(l.get("throughput_kg_h").asText()))
                .append("</td><td class=\"n\">").append(esc(l.get("tonnes").asText())).append("</td></tr>"));
        b.append("</table><h2>Inspection set-up</h2><p>Model versions: ");
        final StringBuilder ms = new StringBuilder();
        k.get("model_versions").forEach(m -> ms.append(ms.length() == 0 ? "" : ", ").append(m.asText()));
        b.append(esc(ms.length() == 0 ? "-" : ms.toString())).append("</p>");
        final int audits = k.get("audit_periods_excluded").size();
        b.append("<p>Audit periods excluded: ").append(audits).append("</p>");
        if (audits > 0) {
            b.append("<table><tr><th>Site / line</th><th>From (UTC)</th><th>To (UTC)</th></tr>");
            int n = 0;
            for (JsonNode a : k.get("audit_periods_excluded")) {
                if (n++ == 15) {
                    b.append("<tr><td colspan=\"3\">and ").append(audits - 15).append(" more (see JSON)</td></tr>");
                    break;
                }
                b.append("<tr><td>").append(esc(a.get("site").asText())).append(" / ").append(esc(a.get("line").asText()))
                        .append("</td><td>").append(esc(a.get("from").asText())).append("</td><td>")
                        .append(esc(a.get("to").asText())).append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("<p class=\"sub\">").append(esc(k.get("method").asText())).append("</p>");
        b.append("<h2>Verification</h2><p class=\"sub\">").append(esc(d.get("hash_algorithm").asText()))
                .append(". Verify at POST /api/certificates/verify with the JSON from GET /api/certificates/")
                .append(esc(c.id())).append(".</p><p class=\"hash\">SHA-256 ").append(esc(d.get("sha256").asText()))
                .append("</p></body></html>");
        return ReportRenderer.pdf(b.toString());
    }
}
