package dev.winnow.server.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One local day in a zone as instants: {@code [start, end)}, 23, 24 or 25 hours long, cut into
 * hours counted from local midnight (on a DST day the labels show the repeated or missing hour).
 */
public record DayWindow(LocalDate day, ZoneId zone, Instant start, Instant end) {

    public static DayWindow of(final LocalDate day, final ZoneId zone) {
        return new DayWindow(day, zone, day.atStartOfDay(zone).toInstant(), day.plusDays(1).atStartOfDay(zone)
                .toInstant());
    }

    public long millis() {
        return end.toEpochMilli() - start.toEpochMilli();
    }

    /** Hour buckets of the day: 23, 24 or 25. The last may be short in zones with odd offsets. */
    public int hours() {
        return (int) ((millis() + 3_599_999) / 3_600_000);
    }

    /** The hour bucket of an instant inside the day. */
    public int hourOf(final long epochMilli) {
        return (int) ((epochMilli - start.toEpochMilli()) / 3_600_000);
    }

    public Instant hourStart(final int h) {
        return start.plusMillis(h * 3_600_000L);
    }

    /** Local labels of the hour buckets, e.g. {@code 02:00}; a repeated hour gets its offset. */
    public List<String> hourLabels() {
        final DateTimeFormatter f = DateTimeFormatter.ofPattern("HH:mm");
        final List<String> out = new ArrayList<>();
        final List<String> plain = new ArrayList<>();
        for (int h = 0; h < hours(); h++) {
            plain.add(ZonedDateTime.ofInstant(hourStart(h), zone).format(f));
        }
        for (int h = 0; h < hours(); h++) {
            final String p = plain.get(h);
            if (plain.indexOf(p) != plain.lastIndexOf(p)) {
                out.add(p + ZonedDateTime.ofInstant(hourStart(h), zone).getOffset().getId().replace("Z", "+00:00"));
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
