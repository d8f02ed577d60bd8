package dev.winnow.server.report;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server bench-report}: loads a seeded mill into a fresh embedded store, rolls up the
 * history days as the nightly schedule would, then times the report of the last day and the line
 * overview's queries. The last line printed is JSON.
 */
@Command(name = "bench-report", mixinStandardHelpOptions = true,
        description = "Load a seeded mill into a fresh store and time the daily report and the overview queries.")
public final class BenchReportCommand implements Callable<Integer> {

    @Option(names = "--lines", defaultValue = "10", description = "Lines (default ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--events-per-day", defaultValue = "1000000", description = "Events per day over all lines "
            + "(default ${DEFAULT-VALUE}).")
    double eventsPerDay;

    @Option(names = "--history-days", defaultValue = "30", description = "Days before the report day "
            + "(default ${DEFAULT-VALUE}).")
    int historyDays;

    @Option(names = "--history-events-per-day", description = "Events per history day (default: --events-per-day).")
    Double historyEventsPerDay;

    @Option(names = "--stats-seconds", defaultValue = "10", description = "Stats interval (default ${DEFAULT-VALUE}).")
    int statsSeconds;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--dir", description = "Data folder (default: a new temporary folder).")
    Path dir;

    @Option(names = "--skip-load", description = "Reuse the store in --dir as loaded by an earlier run.")
    boolean skipLoad;

    @Option(names = "--samples", defaultValue = "200", description = "Overview query samples (default ${DEFAULT-VALUE}).")
    int samples;

    @Override
    public Integer call() throws Exception {
        final Path data = dir != null ? dir : Files.createTempDirectory("winnow-bench-report");
        final LocalDate day = LocalDate.of(2026, 3, 10);
        final String site = "bench-mill";
        final Instant now = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        System.err.printf(Locale.ROOT, "store in %s%n", data);
        try (Database db = Database.open(Database.embeddedUrl(data), null, null)) {
            final long t0 = System.nanoTime();
            final double hist = historyEventsPerDay != null ? historyEventsPerDay : eventsPerDay;
            long loaded = 0;
            if (skipLoad) {
                historyDays = Math.max(0, historyDays);
            } else if (historyDays > 0) {
                loaded += load(db, new SeededMill(seed, site, lines, hist, statsSeconds), day.minusDays(historyDays),
                        historyDays, now, loaded);
            }
            if (!skipLoad) {
                loaded += load(db, new SeededMill(seed, site, lines, eventsPerDay, statsSeconds), day, 1, now, loaded);
            }
            final double loadS = (System.nanoTime() - t0) / 1e9;
            System.err.printf(Locale.ROOT, "loaded %,d events in %.1f s (%,.0f/s)%n", loaded, loadS, loaded / loadS);

            final ReportEngine engine = new ReportEngine(db, 2);
            // the events rollup the server's schedule builds quarter by quarter as the day goes (Reports#tick)
            final long b0 = System.nanoTime();
            final long qFrom = day.minusDays(historyDays).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            final long qTo = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            for (String line : engine.lines(site)) {
                for (long a = qFrom; a < qTo; a += 3_600_000L) {
                    engine.rollup().ensure(site, line, a, a + 3_600_000L);
                }
            }
            final double quarterS = (System.nanoTime() - b0) / 1e9;
            final double rolledEvents = loaded;
            System.err.printf(Locale.ROOT, "events rollup built hour by hour: %.1f s (%.2f s per 1,000,000 events)%n",
                    quarterS, quarterS * 1e6 / Math.max(1, rolledEvents));
            final long r0 = System.nanoTime();
            for (int d = historyDays; d >= 1; d--) {
                engine.rollUp(site, day.minusDays(d), ZoneOffset.UTC, now);
            }
            final double rollupS = (System.nanoTime() - r0) / 1e9;
            System.err.printf(Locale.ROOT, "nightly roll-up of %d history days: %.1f s (%.2f s per day)%n", historyDays,
                    rollupS, historyDays == 0 ? 0 : rollupS / historyDays);

            // warm the JIT and caches on a history day, as a running server would be
            engine.site(site, day.minusDays(1), ZoneOffset.UTC, now, f -> { });
            final long s0 = System.nanoTime();
            final SiteReport report = engine.site(site, day, ZoneOffset.UTC, now, f -> { });
            final String html = ReportRenderer.html(report, ReportRenderer.Medium.SCREEN, "bench");
            final String csv = ReportRenderer.csv(report);
            final double reportS = (System.nanoTime() - s0) / 1e9;
            final long p0 = System.nanoTime();
            final byte[] pdf = ReportRenderer.pdf(report);
            final double pdfS = (System.nanoTime() - p0) / 1e9;
            System.err.printf(Locale.ROOT, "report of %s %s: %,d events, %,d removed, %.1f t; HTML %,d B, CSV %,d B "
                    + "in %.2f s; PDF %,d B in %.2f s%n", site, day, countDay(db, day), report.ejections(),
                    report.tonnes(), html.length(), csv.length(), reportS, pdf.length, pdfS);
            Files.writeString(data.resolve("report.html"), html);
            Files.write(data.resolve("report.pdf"), pdf);

            final EventStore store = new EventStore(db);
            final List<String> names = engine.lines(site);
            for (int i = 0; i < 20; i++) {
                store.lines(now);
                store.summary(site, names.get(i % names.size()), 30, now);
            }
            final double[] ms = new double[samples];
            for (int i = 0; i < samples; i++) {
                final Instant at = now.minusSeconds(60L * (i % 600));
                final long q0 = System.nanoTime();
                store.lines(at);
                store.summary(site, names.get(i % names.size()), 30, at);
                ms[i] = (System.nanoTime() - q0) / 1e6;
            }
            Arrays.sort(ms);
            final double p95 = ms[(int) Math.ceil(0.95 * samples) - 1];
            final double p50 = ms[samples / 2];
            System.err.printf(Locale.ROOT, "overview (/api/lines + one line's 30-min summary) p50 %.1f ms, p95 %.1f ms%n",
                    p50, p95);
            final List<String> fields = new ArrayList<>();
            fields.add(String.format(Locale.ROOT, "\"lines\":%d", lines));
            fields.add(String.format(Locale.ROOT, "\"events_report_day\":%d", countDay(db, day)));
            fields.add(String.format(Locale.ROOT, "\"events_total\":%d", loaded));
            fields.add(String.format(Locale.ROOT, "\"history_days\":%d", historyDays));
            fields.add(String.format(Locale.ROOT, "\"load_seconds\":%.1f", loadS));
            fields.add(String.format(Locale.ROOT, "\"quarter_rollup_seconds\":%.1f", quarterS));
            fields.add(String.format(Locale.ROOT, "\"rollup_seconds_per_day\":%.3f", historyDays == 0 ? 0 : rollupS / historyDays));
            fields.add(String.format(Locale.ROOT, "\"report_seconds\":%.3f", reportS));
            fields.add(String.format(Locale.ROOT, "\"pdf_seconds\":%.3f", pdfS));
            fields.add(String.format(Locale.ROOT, "\"overview_p50_ms\":%.2f", p50));
            fields.add(String.format(Locale.ROOT, "\"overview_p95_ms\":%.2f", p95));
            System.out.println("{" + String.join(",", fields) + "}");
        }
        return 0;
    }

    private static long load(final Database db, final SeededMill mill, final LocalDate first, final int days,
                             final Instant received, final long before) throws Exception {
        final long[] last = {0};
        try (BulkLoader l = new BulkLoader(db, received, n -> {
            if (n - last[0] >= 500_000) {
                last[0] = n;
                System.err.printf(Locale.ROOT, "  loaded %,d events%n", before + n);
            }
        })) {
            mill.generate(first, days, l);
            return l.events();
        }
    }

    private static long countDay(final Database db, final LocalDate day) throws Exception {
        try (var c = db.connection(); var ps = c.prepareStatement(
                "SELECT COUNT(*) FROM reject_events WHERE event_time >= ? AND event_time < ?")) {
            ps.setObject(1, ReportEngine.ts(day.atStartOfDay(ZoneOffset.UTC).toInstant()));
            ps.setObject(2, ReportEngine.ts(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
