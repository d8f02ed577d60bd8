package dev.winnow.server.report;

import java.time.Instant;
import java.util.List;

/** The daily report of a site: one {@link LineDay} per line that reported anything that day. */
public record SiteReport(String site, DayWindow window, Instant generatedAt, List<LineDay> lines) {

    public double tonnes() {
        return lines.stream().mapToDouble(LineDay::tonnes).sum();
    }

    public long ejections() {
        return lines.stream().mapToLong(LineDay::ejections).sum();
    }

    public long runningMs() {
        return lines.stream().mapToLong(LineDay::runningMs).sum();
    }

    public long escapes() {
        return lines.stream().mapToLong(LineDay::escapes).sum();
    }

    public long late() {
        return lines.stream().mapToLong(LineDay::late).sum();
    }

    public double cottonLostKg() {
        return lines.stream().mapToDouble(LineDay::cottonLostKg).sum();
    }
}
