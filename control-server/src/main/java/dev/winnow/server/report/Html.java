package dev.winnow.server.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Escaping and number formats shared by the report and the certificate (XHTML-safe, WinAnsi-safe). */
public final class Html {

    private Html() {
    }

    public static String esc(final String s) {
        if (s == null) {
            return "";
        }
        final StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            final char ch = s.charAt(i);
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** A number with {@code decimals}, thousands separated; NaN as a dash. */
    public static String num(final double v, final int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    public static String count(final long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    public static String pct(final double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** Change of {@code now} against {@code before}, e.g. {@code +12%}; a dash without a base. */
    public static String change(final double now, final double before) {
        if (Double.isNaN(now) || Double.isNaN(before) || before == 0 || Double.isInfinite(before)) {
            return "-";
        }
        final double c = (now - before) / before * 100;
        return String.format(Locale.ROOT, "%+.0f%%", c);
    }

    public static String hours(final long ms) {
        return String.format(Locale.ROOT, "%.2f", ms / 3_600_000.0);
    }

    public static String duration(final long ms) {
        final Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%d h %02d min", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }

    public static String time(final Instant t, final ZoneId zone) {
        return t == null ? "-" : ZonedDateTime.ofInstant(t, zone).format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    }

    public static String dateTime(final Instant t, final ZoneId zone) {
        return t == null ? "-" : ZonedDateTime.ofInstant(t, zone).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm xxx"));
    }
}
