package dev.winnow.server.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded simulation of a mill's stored inspection data, for tests and the benchmark: per line one
 * device reporting stats every {@code statsSeconds}, running most of the day with an offline gap, a
 * fault (with its alarm) and an audit period; contaminant events spread over running and audit time;
 * lots per 8-hour shift; a model upgrade; line 3 with a stuck-open valve. Same seed, same data.
 */
public final class SeededMill {

    public static final List<String> CLASSES = List.of("polypropylene", "jute", "plastic-film", "feather", "paper");
    private static final double[] CLASS_WEIGHTS = {0.4, 0.25, 0.17, 0.1, 0.08};
    public static final int VALVES = 32;

    public record Event(String id, String site, String line, String device, Instant time, String camera, String cls,
                        double confidence, List<Integer> valves, boolean audit, String model, String lot) {
        public String valvesText() {
            final StringBuilder b = new StringBuilder();
            for (int v : valves) {
                b.append(b.length() == 0 ? "" : ",").append(v);
            }
            return b.toString();
        }
    }

    /** @param frames frames inspected in the interval; {@code droppedFrames} those the device could not inspect */
    public record StatsRow(String site, String line, String device, Instant from, Instant to, String mode,
                           long escapes, long late, String lot, long frames, long droppedFrames) {
    }

    public record AlarmRow(String id, String site, String line, String device, Instant time, String state,
                           String severity, String cause, String message) {
    }

    /** Receives what is generated, in time order per line. */
    public interface Sink {
        void event(Event e);

        void stats(StatsRow s);

        void alarm(AlarmRow a);
    }

    private final long seed;
    private final String site;
    private final int lines;
    private final double eventsPerLineDay;
    private final int statsSeconds;

    public SeededMill(final long seed, final String site, final int lines, final double eventsPerDay,
                      final int statsSeconds) {
        this.seed = seed;
        this.site = site;
        this.lines = lines;
        this.eventsPerLineDay = eventsPerDay / lines;
        this.statsSeconds = statsSeconds;
    }

    public List<String> lineNames() {
        final List<String> out = new ArrayList<>();
        for (int i = 1; i <= lines; i++) {
            out.add(String.format("line-%02d", i));
        }
        return out;
    }

    /** Generates UTC days {@code [first, first + days)} (any zone's day is covered by generating one more). */
    public void generate(final LocalDate first, final int days, final Sink sink) {
        int li = 0;
        for (String line : lineNames()) {
            li++;
            for (int d = 0; d < days; d++) {
                day(line, li, first.plusDays(d), sink);
            }
        }
    }

    private void day(final String line, final int li, final LocalDate day, final Sink sink) {
        final SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + li * 7919L + day.toEpochDay());
        final String device = "edge-" + line;
        final long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        final long step = statsSeconds * 1000L;
        final int n = (int) (86_400_000L / step);
        // periods as interval indexes
        final int offA = rnd.nextInt(n);
        final int offB = offA + (int) (rnd.nextInt(20, 90) * 60_000L / step);
        final int faultA = rnd.nextInt(n);
        final int faultB = faultA + (int) (rnd.nextInt(10, 30) * 60_000L / step);
        final int auditA = rnd.nextInt(n);
        final int auditB = auditA + (int) (rnd.nextInt(30, 60) * 60_000L / step);
        final String model = day.toEpochDay() % 5 < 3 ? "yolo-cotton-v3" : "yolo-cotton-v4";
        final double perInterval = eventsPerLineDay / n;
        final boolean stuck = li == 3;
        long seq = 0;
        boolean faulted = false;
        for (int i = 0; i < n; i++) {
            final long f = start + i * step;
            final long t = f + step;
            if (i >= offA && i < offB) {
                continue;
            }
            final boolean fault = i >= faultA && i < faultB;
            final boolean audit = !fault && i >= auditA && i < auditB;
            if (fault && !faulted) {
                sink.alarm(new AlarmRow(device + "-a-" + day + "-" + i, site, line, device, Instant.ofEpochMilli(f),
                        "raised", "critical", "valve-bank", "valve bank not answering"));
                faulted = true;
            } else if (!fault && faulted) {
                sink.alarm(new AlarmRow(device + "-c-" + day + "-" + i, site, line, device, Instant.ofEpochMilli(f),
                        "cleared", "critical", "valve-bank", "valve bank back"));
                faulted = false;
            }
            final int shift = (int) ((f - start) / (8 * 3_600_000L));
            final String lot = "LOT-" + day.toString().replace("-", "") + "-" + line + "-S" + (shift + 1);
            final String mode = fault ? "fault" : audit ? "audit" : "running";
            long escapes = 0;
            long late = 0;
            if (!fault) {
                final int hourOfDay = (int) ((f - start) / 3_600_000L);
                final double rate = perInterval * (0.6 + 0.8 * ((hourOfDay * 37 + li * 11) % 24) / 23.0);
                final int k = poisson(rnd, rate);
                final long[] times = new long[k];
                for (int j = 0; j < k; j++) {
                    times[j] = f + rnd.nextLong(step);
                }
                java.util.Arrays.sort(times);
                for (int j = 0; j < k; j++) {
                    final double u = rnd.nextDouble();
                    int c = 0;
                    double acc = CLASS_WEIGHTS[0];
                    while (u > acc && c < CLASSES.size() - 1) {
                        acc += CLASS_WEIGHTS[++c];
                    }
                    int v0 = stuck && rnd.nextInt(8) == 0 ? 7 : rnd.nextInt(VALVES);
                    final List<Integer> valves = rnd.nextInt(4) == 0 && v0 < VALVES - 1 ? List.of(v0, v0 + 1)
                            : List.of(v0);
                    sink.event(new Event(device + "-" + day + "-" + (++seq), site, line, device,
                            Instant.ofEpochMilli(times[j]), rnd.nextInt(3) == 0 ? "uv" : "colour", CLASSES.get(c),
                            0.5 + rnd.nextDouble() * 0.5, valves, audit, model, lot));
                }
                escapes = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(2) : 0;
                late = rnd.nextInt(25) == 0 ? 1 : 0;
            }
            // one interval in 25 a device falls behind its cameras a little (no random draw: the seeded events stay)
            final long dropped = fault ? 0 : (i + li) % 25 == 0 ? 5 : 0;
            sink.stats(new StatsRow(site, line, device, Instant.ofEpochMilli(f), Instant.ofEpochMilli(t), mode, escapes,
                    late, lot, 100, dropped));
        }
        if (faulted) {
            sink.alarm(new AlarmRow(device + "-c-" + day + "-end", site, line, device,
                    Instant.ofEpochMilli(start + 86_400_000L - 1), "cleared", "critical", "valve-bank", "valve bank back"));
        }
    }

    private static int poisson(final SplittableRandom rnd, final double lambda) {
        if (lambda > 30) {
            return (int) Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rnd)));
        }
        final double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private static double gaussian(final SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
