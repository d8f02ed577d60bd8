package dev.winnow.server.report;

import static dev.winnow.server.report.Html.change;
import static dev.winnow.server.report.Html.count;
import static dev.winnow.server.report.Html.esc;
import static dev.winnow.server.report.Html.num;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The report as HTML (screen: dark, inline SVG charts; print: light, PNG charts, A4 pages), as the
 * PDF made from the print HTML, and as CSV of the figures.
 */
public final class ReportRenderer {

    private static final String PRINT_CSS = resource("/web/assets/report-print.css");
    /*
     * openhtmltopdf logs at INFO (fonts, config) on every render, straight to the console through
     * java.util.logging; an operator's console should only show its warnings, through the server's log.
     * (PDFBox logs through commons-logging to slf4j: see simplelogger.properties.)
     */
    static {
        com.openhtmltopdf.util.XRLog.setLoggerImpl(new WarningsOnly());
    }

    /** Passes openhtmltopdf's warnings and errors to the server log, nothing below. */
    private static final class WarningsOnly implements com.openhtmltopdf.util.XRLogger {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("report.pdf");

        @Override
        public void log(final String where, final java.util.logging.Level level, final String msg) {
            log(where, level, msg, null);
        }

        @Override
        public void log(final String where, final java.util.logging.Level level, final String msg,
                        final Throwable th) {
            if (level.intValue() >= java.util.logging.Level.WARNING.intValue()) {
                LOG.warn("{}: {}", where, msg, th);
            }
        }

        @Override
        public void setLevel(final String logger, final java.util.logging.Level level) {
        }

        @Override
        public boolean isLogLevelEnabled(final com.openhtmltopdf.util.Diagnostic diagnostic) {
            return diagnostic.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue();
        }
    }

    private ReportRenderer() {
    }

    public enum Medium { SCREEN, PRINT }

    // ---------------------------------------------------------------- HTML

    public static String html(final SiteReport r, final Medium m, final String archiveId) {
        final boolean screen = m == Medium.SCREEN;
        final Charts.Palette pal = screen ? Charts.DARK : Charts.LIGHT;
        final ZoneId z = r.window().zone();
        final StringBuilder b = new StringBuilder(64 * 1024);
        final String title = "Daily quality report - " + r.site() + " - " + r.window().day();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        b.append("<title>").append(esc(title)).append("</title>");
        if (screen) {
            b.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
            b.append("<link rel=\"stylesheet\" href=\"/assets/winnow.css\"/>");
            b.append("<link rel=\"stylesheet\" href=\"/assets/report.css\"/>");
        } else {
            b.append("<style>").append(PRINT_CSS).append("</style>");
        }
        b.append("</head><body class=\"report ").append(screen ? "screen" : "print").append("\">");
        if (screen) {
            b.append("<header class=\"bar\"><a class=\"brand\" href=\"/\">WINNOW</a><div class=\"crumbs\">")
                    .append("<a href=\"/reports\">Reports</a> / <strong>").append(esc(r.site())).append(" ")
                    .append(r.window().day()).append("</strong></div>");
            if (archiveId != null) {
                b.append("<a class=\"btn\" href=\"/api/reports/").append(esc(archiveId)).append("/pdf\">PDF</a>")
                        .append("<a class=\"btn\" href=\"/api/reports/").append(esc(archiveId)).append("/csv\">CSV</a>");
            }
            b.append("</header>");
        }
        b.append("<main class=\"rp\">");
        b.append("<h1>Daily quality report</h1>");
        b.append("<p class=\"sub\">Site <b>").append(esc(r.site())).append("</b> &#183; ").append(r.window().day())
                .append(" &#183; ").append(esc(z.getId())).append(" &#183; ").append(r.window().hours())
                .append(" hours &#183; generated ").append(esc(Html.dateTime(r.generatedAt(), z))).append("</p>");

        // ---- site figures
        final long ej = r.ejections();
        final double t = r.tonnes();
        final long escapes = r.escapes();
        b.append("<div class=\"kpis\">");
        kpi(b, "Product inspected", num(t, 1) + " t", Html.hours(r.runningMs()) + " line-hours running");
        kpi(b, "Contaminants removed", count(ej), num(LineDay.perTonne(ej, t), 1) + " per tonne");
        kpi(b, "Cotton lost", num(r.cottonLostKg(), 1) + " kg",
                num(t > 0 ? r.cottonLostKg() * 1000 / t : Double.NaN, 0) + " g per tonne");
        kpi(b, "Escapes", count(escapes), "capture estimate " + Html.pct(LineDay.capture(ej, escapes)));
        kpi(b, "Late decisions", count(r.late()), "");
        b.append("</div>");

        b.append("<h2>Lines</h2><table class=\"t\"><thead><tr><th>Line</th><th>Running h</th><th>Tonnes</th>")
                .append("<th>Removed</th><th>per hour</th><th>per tonne</th><th>vs 7 d</th><th>vs 30 d</th>")
                .append("<th>Cotton lost kg</th><th>Escapes</th><th>Late</th><th>Capture</th>")
                .append("<th>Frames inspected</th><th>Down h</th><th>Alarms</th></tr></thead><tbody>");
        for (LineDay d : r.lines()) {
            b.append("<tr><td>").append(screen ? "<a href=\"#line-" + esc(d.line()) + "\">" + esc(d.line()) + "</a>"
                    : esc(d.line())).append("</td>");
            cell(b, Html.hours(d.runningMs()));
            cell(b, num(d.tonnes(), 2));
            cell(b, count(d.ejections()));
            cell(b, num(d.ejectionsPerHour(), 1));
            cell(b, num(d.ejectionsPerTonne(), 2));
            cell(b, change(d.ejectionsPerTonne(), d.trend().perTonne7()));
            cell(b, change(d.ejectionsPerTonne(), d.trend().perTonne30()));
            cell(b, num(d.cottonLostKg(), 2));
            cell(b, count(d.escapes()));
            cell(b, count(d.late()));
            cell(b, Html.pct(d.captureEstimate()));
            cell(b, Html.pct(d.framesInspectedShare()));
            cell(b, Html.hours(d.offlineMs() + d.faultMs() + d.auditMs()));
            cell(b, String.valueOf(d.alarms().size()));
            b.append("</tr>");
        }
        b.append("</tbody></table>");
        if (!r.lines().isEmpty()) {
            final List<String> names = r.lines().stream().map(LineDay::line).toList();
            final double[] v = r.lines().stream().mapToDouble(LineDay::ejectionsPerTonne).toArray();
            final double[] ref = r.lines().stream().mapToDouble(d -> d.trend().perTonne7()).toArray();
            final double h = 40 + 26 * names.size();
            b.append(chart(m, 900, h, c -> Charts.bars(c, 900, h, pal, names, v, ref, "Removed per tonne")));
        }
        final List<String> notes = new ArrayList<>();
        for (LineDay d : r.lines()) {
            if (!d.settings().configured()) {
                notes.add(d.line());
            }
        }
        if (!notes.isEmpty()) {
            b.append("<p class=\"note\">Throughput not configured for ").append(esc(String.join(", ", notes)))
                    .append(": tonnes use the default ").append(num(LineSettings.DEFAULT_THROUGHPUT_KG_H, 0))
                    .append(" kg/h and ").append(num(LineSettings.DEFAULT_GRAMS_PER_EJECTION, 1))
                    .append(" g per ejection.</p>");
        }
        b.append("<p class=\"note\">Tonnes = configured throughput x running time (audit, fault and offline time "
                + "excluded). Removed = ejections fired (audit-mode detections are listed apart). Capture estimate = "
                + "removed / (removed + escapes counted by the edge).</p>");

        for (LineDay d : r.lines()) {
            line(b, r, d, m, pal);
        }
        b.append("</main></body></html>");
        return b.toString();
    }

    private static void line(final StringBuilder b, final SiteReport r, final LineDay d, final Medium m,
                             final Charts.Palette pal) {
        final ZoneId z = r.window().zone();
        final LineDay.Trend tr = d.trend();
        b.append("<section class=\"line\" id=\"line-").append(esc(d.line())).append("\">");
        b.append("<h2>Line ").append(esc(d.line())).append("</h2>");
        b.append("<p class=\"sub\">").append(num(d.settings().throughputKgH(), 0)).append(" kg/h, ")
                .append(num(d.settings().gramsPerEjection(), 1)).append(" g per ejection")
                .append(d.settings().configured() ? "" : " (defaults)").append("</p>");
        b.append("<div class=\"kpis\">");
        kpi(b, "Inspected", num(d.tonnes(), 2) + " t", Html.duration(d.runningMs()) + " running"
                + (Double.isNaN(d.framesInspectedShare()) ? "" : ", " + Html.pct(d.framesInspectedShare()) + " of frames"));
        kpi(b, "Removed", count(d.ejections()), num(d.ejectionsPerHour(), 1) + " /h, "
                + num(d.ejectionsPerTonne(), 2) + " /t");
        kpi(b, "vs previous 7 d", change(d.ejectionsPerTonne(), tr.perTonne7()),
                num(tr.perTonne7(), 2) + " /t over " + tr.days7() + " days");
        kpi(b, "vs previous 30 d", change(d.ejectionsPerTonne(), tr.perTonne30()),
                num(tr.perTonne30(), 2) + " /t over " + tr.days30() + " days");
        kpi(b, "Cotton lost", num(d.cottonLostKg(), 2) + " kg", num(d.cottonLostGPerTonne(), 0) + " g/t");
        kpi(b, "Escapes / late", count(d.escapes()) + " / " + count(d.late()),
                "capture " + Html.pct(d.captureEstimate()));
        b.append("</div>");

        b.append("<h3>Contaminants removed per class</h3><table class=\"t\"><thead><tr><th>Class</th><th>Removed</th>")
                .append("<th>per hour</th><th>per tonne</th><th>7 d per tonne</th><th>30 d per tonne</th>")
                .append("</tr></thead><tbody>");
        for (Map.Entry<String, Long> e : d.classes().entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td>");
            cell(b, count(e.getValue()));
            cell(b, num(LineDay.perHour(e.getValue(), d.runningMs()), 1));
            cell(b, num(LineDay.perTonne(e.getValue(), d.tonnes()), 2));
            cell(b, num(LineDay.perTonne(tr.classes7().getOrDefault(e.getKey(), 0L), tr.tonnes7()), 2));
            cell(b, num(LineDay.perTonne(tr.classes30().getOrDefault(e.getKey(), 0L), tr.tonnes30()), 2));
            b.append("</tr>");
        }
        b.append("<tr class=\"total\"><td>all</td>");
        cell(b, count(d.ejections()));
        cell(b, num(d.ejectionsPerHour(), 1));
        cell(b, num(d.ejectionsPerTonne(), 2));
        cell(b, num(tr.perTonne7(), 2));
        cell(b, num(tr.perTonne30(), 2));
        b.append("</tr></tbody></table>");
        if (d.auditDetections() > 0) {
            b.append("<p class=\"note\">").append(count(d.auditDetections()))
                    .append(d.auditDetections() == 1 ? " detection in audit mode (valves did not fire) is"
                            : " detections in audit mode (valves did not fire) are").append(" not counted as removed.</p>");
        }

        final List<String> labels = r.window().hourLabels();
        b.append("<h3>Removed per hour</h3>");
        b.append(chart(m, 900, 230, c -> Charts.hourly(c, 900, 230, pal, labels, d.hourlyByClass())));
        if (!d.worstHours().isEmpty()) {
            b.append("<p class=\"worst\">Worst hours: ");
            final List<String> ws = new ArrayList<>();
            for (int h : d.worstHours()) {
                ws.add("<b>" + esc(labels.get(h)) + "</b> " + num(LineDay.perHour(d.hourly()[h], d.hourlyRunningMs()[h]), 0)
                        + "/h (" + count(d.hourly()[h]) + ")");
            }
            b.append(String.join(", ", ws)).append("</p>");
        }
        b.append("<h3>Removed per tonne, last 30 days</h3>");
        b.append(chart(m, 900, 190, c -> Charts.trend(c, 900, 190, pal, tr.series(), d.ejectionsPerTonne(),
                tr.perTonne7(), tr.perTonne30(), "Removed per tonne")));

        b.append("<h3>Lanes and cameras</h3>");
        final Set<Integer> hot = d.unusual().stream().filter(u -> u.what().startsWith("valve "))
                .map(u -> Integer.valueOf(u.what().substring(6))).collect(Collectors.toSet());
        b.append(chart(m, 900, 150, c -> Charts.lanes(c, 900, 150, pal, d.valves(), hot)));
        b.append("<p class=\"sub\">Cameras: ");
        b.append(d.cameras().entrySet().stream().map(e -> esc(e.getKey()) + " " + count(e.getValue()))
                .collect(Collectors.joining(", "))).append("</p>");
        if (d.unusual().isEmpty()) {
            b.append("<p class=\"ok\">No lane or camera with an unusual rate.</p>");
        } else {
            b.append("<table class=\"t\"><thead><tr><th>Unusual</th><th>Count</th><th>Expected</th><th>Why look</th>")
                    .append("</tr></thead><tbody>");
            for (LineDay.Unusual u : d.unusual()) {
                b.append("<tr class=\"bad\"><td>").append(esc(u.what())).append("</td>");
                cell(b, count(u.count()));
                cell(b, num(u.expected(), 0));
                b.append("<td class=\"l\">").append(esc(u.reason())).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }

        b.append("<h3>Downtime and audit</h3>");
        b.append("<p class=\"sub\">Running ").append(Html.duration(d.runningMs())).append(" &#183; audit ")
                .append(Html.duration(d.auditMs())).append(" &#183; fault ").append(Html.duration(d.faultMs()))
                .append(" &#183; offline ").append(Html.duration(d.offlineMs())).append("</p>");
        if (!d.periods().isEmpty()) {
            b.append("<table class=\"t\"><thead><tr><th>Kind</th><th>From</th><th>To</th><th>Length</th></tr>")
                    .append("</thead><tbody>");
            final List<LineDay.Period> ps = d.periods();
            final int shown = Math.min(ps.size(), 20);
            for (int i = 0; i < shown; i++) {
                final LineDay.Period p = ps.get(i);
                b.append("<tr><td class=\"l\">").append(esc(p.kind())).append("</td>");
                cell(b, Html.time(p.from(), z));
                cell(b, Html.time(p.to(), z));
                cell(b, Html.duration(p.millis()));
                b.append("</tr>");
            }
            b.append("</tbody></table>");
            if (ps.size() > shown) {
                b.append("<p class=\"note\">and ").append(ps.size() - shown).append(" shorter periods (see CSV).</p>");
            }
        }

        b.append("<h3>Alarms</h3>");
        if (d.alarms().isEmpty()) {
            b.append("<p class=\"ok\">None raised.</p>");
        } else {
            b.append("<table class=\"t\"><thead><tr><th>Raised</th><th>Cleared</th><th>Severity</th><th>Cause</th>")
                    .append("<th>Device</th><th>Message</th></tr></thead><tbody>");
            for (LineDay.AlarmRow a : d.alarms()) {
                b.append("<tr class=\"").append(esc(a.severity())).append("\">");
                cell(b, Html.time(a.time(), z));
                cell(b, Html.time(a.cleared(), z));
                b.append("<td class=\"l\">").append(esc(a.severity())).append("</td><td class=\"l\">")
                        .append(esc(a.cause())).append("</td><td class=\"l\">").append(esc(a.device()))
                        .append(a.camera() == null ? "" : " / " + esc(a.camera())).append("</td><td class=\"l\">")
                        .append(esc(a.message())).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }

        b.append("<div class=\"cols\"><div><h3>Model versions</h3><table class=\"t\"><thead><tr><th>Model</th>")
                .append("<th>Events</th><th>First</th><th>Last</th></tr></thead><tbody>");
        for (LineDay.ModelUse u : d.models()) {
            b.append("<tr><td class=\"l\">").append(esc(u.model())).append("</td>");
            cell(b, count(u.events()));
            cell(b, Html.time(u.first(), z));
            cell(b, Html.time(u.last(), z));
            b.append("</tr>");
        }
        b.append("</tbody></table></div><div><h3>Lots</h3><table class=\"t\"><thead><tr><th>Lot</th><th>Running</th>")
                .append("<th>Removed</th><th>From</th><th>To</th></tr></thead><tbody>");
        for (LineDay.LotUse u : d.lots()) {
            b.append("<tr><td class=\"l\">").append(m == Medium.SCREEN ? "<a href=\"/api/lots/" + esc(u.lot())
                    + "/certificate.pdf\">" + esc(u.lot()) + "</a>" : esc(u.lot())).append("</td>");
            cell(b, Html.duration(u.runningMs()));
            cell(b, count(u.ejections()));
            cell(b, Html.time(u.first(), z));
            cell(b, Html.time(u.last(), z));
            b.append("</tr>");
        }
        b.append("</tbody></table></div></div>");
        b.append("</section>");
    }

    private static void kpi(final StringBuilder b, final String label, final String value, final String sub) {
        b.append("<div class=\"kpi\"><div class=\"k\">").append(esc(label)).append("</div><div class=\"v\">")
                .append(esc(value)).append("</div><div class=\"s\">").append(esc(sub)).append("</div></div>");
    }

    private static void cell(final StringBuilder b, final String v) {
        b.append("<td>").append(esc(v)).append("</td>");
    }

    private static String chart(final Medium m, final double w, final double h,
                                final java.util.function.Consumer<Charts.Canvas> draw) {
        if (m == Medium.SCREEN) {
            final Charts.Svg svg = new Charts.Svg(w, h);
            draw.accept(svg);
            return "<div class=\"chart\">" + svg.finish() + "</div>";
        }
        final Charts.Png png = new Charts.Png(w, h, 2);
        draw.accept(png);
        return "<div class=\"chart\"><img src=\"" + png.finish() + "\" style=\"width: 100%;\" alt=\"chart\"/></div>";
    }

    // ---------------------------------------------------------------- PDF

    public static byte[] pdf(final SiteReport r) {
        return pdf(html(r, Medium.PRINT, null));
    }

    /** Renders well-formed print XHTML to PDF. */
    public static byte[] pdf(final String xhtml) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            final PdfRendererBuilder builder = new PdfRendererBuilder();
            builder.useFastMode();
            builder.withHtmlContent(xhtml, null);
            builder.toStream(out);
            builder.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- CSV

    /** Every figure, one per row: {@code site,day,zone,line,section,key,value}. */
    public static String csv(final SiteReport r) {
        final StringBuilder b = new StringBuilder("site,day,zone,line,section,key,value\n");
        final String pre = csvField(r.site()) + "," + r.window().day() + "," + r.window().zone().getId() + ",";
        final List<String> labels = r.window().hourLabels();
        for (LineDay d : r.lines()) {
            final String p = pre + csvField(d.line()) + ",";
            row(b, p, "line", "throughput_kg_h", raw(d.settings().throughputKgH()));
            row(b, p, "line", "grams_per_ejection", raw(d.settings().gramsPerEjection()));
            row(b, p, "line", "running_ms", String.valueOf(d.runningMs()));
            row(b, p, "line", "audit_ms", String.valueOf(d.auditMs()));
            row(b, p, "line", "fault_ms", String.valueOf(d.faultMs()));
            row(b, p, "line", "offline_ms", String.valueOf(d.offlineMs()));
            row(b, p, "line", "tonnes", raw(d.tonnes()));
            row(b, p, "line", "ejections", String.valueOf(d.ejections()));
            row(b, p, "line", "audit_detections", String.valueOf(d.auditDetections()));
            row(b, p, "line", "ejections_per_hour", raw(d.ejectionsPerHour()));
            row(b, p, "line", "ejections_per_tonne", raw(d.ejectionsPerTonne()));
            row(b, p, "line", "cotton_lost_kg", raw(d.cottonLostKg()));
            row(b, p, "line", "cotton_lost_g_per_tonne", raw(d.cottonLostGPerTonne()));
            row(b, p, "line", "escapes", String.valueOf(d.escapes()));
            row(b, p, "line", "late_decisions", String.valueOf(d.late()));
            row(b, p, "line", "frames", String.valueOf(d.frames()));
            row(b, p, "line", "dropped_frames", String.valueOf(d.droppedFrames()));
            row(b, p, "line", "capture_estimate", raw(d.captureEstimate()));
            row(b, p, "line", "alarms", String.valueOf(d.alarms().size()));
            row(b, p, "trend", "ejections_per_tonne_7d", raw(d.trend().perTonne7()));
            row(b, p, "trend", "ejections_per_tonne_30d", raw(d.trend().perTonne30()));
            d.classes().forEach((k, v) -> row(b, p, "class", k, String.valueOf(v)));
            for (int h = 0; h < labels.size(); h++) {
                row(b, p, "hour_ejections", labels.get(h), String.valueOf(d.hourly()[h]));
            }
            for (int h = 0; h < labels.size(); h++) {
                row(b, p, "hour_running_ms", labels.get(h), String.valueOf(d.hourlyRunningMs()[h]));
            }
            d.cameras().forEach((k, v) -> row(b, p, "camera", k, String.valueOf(v)));
            d.valves().forEach((k, v) -> row(b, p, "valve", String.valueOf(k), String.valueOf(v)));
            d.models().forEach(u -> row(b, p, "model", u.model(), String.valueOf(u.events())));
            d.lots().forEach(u -> row(b, p, "lot_ejections", u.lot(), String.valueOf(u.ejections())));
            d.lots().forEach(u -> row(b, p, "lot_running_ms", u.lot(), String.valueOf(u.runningMs())));
            d.periods().forEach(u -> row(b, p, "period_" + u.kind(), u.from() + "/" + u.to(), String.valueOf(u.millis())));
            d.unusual().forEach(u -> row(b, p, "unusual", u.what(), String.valueOf(u.count())));
            d.alarms().forEach(a -> row(b, p, "alarm", a.time() + " " + a.cause(), a.severity()));
        }
        return b.toString();
    }

    private static void row(final StringBuilder b, final String prefix, final String section, final String key,
                            final String value) {
        b.append(prefix).append(section).append(',').append(csvField(key)).append(',').append(csvField(value))
                .append('\n');
    }

    private static String raw(final double v) {
        return Double.isNaN(v) ? "" : String.valueOf(v);
    }

    static String csvField(final String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    static String resource(final String path) {
        try (InputStream in = ReportRenderer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String lower(final String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
