package dev.winnow.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every figure of the report recomputed here from the seeded raw data; they must match exactly. */
class ReportFiguresTest {

    @TempDir
    static Path dir;
    static Database db;
    static final List<SeededMill.Event> EVENTS = new ArrayList<>();
    static final List<SeededMill.StatsRow> STATS = new ArrayList<>();
    static final List<SeededMill.AlarmRow> ALARMS = new ArrayList<>();
    static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");

    @BeforeAll
    static void load() throws Exception {
        db = Database.open(Database.embeddedUrl(dir), null, null);
        final SeededMill mill = new SeededMill(7, "test-mill", 3, 9000, 60);
        try (BulkLoader l = new BulkLoader(db, NOW, n -> { })) {
            final SeededMill.Sink tee = new SeededMill.Sink() {
                @Override
                public void event(final SeededMill.Event e) {
                    EVENTS.add(e);
                    l.event(e);
                }

                @Override
                public void stats(final SeededMill.StatsRow s) {
                    STATS.add(s);
                    l.stats(s);
                }

                @Override
                public void alarm(final SeededMill.AlarmRow a) {
                    ALARMS.add(a);
                    l.alarm(a);
                }
            };
            mill.generate(LocalDate.of(2026, 3, 18), 13, tee);   // covers 2026-03-29 (spring forward)
            mill.generate(LocalDate.of(2026, 10, 15), 12, tee);  // covers 2026-10-25 (fall back)
        }
        new LineSettings.Store(db).put(new LineSettings("test-mill", "line-01", 2400, 4.5, true), NOW);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void utcDayMatchesRawData() {
        check(LocalDate.of(2026, 3, 27), ZoneOffset.UTC, 24);
    }

    @Test
    void berlinSpringForwardDayHas23Hours() {
        check(LocalDate.of(2026, 3, 29), ZoneId.of("Europe/Berlin"), 23);
    }

    @Test
    void berlinFallBackDayHas25HoursWithTheRepeatedHourLabelled() {
        final SiteReport r = check(LocalDate.of(2026, 10, 25), ZoneId.of("Europe/Berlin"), 25);
        assertThat(r.window().hourLabels()).contains("02:00+02:00", "02:00+01:00").doesNotHaveDuplicates();
    }

    @Test
    void newYorkDayMatches() {
        check(LocalDate.of(2026, 10, 22), ZoneId.of("America/New_York"), 24);
    }

    /**
     * The events rollup is checked against the ingest's per-minute counts: an event stored after the day was
     * rolled up (late, from an edge outbox) is in the next report, exactly once.
     */
    @Test
    void lateEventAfterRollupIsCounted() throws Exception {
        final LocalDate day = LocalDate.of(2026, 3, 26);
        final ReportEngine engine = new ReportEngine(db, 2);
        final LineDay before = engine.site("test-mill", day, ZoneOffset.UTC, NOW, f -> { }).lines().get(1);
        // stored as the ingest stores it: the event and its minute's count, in one transaction
        try (var c = db.connection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.executeUpdate("INSERT INTO reject_events (id, site, line, device, event_time, camera, class_name, "
                    + "confidence, belt_mm, across_mm, width_mm, length_mm, valves, pulse_ms, audit, model, lot, crop, "
                    + "received_at) VALUES ('late-1', 'test-mill', 'line-02', 'edge-line-02', "
                    + "TIMESTAMP WITH TIME ZONE '2026-03-26 10:20:30+00', 'uv', 'paper', 0.9, 100, 30, 8, 12, '3', 6, "
                    + "FALSE, 'yolo-cotton-v9', NULL, NULL, TIMESTAMP WITH TIME ZONE '2026-11-01 00:00:00+00')");
            if (st.executeUpdate(MINUTE.replace("?", "+ 1")) == 0) {
                st.executeUpdate("INSERT INTO reject_minutes (site, line, minute_start, class_name, rejections) "
                        + "VALUES ('test-mill', 'line-02', TIMESTAMP WITH TIME ZONE '2026-03-26 10:20:00+00', "
                        + "'paper', 1)");
            }
            c.commit();
        }
        try {
            final LineDay after = engine.site("test-mill", day, ZoneOffset.UTC, NOW, f -> { }).lines().get(1);
            assertThat(after.ejections()).isEqualTo(before.ejections() + 1);
            assertThat(after.classes().get("paper")).isEqualTo(before.classes().getOrDefault("paper", 0L) + 1);
            assertThat(after.cameras().get("uv")).isEqualTo(before.cameras().get("uv") + 1);
            assertThat(after.valves().get(3)).isEqualTo(before.valves().getOrDefault(3, 0L) + 1);
            assertThat(after.hourly()[10]).isEqualTo(before.hourly()[10] + 1);
            assertThat(after.models()).extracting(LineDay.ModelUse::model).contains("yolo-cotton-v9");
        } finally {
            try (var c = db.connection(); var st = c.createStatement()) {
                st.executeUpdate("DELETE FROM reject_events WHERE id = 'late-1'");
                st.executeUpdate(MINUTE.replace("?", "- 1"));
            }
            // and gone again (the stored day rollup too, which the other tests' trends read)
            final LineDay again = engine.site("test-mill", day, ZoneOffset.UTC, NOW, f -> { }).lines().get(1);
            assertThat(again.ejections()).isEqualTo(before.ejections());
            assertThat(again.valves()).isEqualTo(before.valves());
        }
    }

    private static final String MINUTE = "UPDATE reject_minutes SET rejections = rejections ? WHERE site = "
            + "'test-mill' AND line = 'line-02' AND class_name = 'paper' "
            + "AND minute_start = TIMESTAMP WITH TIME ZONE '2026-03-26 10:20:00+00'";

    private SiteReport check(final LocalDate day, final ZoneId zone, final int hours) {
        final ReportEngine engine = new ReportEngine(db, 2);
        final SiteReport r = engine.site("test-mill", day, zone, NOW, f -> { });
        final long start = day.atStartOfDay(zone).toInstant().toEpochMilli();
        final long end = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        assertThat(r.window().hours()).isEqualTo(hours);
        assertThat(end - start).isEqualTo(hours * 3_600_000L);
        assertThat(r.lines()).extracting(LineDay::line).containsExactly("line-01", "line-02", "line-03");
        final String csv = ReportRenderer.csv(r);
        final String html = ReportRenderer.html(r, ReportRenderer.Medium.SCREEN, null);
        for (LineDay d : r.lines()) {
            final double kgh = d.line().equals("line-01") ? 2400 : LineSettings.DEFAULT_THROUGHPUT_KG_H;
            final double gpe = d.line().equals("line-01") ? 4.5 : LineSettings.DEFAULT_GRAMS_PER_EJECTION;
            long ej = 0;
            long audit = 0;
            final Map<String, Long> cls = new TreeMap<>();
            final Map<String, Long> cams = new TreeMap<>();
            final Map<Integer, Long> valves = new TreeMap<>();
            final Map<String, Long> lots = new TreeMap<>();
            final long[] hourly = new long[hours];
            for (SeededMill.Event e : EVENTS) {
                final long t = e.time().toEpochMilli();
                if (!e.line().equals(d.line()) || t < start || t >= end) {
                    continue;
                }
                if (e.audit()) {
                    audit++;
                    continue;
                }
                ej++;
                cls.merge(e.cls(), 1L, Long::sum);
                cams.merge(e.camera(), 1L, Long::sum);
                e.valves().forEach(v -> valves.merge(v, 1L, Long::sum));
                lots.merge(e.lot(), 1L, Long::sum);
                hourly[(int) Duration.between(Instant.ofEpochMilli(start), e.time()).toHours()]++;
            }
            final Map<String, Long> modeMs = new HashMap<>();
            long escapes = 0;
            long late = 0;
            long frames = 0;
            long dropped = 0;
            for (SeededMill.StatsRow s : STATS) {
                if (!s.line().equals(d.line())) {
                    continue;
                }
                final long f = s.from().toEpochMilli();
                final long overlap = Math.min(end, s.to().toEpochMilli()) - Math.max(start, f);
                if (overlap > 0) {
                    modeMs.merge(s.mode(), overlap, Long::sum);
                }
                if (f >= start && f < end) {
                    escapes += s.escapes();
                    late += s.late();
                    frames += s.frames();
                    dropped += s.droppedFrames();
                }
            }
            final long running = modeMs.getOrDefault("running", 0L);
            final long raised = ALARMS.stream().filter(a -> a.line().equals(d.line()) && a.state().equals("raised")
                    && a.time().toEpochMilli() >= start && a.time().toEpochMilli() < end).count();

            assertThat(d.ejections()).as("ejections " + d.line()).isEqualTo(ej).isPositive();
            assertThat(d.auditDetections()).isEqualTo(audit);
            assertThat(new TreeMap<>(d.classes())).isEqualTo(cls);
            assertThat(new TreeMap<>(d.cameras())).isEqualTo(cams);
            assertThat(d.valves()).isEqualTo(valves);
            assertThat(d.hourly()).containsExactly(hourly);
            assertThat(d.hourlyByClass().values().stream().mapToLong(a -> java.util.Arrays.stream(a).sum()).sum())
                    .isEqualTo(ej);
            assertThat(d.runningMs()).isEqualTo(running);
            assertThat(d.auditMs()).isEqualTo(modeMs.getOrDefault("audit", 0L));
            assertThat(d.faultMs()).isEqualTo(modeMs.getOrDefault("fault", 0L));
            assertThat(d.offlineMs()).isEqualTo(end - start - running - d.auditMs() - d.faultMs()).isPositive();
            assertThat(java.util.Arrays.stream(d.hourlyRunningMs()).sum()).isEqualTo(running);
            assertThat(d.escapes()).isEqualTo(escapes);
            assertThat(d.late()).isEqualTo(late);
            assertThat(d.frames()).isEqualTo(frames).isPositive();
            assertThat(d.droppedFrames()).as("the seeded mill drops frames now and then").isEqualTo(dropped).isPositive();
            assertThat(d.framesInspectedShare()).isEqualTo((double) frames / (frames + dropped)).isLessThan(1);
            // the site's table of lines gives each line's share beside its capture estimate
            assertThat(html).contains("<td>" + Html.pct(d.captureEstimate()) + "</td><td>"
                    + Html.pct(d.framesInspectedShare()) + "</td>");
            final double tonnes = kgh * running / 3_600_000_000.0;
            assertThat(d.tonnes()).isEqualTo(tonnes);
            assertThat(d.ejectionsPerTonne()).isEqualTo(ej / tonnes);
            assertThat(d.ejectionsPerHour()).isEqualTo(ej * 3_600_000.0 / running);
            assertThat(d.cottonLostKg()).isEqualTo(gpe * ej / 1000.0);
            assertThat(d.captureEstimate()).isEqualTo((double) ej / (ej + escapes));
            assertThat(d.alarms()).hasSize((int) raised);
            final Map<String, Long> lotEj = new TreeMap<>();
            d.lots().forEach(u -> lotEj.put(u.lot(), u.ejections()));
            lotEj.values().removeIf(v -> v == 0);
            assertThat(lotEj).isEqualTo(lots);
            assertThat(d.periods()).extracting(LineDay.Period::kind).contains("offline");
            assertThat(csv).contains("test-mill," + day + "," + zone.getId() + "," + d.line() + ",line,ejections," + ej
                    + "\n");
            assertThat(csv).contains("test-mill," + day + "," + zone.getId() + "," + d.line() + ",line,dropped_frames,"
                    + dropped + "\n");
            // trend: previous 7 days' ejections and tonnes from the raw data
            long ej7 = 0;
            double t7 = 0;
            for (int i = 7; i >= 1; i--) {
                final long s0 = day.minusDays(i).atStartOfDay(zone).toInstant().toEpochMilli();
                final long s1 = day.minusDays(i - 1).atStartOfDay(zone).toInstant().toEpochMilli();
                long run = 0;
                for (SeededMill.StatsRow s : STATS) {
                    if (s.line().equals(d.line()) && s.mode().equals("running")) {
                        run += Math.max(0, Math.min(s1, s.to().toEpochMilli()) - Math.max(s0, s.from().toEpochMilli()));
                    }
                }
                if (run == 0) {
                    continue;
                }
                ej7 += EVENTS.stream().filter(e -> e.line().equals(d.line()) && !e.audit()
                        && e.time().toEpochMilli() >= s0 && e.time().toEpochMilli() < s1).count();
                t7 += kgh * run / 3_600_000_000.0;
            }
            assertThat(d.trend().ejections7()).isEqualTo(ej7);
            assertThat(d.trend().tonnes7()).isEqualTo(t7);
        }
        // the stuck valve of line 3 is flagged
        assertThat(r.lines().get(2).unusual()).extracting(LineDay.Unusual::what).contains("valve 7");
        return r;
    }
}
