package dev.winnow.server.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * Rejections of one line per minute and class over a window ending now.
 *
 * @param minuteStarts the start of each minute of the window, oldest first; the last one is running
 * @param classes      one series per class seen in the window, most rejections first
 * @param lastMinute   rejections in the 60 s before {@code to}
 * @param total        rejections in the window
 * @param auditCameras the cameras of the line's online devices in audit mode on their own: they detect and report
 *                     but fire nothing (a model canary, or an engineer's choice)
 */
public record LineSummary(String site, String line, Instant from, Instant to, List<Instant> minuteStarts,
                          List<ClassSeries> classes, long lastMinute, long total, List<String> auditCameras) {

    /** Counts per minute of one class, aligned with {@code minuteStarts}. */
    public record ClassSeries(@JsonProperty("class") String cls, long[] counts, long total) {
    }
}
