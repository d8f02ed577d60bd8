package dev.winnow.server.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The report's charts, drawn once against a tiny canvas that writes either SVG (the page) or a PNG
 * (the PDF, whose renderer takes images but not SVG). Two palettes: dark for the screen, light for paper.
 */
public final class Charts {

    /** Colours of one medium. */
    public record Palette(String bg, String grid, String text, String muted, String accent, String bad,
                          List<String> series) {
    }

    public static final Palette DARK = new Palette("#121922", "#243140", "#e6edf3", "#7d8b99", "#3fb950", "#f85149",
            List.of("#3fb950", "#58a6ff", "#d29922", "#f778ba", "#a371f7", "#79c0ff", "#ffa657", "#8b949e"));
    public static final Palette LIGHT = new Palette("#ffffff", "#d8dee4", "#1f2328", "#59636e", "#1a7f37", "#cf222e",
            List.of("#1a7f37", "#0969da", "#bf8700", "#bf3989", "#8250df", "#54aeff", "#fb8f44", "#6e7781"));

    /** What a chart draws on. */
    interface Canvas {
        void rect(double x, double y, double w, double h, String fill);

        void line(double x1, double y1, double x2, double y2, String stroke, double width, boolean dashed);

        void polyline(List<double[]> pts, String stroke, double width);

        void text(double x, double y, String s, double size, String fill, String anchor);

        String finish();
    }

    private Charts() {
    }

    // ---------------------------------------------------------------- charts

    /** Stacked bars per hour of the day, one colour per class, with a legend. */
    public static void hourly(final Canvas c, final double w, final double h, final Palette p,
                              final List<String> labels, final Map<String, long[]> byClass) {
        c.rect(0, 0, w, h, p.bg());
        final int n = labels.size();
        long max = 1;
        for (int i = 0; i < n; i++) {
            long s = 0;
            for (long[] v : byClass.values()) {
                s += v[i];
            }
            max = Math.max(max, s);
        }
        final double left = 48;
        final double right = 12;
        final double top = 28;
        final double bottom = 26;
        final double pw = w - left - right;
        final double ph = h - top - bottom;
        final double step = niceStep(max);
        final double ymax = Math.ceil(max / step) * step;
        for (double v = 0; v <= ymax + 1e-9; v += step) {
            final double y = top + ph - v / ymax * ph;
            c.line(left, y, w - right, y, p.grid(), 1, false);
            c.text(left - 6, y + 4, fmt(v), 11, p.muted(), "end");
        }
        final double bw = pw / n;
        for (int i = 0; i < n; i++) {
            double y = top + ph;
            int k = 0;
            for (Map.Entry<String, long[]> e : byClass.entrySet()) {
                final double bh = e.getValue()[i] / ymax * ph;
                if (bh > 0) {
                    c.rect(left + i * bw + bw * 0.12, y - bh, bw * 0.76, bh, colour(p, k));
                }
                y -= bh;
                k++;
            }
            if (i % 3 == 0) {
                c.text(left + i * bw + bw / 2, h - 8, labels.get(i), 10, p.muted(), "middle");
            }
        }
        legend(c, p, left, 14, new ArrayList<>(byClass.keySet()));
    }

    /** A value per day (NaN: no data) as a line, today as a dot, the 7- and 30-day averages as dashed lines. */
    public static void trend(final Canvas c, final double w, final double h, final Palette p, final double[] days,
                             final double today, final double avg7, final double avg30, final String unit) {
        c.rect(0, 0, w, h, p.bg());
        double max = finite(today) ? today : 0;
        for (double d : days) {
            if (finite(d)) {
                max = Math.max(max, d);
            }
        }
        max = Math.max(max, finite(avg7) ? avg7 : 0);
        max = Math.max(max, finite(avg30) ? avg30 : 0);
        if (max <= 0) {
            max = 1;
        }
        final double left = 48;
        final double right = 12;
        final double top = 28;
        final double bottom = 26;
        final double pw = w - left - right;
        final double ph = h - top - bottom;
        final double step = niceStep(max);
        final double ymax = Math.ceil(max / step) * step;
        for (double v = 0; v <= ymax + 1e-9; v += step) {
            final double y = top + ph - v / ymax * ph;
            c.line(left, y, w - right, y, p.grid(), 1, false);
            c.text(left - 6, y + 4, fmt(v), 11, p.muted(), "end");
        }
        final int n = days.length + 1;
        final double dx = pw / (n - 1);
        List<double[]> run = new ArrayList<>();
        for (int i = 0; i < days.length; i++) {
            if (finite(days[i])) {
                run.add(new double[] {left + i * dx, top + ph - days[i] / ymax * ph});
            } else if (!run.isEmpty()) {
                c.polyline(run, colour(p, 1), 2);
                run = new ArrayList<>();
            }
        }
        if (finite(today)) {
            run.add(new double[] {left + days.length * dx, top + ph - today / ymax * ph});
        }
        if (!run.isEmpty()) {
            c.polyline(run, colour(p, 1), 2);
        }
        if (finite(today)) {
            final double x = left + days.length * dx;
            final double y = top + ph - today / ymax * ph;
            c.rect(x - 4, y - 4, 8, 8, p.accent());
        }
        if (finite(avg7)) {
            final double y = top + ph - avg7 / ymax * ph;
            c.line(left + (n - 8) * dx, y, w - right, y, colour(p, 2), 1.5, true);
        }
        if (finite(avg30)) {
            final double y = top + ph - avg30 / ymax * ph;
            c.line(left, y, w - right, y, p.muted(), 1.5, true);
        }
        c.text(left, h - 8, (n - 1) + " days ago", 10, p.muted(), "start");
        c.text(w - right, h - 8, "today", 10, p.muted(), "end");
        c.text(left, 16, unit + " per day", 11, p.text(), "start");
        c.text(w - right - 200, 16, "- - 7-day avg", 11, colour(p, 2), "start");
        c.text(w - right - 100, 16, "- - 30-day avg", 11, p.muted(), "start");
    }

    /** Fires per valve (lane); highlighted ones in the alarm colour. */
    public static void lanes(final Canvas c, final double w, final double h, final Palette p,
                             final Map<Integer, Long> valves, final java.util.Set<Integer> highlight) {
        c.rect(0, 0, w, h, p.bg());
        if (valves.isEmpty()) {
            c.text(w / 2, h / 2, "no ejections", 12, p.muted(), "middle");
            return;
        }
        final int lo = valves.keySet().stream().mapToInt(Integer::intValue).min().orElse(0);
        final int hi = valves.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        final long max = Math.max(1, valves.values().stream().mapToLong(Long::longValue).max().orElse(1));
        final double left = 48;
        final double right = 12;
        final double top = 14;
        final double bottom = 26;
        final double pw = w - left - right;
        final double ph = h - top - bottom;
        final double step = niceStep(max);
        final double ymax = Math.ceil(max / step) * step;
        for (double v = 0; v <= ymax + 1e-9; v += step) {
            final double y = top + ph - v / ymax * ph;
            c.line(left, y, w - right, y, p.grid(), 1, false);
            c.text(left - 6, y + 4, fmt(v), 11, p.muted(), "end");
        }
        final int n = hi - lo + 1;
        final double bw = pw / n;
        final int every = Math.max(1, (int) Math.ceil(n / 16.0));
        for (int v = lo; v <= hi; v++) {
            final long count = valves.getOrDefault(v, 0L);
            final double bh = count / ymax * ph;
            final int i = v - lo;
            c.rect(left + i * bw + bw * 0.1, top + ph - bh, bw * 0.8, bh,
                    highlight.contains(v) ? p.bad() : colour(p, 1));
            if (i % every == 0 || highlight.contains(v)) {
                c.text(left + i * bw + bw / 2, h - 8, String.valueOf(v), 10,
                        highlight.contains(v) ? p.bad() : p.muted(), "middle");
            }
        }
    }

    /** Horizontal bars: one value per label, with a reference tick per label (NaN: none). */
    public static void bars(final Canvas c, final double w, final double h, final Palette p, final List<String> labels,
                            final double[] values, final double[] reference, final String unit) {
        c.rect(0, 0, w, h, p.bg());
        double max = 0;
        for (int i = 0; i < values.length; i++) {
            max = Math.max(max, finite(values[i]) ? values[i] : 0);
            max = Math.max(max, finite(reference[i]) ? reference[i] : 0);
        }
        if (max <= 0) {
            max = 1;
        }
        final double left = 110;
        final double right = 70;
        final double top = 24;
        final double rowH = (h - top - 6) / Math.max(1, labels.size());
        c.text(left, 15, unit + " (tick: previous 7 days)", 11, p.text(), "start");
        for (int i = 0; i < labels.size(); i++) {
            final double y = top + i * rowH;
            c.text(left - 8, y + rowH * 0.65, labels.get(i), 11, p.text(), "end");
            final double v = finite(values[i]) ? values[i] : 0;
            final double bw = v / max * (w - left - right);
            c.rect(left, y + rowH * 0.2, bw, rowH * 0.6, colour(p, 0));
            c.text(left + bw + 6, y + rowH * 0.65, finite(values[i]) ? fmt(values[i]) : "-", 11, p.muted(), "start");
            if (finite(reference[i])) {
                final double x = left + reference[i] / max * (w - left - right);
                c.line(x, y + rowH * 0.05, x, y + rowH * 0.95, p.text(), 2, false);
            }
        }
    }

    private static void legend(final Canvas c, final Palette p, final double x0, final double y,
                               final List<String> names) {
        double x = x0;
        for (int k = 0; k < names.size(); k++) {
            c.rect(x, y - 9, 10, 10, colour(p, k));
            c.text(x + 14, y, names.get(k), 11, p.text(), "start");
            x += 24 + names.get(k).length() * 6.5;
        }
    }

    private static String colour(final Palette p, final int k) {
        return p.series().get(k % p.series().size());
    }

    private static boolean finite(final double d) {
        return !Double.isNaN(d) && !Double.isInfinite(d);
    }

    static double niceStep(final double max) {
        final double raw = max / 4;
        final double mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        final double f = raw / mag;
        final double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return Math.max(nice * mag, max < 4 && max == Math.floor(max) ? 1 : 0);
    }

    static String fmt(final double v) {
        if (Math.abs(v) >= 100 || v == Math.floor(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    // ---------------------------------------------------------------- canvases

    /** Inline SVG. */
    public static final class Svg implements Canvas {
        private final StringBuilder sb = new StringBuilder();

        public Svg(final double w, final double h) {
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ").append(n(w))
                    .append(' ').append(n(h)).append("\" width=\"100%\" role=\"img\">");
        }

        @Override
        public void rect(final double x, final double y, final double w, final double h, final String fill) {
            sb.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                    .append("\" height=\"").append(n(h)).append("\" fill=\"").append(fill).append("\"/>");
        }

        @Override
        public void line(final double x1, final double y1, final double x2, final double y2, final String stroke,
                         final double width, final boolean dashed) {
            sb.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                    .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(stroke).append("\" stroke-width=\"")
                    .append(n(width)).append(dashed ? "\" stroke-dasharray=\"6 4\"/>" : "\"/>");
        }

        @Override
        public void polyline(final List<double[]> pts, final String stroke, final double width) {
            sb.append("<polyline fill=\"none\" stroke=\"").append(stroke).append("\" stroke-width=\"").append(n(width))
                    .append("\" points=\"");
            for (double[] q : pts) {
                sb.append(n(q[0])).append(',').append(n(q[1])).append(' ');
            }
            sb.append("\"/>");
        }

        @Override
        public void text(final double x, final double y, final String s, final double size, final String fill,
                         final String anchor) {
            sb.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-size=\"").append(n(size))
                    .append("\" fill=\"").append(fill).append("\" text-anchor=\"").append(anchor)
                    .append("\" font-family=\"sans-serif\">").append(Html.esc(s)).append("</text>");
        }

        @Override
        public String finish() {
            return sb.append("</svg>").toString();
        }

        private static String n(final double v) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
    }

    /** A PNG (drawn at {@code scale}), returned by {@link #finish} as a {@code data:} URI. */
    public static final class Png implements Canvas {
        private final BufferedImage img;
        private final Graphics2D g;
        private final double scale;

        public Png(final double w, final double h, final double scale) {
            this.scale = scale;
            img = new BufferedImage((int) Math.round(w * scale), (int) Math.round(h * scale), BufferedImage.TYPE_INT_RGB);
            g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(scale, scale);
        }

        @Override
        public void rect(final double x, final double y, final double w, final double h, final String fill) {
            g.setColor(Color.decode(fill));
            g.fill(new java.awt.geom.Rectangle2D.Double(x, y, w, h));
        }

        @Override
        public void line(final double x1, final double y1, final double x2, final double y2, final String stroke,
                         final double width, final boolean dashed) {
            g.setColor(Color.decode(stroke));
            g.setStroke(dashed ? new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 4}, 0) : new BasicStroke((float) width));
            g.draw(new java.awt.geom.Line2D.Double(x1, y1, x2, y2));
        }

        @Override
        public void polyline(final List<double[]> pts, final String stroke, final double width) {
            final Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < pts.size(); i++) {
                if (i == 0) {
                    path.moveTo(pts.get(i)[0], pts.get(i)[1]);
                } else {
                    path.lineTo(pts.get(i)[0], pts.get(i)[1]);
                }
            }
            g.setColor(Color.decode(stroke));
            g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
        }

        @Override
        public void text(final double x, final double y, final String s, final double size, final String fill,
                         final String anchor) {
            g.setColor(Color.decode(fill));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 1).deriveFont((float) size));
            final double tw = g.getFontMetrics().getStringBounds(s, g).getWidth();
            final double dx = "middle".equals(anchor) ? -tw / 2 : "end".equals(anchor) ? -tw : 0;
            g.drawString(s, (float) (x + dx), (float) y);
        }

        @Override
        public String finish() {
            g.dispose();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "png", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        }

        public double scale() {
            return scale;
        }
    }
}
