package dev.winnow.server.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One line's figures of one day. Counts are exact integers from the stored events and stats; the
 * derived figures are computed from them with the formulas in {@link #tonnes(double, long)} etc.
 *
 * @param runningMs       time in running mode (union over the line's devices), clipped to the day
 * @param auditMs         audit mode, not running
 * @param faultMs         fault, neither running nor audit
 * @param offlineMs       no device reported stats
 * @param ejections       rejection events not in audit mode: contaminants removed
 * @param auditDetections rejection events in audit mode (valves did not fire)
 * @param classes         ejections per class, most first
 * @param hourly          ejections per hour bucket of the day
 * @param hourlyByClass   ejections per class and hour bucket
 * @param hourlyRunningMs running time per hour bucket
 * @param escapes         escapes counted in stats intervals starting in the day
 * @param late            late decisions counted in stats intervals starting in the day
 * @param cameras         ejections per camera
 * @param valves          ejections that fired each valve (lane)
 * @param frames          frames inspected (from the devices' stats), in stats intervals starting in the day
 * @param droppedFrames   frames taken but not inspected: inference behind the camera
 */
public record LineDay(String site, String line, LineSettings settings, long runningMs, long auditMs, long faultMs,
                      long offlineMs, long ejections, long auditDetections, Map<String, Long> classes, long[] hourly,
                      Map<String, long[]> hourlyByClass, long[] hourlyRunningMs, long escapes, long late,
                      Map<String, Long> cameras, Map<Integer, Long> valves, List<ModelUse> models,
                      List<LotUse> lots, List<Period> periods, List<AlarmRow> alarms, Trend trend,
                      List<Unusual> unusual, List<Integer> worstHours, long frames, long droppedFrames) {

    public record ModelUse(String model, long events, Instant first, Instant last) {
    }

    public record LotUse(String lot, long ejections, long runningMs, Instant first, Instant last) {
    }

    /** A stretch of the day the line was not running: offline, fault or audit. */
    public record Period(String kind, Instant from, Instant to) {
        public long millis() {
            return to.toEpochMilli() - from.toEpochMilli();
        }
    }

    public record AlarmRow(Instant time, String device, String severity, String cause, String message, String camera,
                           Instant cleared) {
    }

    /**
     * The day against earlier days' rollups (days with no running time are left out).
     *
     * @param days7  previous days (of 7) with running time
     * @param days30 previous days (of 30) with running time
     * @param series per previous day, oldest first, ejections per tonne (NaN where not running); 30 entries
     */
    public record Trend(int days7, long ejections7, double tonnes7, long runningMs7, int days30, long ejections30,
                       double tonnes30, long runningMs30, Map<String, Long> classes7, Map<String, Long> classes30,
                       double[] series) {
        public double perTonne7() {
            return tonnes7 > 0 ? ejections7 / tonnes7 : Double.NaN;
        }

        public double perTonne30() {
            return tonnes30 > 0 ? ejections30 / tonnes30 : Double.NaN;
        }
    }

    /** A lane or camera whose rate stands out; {@code what} is e.g. {@code valve 12} or {@code camera uv}. */
    public record Unusual(String what, long count, double expected, String reason) {
    }

    // ---------------------------------------------------------------- derived figures, one formula each

    public static double tonnes(final double throughputKgH, final long runningMs) {
        return throughputKgH * runningMs / 3_600_000_000.0;
    }

    public static double perHour(final long count, final long runningMs) {
        return runningMs > 0 ? count * 3_600_000.0 / runningMs : Double.NaN;
    }

    public static double perTonne(final long count, final double tonnes) {
        return tonnes > 0 ? count / tonnes : Double.NaN;
    }

    public static double capture(final long ejections, final long escapes) {
        return ejections + escapes > 0 ? (double) ejections / (ejections + escapes) : Double.NaN;
    }

    public double tonnes() {
        return tonnes(settings.throughputKgH(), runningMs);
    }

    public double ejectionsPerHour() {
        return perHour(ejections, runningMs);
    }

    public double ejectionsPerTonne() {
        return perTonne(ejections, tonnes());
    }

    public double cottonLostKg() {
        return settings.gramsPerEjection() * ejections / 1000.0;
    }

    public double cottonLostGPerTonne() {
        final double t = tonnes();
        return t > 0 ? settings.gramsPerEjection() * ejections / t : Double.NaN;
    }

    public double captureEstimate() {
        return capture(ejections, escapes);
    }

    /**
     * Share of the frames the line's cameras took that were inspected: the rest were dropped because inference
     * fell behind. Below 1 every object was still seen, fewer times; NaN without stats.
     */
    public double framesInspectedShare() {
        return frames + droppedFrames == 0 ? Double.NaN : (double) frames / (frames + droppedFrames);
    }
}
