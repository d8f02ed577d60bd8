package dev.winnow.edge.host;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The machine during a run: which processor, how busy it was, how much of it the hypervisor took, and how late a
 * sleeping thread woke up. Written beside a run's figures so that a slow or crowded machine shows as such.
 *
 * @param host     the processor
 * @param busy     share of all cores' time that something ran, 0–1; empty where the system does not say
 * @param steal    share of all cores' time the hypervisor took, 0–1; empty where the system does not say
 * @param hiccups  how late a 1-ms sleep ended ({@link HiccupMeter})
 */
public record HostLoad(HostInfo host, Optional<Double> busy, Optional<Double> steal, HiccupMeter.Snapshot hiccups) {

    /** Measures from now until {@link Measurement#finish()}. */
    public static Measurement start() {
        return new Measurement(CpuTimes.read(), new HiccupMeter().start());
    }

    /** For a JSON result: {@code {"cpu", "cores", "simd", "busy_pct", "steal_pct", "hiccup_ms": {...}}}. */
    public Map<String, Object> toMap() {
        final Map<String, Object> m = new LinkedHashMap<>(host.toMap());
        busy.ifPresent(b -> m.put("busy_pct", Math.round(b * 1000) / 10.0));
        steal.ifPresent(s -> m.put("steal_pct", Math.round(s * 1000) / 10.0));
        m.put("hiccup_ms", hiccups.toMap());
        return m;
    }

    /** One line for people: {@code AMD EPYC, 2 cores, avx2 fma; busy 97.0 %, steal 0.8 %; 1-ms sleeps overran p99 0.35 ms, max 12.1 ms}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s%s%s; 1-ms sleeps overran p99 %.2f ms, max %.1f ms", host,
                busy.map(b -> String.format(Locale.ROOT, "; busy %.1f %%", 100 * b)).orElse(""),
                steal.map(x -> String.format(Locale.ROOT, ", steal %.1f %%", 100 * x)).orElse(""),
                hiccups.p99Ms(), hiccups.maxMs());
    }

    /** A measurement under way. */
    public static final class Measurement {
        private final Optional<CpuTimes> before;
        private final HiccupMeter meter;

        private Measurement(final Optional<CpuTimes> before, final HiccupMeter meter) {
            this.before = before;
            this.meter = meter;
        }

        /** Stops measuring and says what the machine did meanwhile. */
        public HostLoad finish() throws InterruptedException {
            meter.close();
            final Optional<CpuTimes> after = CpuTimes.read();
            final Optional<Double> busy = before.flatMap(b -> after.map(a -> a.busySince(b)));
            final Optional<Double> steal = before.flatMap(b -> after.map(a -> a.stealSince(b)));
            return new HostLoad(HostInfo.current(), busy, steal, meter.snapshot());
        }
    }
}
