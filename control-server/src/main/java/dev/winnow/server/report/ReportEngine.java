package dev.winnow.server.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleConsumer;

/**
 * Computes the daily report's figures from the stored events, stats and alarms. Each line of a
 * site is computed from its raw rows of the day (two lines at a time); the trend reads the
 * {@code report_daily} rollup, filling in (and storing) any earlier day not rolled up yet.
 */
public final class ReportEngine {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, Long>> COUNTS = new TypeReference<>() { };
    private static final int RUNNING = 3;
    private static final int AUDIT = 2;
    private static final int FAULT = 1;

    private final Database db;
    private final LineSettings.Store settings;
    private final int threads;
    private final QuarterRollup rollup;

    public ReportEngine(final Database db, final int threads) {
        this.db = db;
        this.settings = new LineSettings.Store(db);
        this.threads = threads;
        this.rollup = new QuarterRollup(db);
    }

    /** The events rollup the engine reads (and keeps current). */
    public QuarterRollup rollup() {
        return rollup;
    }

    /** Lines of a site: every line with a device in it. */
    public List<String> lines(final String site) {
        final TreeSet<String> out = new TreeSet<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT line FROM devices WHERE site = ?")) {
            ps.setString(1, site);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return List.copyOf(out);
    }

    public List<String> sites() {
        final TreeSet<String> out = new TreeSet<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT DISTINCT site FROM devices");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return List.copyOf(out);
    }

    /** Whether the site has any rejection minute or stats period that began before {@code end}. */
    public boolean hasDataBefore(final String site, final Instant end) {
        try (Connection c = db.connection()) {
            for (final String sql : new String[] {
                "SELECT 1 FROM reject_minutes WHERE site = ? AND minute_start < ? LIMIT 1",
                "SELECT 1 FROM stats WHERE site = ? AND from_time < ? LIMIT 1"}) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, site);
                    ps.setObject(2, java.time.OffsetDateTime.ofInstant(end, java.time.ZoneOffset.UTC));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return true;
                        }
                    }
                }
            }
            return false;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The report of a site's day; {@code progress} gets 0..1 as lines finish. */
    public SiteReport site(final String site, final LocalDate day, final ZoneId zone, final Instant now,
                           final DoubleConsumer progress) {
        final DayWindow w = DayWindow.of(day, zone);
        final List<String> lines = lines(site);
        final Map<String, LineSettings> configured = settings.all();
        final ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, lines.size())));
        try {
            final AtomicInteger done = new AtomicInteger();
            final List<Future<LineDay>> fs = new ArrayList<>();
            for (String line : lines) {
                final LineSettings s = configured.getOrDefault(site + "/" + line, LineSettings.defaults(site, line));
                fs.add(pool.submit(() -> {
                    final LineDay d = lineDay(s, w, true, now);
                    progress.accept((double) done.incrementAndGet() / lines.size());
                    return d;
                }));
            }
            final List<LineDay> out = new ArrayList<>();
            for (Future<LineDay> f : fs) {
                out.add(f.get());
            }
            return new SiteReport(site, w, now, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One line's day. With {@code full}, also the trend and the unusual lanes and cameras, and the day is
     * stored in the rollup.
     */
    public LineDay lineDay(final LineSettings s, final DayWindow w, final boolean full, final Instant now) {
        try (Connection c = db.connection()) {
            final long start = w.start().toEpochMilli();
            final long end = w.end().toEpochMilli();
            final int hours = w.hours();

            // ---- events: from the quarter rollup (made current first), or raw rows for an unaligned window
            final Events ev = QuarterRollup.aligned(start, end) ? fromRollup(c, s, start, end, hours)
                    : fromRaw(c, s, w, start, hours);
            final long ejections = ev.ejections;
            final long audit = ev.audit;
            final Map<String, Long> classes = ev.classes;
            final Map<String, long[]> hourlyByClass = ev.hourlyByClass;
            final long[] hourly = ev.hourly;
            final Map<String, Long> cameras = ev.cameras;
            final Map<Integer, Long> valves = ev.valves;
            final Map<String, long[]> models = ev.models;
            final Map<String, long[]> lotEvents = ev.lots;

            // ---- stats: modes over time, counters
            final List<long[]> intervals = new ArrayList<>(); // {from, to, priority}
            final Map<String, List<long[]>> lotRunning = new HashMap<>();
            long escapes = 0;
            long late = 0;
            long frames = 0;
            long dropped = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT from_time, to_time, stats_mode, escapes, "
                    + "late_decisions, lot, frames, dropped_frames FROM stats WHERE site = ? AND line = ? "
                    + "AND from_time >= ? AND from_time < ?")) {
                ps.setFetchSize(5000);
                ps.setString(1, s.site());
                ps.setString(2, s.line());
                ps.setObject(3, ts(w.start().minusSeconds(6 * 3600)));
                ps.setObject(4, ts(w.end()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final long f = rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli();
                        final long t = rs.getObject(2, OffsetDateTime.class).toInstant().toEpochMilli();
                        if (f >= start) {
                            escapes += rs.getLong(4);
                            late += rs.getLong(5);
                            frames += rs.getLong(7);
                            dropped += rs.getLong(8);
                        }
                        final long cf = Math.max(f, start);
                        final long ct = Math.min(t, end);
                        if (ct <= cf) {
                            continue;
                        }
                        final int prio = switch (rs.getString(3)) {
                            case "running" -> RUNNING;
                            case "audit" -> AUDIT;
                            default -> FAULT;
                        };
                        intervals.add(new long[] {cf, ct, prio});
                        final String lot = rs.getString(6);
                        if (lot != null && prio == RUNNING) {
                            lotRunning.computeIfAbsent(lot, k -> new ArrayList<>()).add(new long[] {cf, ct});
                        }
                    }
                }
            }
            final long[] modeMs = new long[4];
            final long[] hourlyRunning = new long[hours];
            final List<LineDay.Period> periods = new ArrayList<>();
            sweep(intervals, start, end, (from, to, prio) -> {
                modeMs[prio] += to - from;
                if (prio == RUNNING) {
                    for (long a = from; a < to; ) {
                        final int h = (int) ((a - start) / 3_600_000);
                        final long b = Math.min(to, start + (h + 1) * 3_600_000L);
                        hourlyRunning[h] += b - a;
                        a = b;
                    }
                } else {
                    final String kind = prio == AUDIT ? "audit" : prio == FAULT ? "fault" : "offline";
                    final LineDay.Period last = periods.isEmpty() ? null : periods.get(periods.size() - 1);
                    if (last != null && last.kind().equals(kind) && last.to().toEpochMilli() == from) {
                        periods.set(periods.size() - 1, new LineDay.Period(kind, last.from(), Instant.ofEpochMilli(to)));
                    } else {
                        periods.add(new LineDay.Period(kind, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)));
                    }
                }
            });

            // ---- lots: running time from stats, ejections from events
            final TreeSet<String> lotNames = new TreeSet<>(lotRunning.keySet());
            lotNames.addAll(lotEvents.keySet());
            final List<LineDay.LotUse> lots = new ArrayList<>();
            for (String lot : lotNames) {
                final List<long[]> iv = lotRunning.getOrDefault(lot, List.of());
                final long[] u = union(iv);
                final long[] le = lotEvents.get(lot);
                long first = u[1];
                long last = u[2];
                if (le != null) {
                    first = Math.min(first, le[1]);
                    last = Math.max(last, le[2]);
                }
                lots.add(new LineDay.LotUse(lot, le == null ? 0 : le[0], u[0],
                        Instant.ofEpochMilli(first), Instant.ofEpochMilli(last)));
            }
            final List<LineDay.ModelUse> modelUses = new ArrayList<>();
            models.forEach((k, m) -> modelUses.add(new LineDay.ModelUse(k, m[0], Instant.ofEpochMilli(m[1]),
                    Instant.ofEpochMilli(m[2]))));
            modelUses.sort(Comparator.comparing(LineDay.ModelUse::first).thenComparing(LineDay.ModelUse::model));

            final List<LineDay.AlarmRow> alarms = full ? alarms(c, s, w) : List.of();
            final Map<String, long[]> hbc = new TreeMap<>(hourlyByClass);
            LineDay d = new LineDay(s.site(), s.line(), s, modeMs[RUNNING], modeMs[AUDIT], modeMs[FAULT], modeMs[0],
                    ejections, audit, sortedDesc(classes), hourly, hbc, hourlyRunning, escapes, late,
                    sortedDesc(cameras), valves, modelUses, lots, periods, alarms, null, List.of(),
                    worstHours(hourly, hourlyRunning), frames, dropped);
            if (full) {
                storeDaily(c, d, w, now);
                final List<DailyRow> history = history(s, w, now);
                d = new LineDay(d.site(), d.line(), s, d.runningMs(), d.auditMs(), d.faultMs(), d.offlineMs(),
                        d.ejections(), d.auditDetections(), d.classes(), d.hourly(), d.hourlyByClass(),
                        d.hourlyRunningMs(), d.escapes(), d.late(), d.cameras(), d.valves(), d.models(), d.lots(),
                        d.periods(), d.alarms(), trend(history), unusual(d, history), d.worstHours(), d.frames(),
                        d.droppedFrames());
            }
            return d;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    // ---------------------------------------------------------------- events of a day

    /** A line's events of a day, counted. {@code models} and {@code lots}: {count, first ms, last ms}. */
    static final class Events {
        long ejections;
        long audit;
        final Map<String, Long> classes = new HashMap<>();
        final Map<String, long[]> hourlyByClass = new HashMap<>();
        final long[] hourly;
        final Map<String, Long> cameras = new HashMap<>();
        Map<Integer, Long> valves = new TreeMap<>();
        final Map<String, long[]> models = new HashMap<>();
        final Map<String, long[]> lots = new HashMap<>();

        Events(final int hours) {
            hourly = new long[hours];
        }

        /** {@code n} events with the same keys, first and last at {@code first} / {@code last}. */
        void add(final int h, final boolean isAudit, final String cls, final String camera, final String model,
                 final String lot, final long n, final long first, final long last) {
            if (model != null) {
                span(models, model, n, first, last);
            }
            if (isAudit) {
                audit += n;
                return;
            }
            ejections += n;
            classes.merge(cls, n, Long::sum);
            hourly[h] += n;
            hourlyByClass.computeIfAbsent(cls, k -> new long[hourly.length])[h] += n;
            cameras.merge(camera, n, Long::sum);
            if (lot != null) {
                span(lots, lot, n, first, last);
            }
        }

        private static void span(final Map<String, long[]> m, final String k, final long n, final long first,
                                 final long last) {
            final long[] a = m.computeIfAbsent(k, x -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
            a[0] += n;
            a[1] = Math.min(a[1], first);
            a[2] = Math.max(a[2], last);
        }
    }

    /** The day's events from the quarter rollup: whole quarters make whole local hours in any zone. */
    private Events fromRollup(final Connection c, final LineSettings s, final long start, final long end,
                              final int hours) throws SQLException {
        rollup.ensure(c, s.site(), s.line(), start, end);
        final Events ev = new Events(hours);
        for (QuarterRollup.Row r : rollup.rows(c, s.site(), s.line(), start, end)) {
            ev.add((int) ((r.qs() - start) / 3_600_000), r.audit(), r.cls(), r.camera(), r.model(), r.lot(), r.events(),
                    r.first(), r.last());
        }
        ev.valves = rollup.valves(c, s.site(), s.line(), start, end);
        return ev;
    }

    /** The day's events read row by row (a window not made of whole quarter hours: historic odd offsets). */
    private static Events fromRaw(final Connection c, final LineSettings s, final DayWindow w, final long start,
                                  final int hours) throws SQLException {
        final Events ev = new Events(hours);
        final Map<String, Long> valveText = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_time, class_name, camera, valves, audit, "
                + "model, lot FROM reject_events WHERE site = ? AND line = ? AND event_time >= ? "
                + "AND event_time < ?")) {
            ps.setFetchSize(5000);
            ps.setString(1, s.site());
            ps.setString(2, s.line());
            ps.setObject(3, ts(w.start()));
            ps.setObject(4, ts(w.end()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final long t = rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli();
                    final boolean audit = rs.getBoolean(5);
                    ev.add((int) ((t - start) / 3_600_000), audit, rs.getString(2), rs.getString(3), rs.getString(6),
                            rs.getString(7), 1, t, t);
                    if (!audit) {
                        valveText.merge(rs.getString(4), 1L, Long::sum);
                    }
                }
            }
        }
        for (Map.Entry<String, Long> e : valveText.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                continue;
            }
            for (String v : e.getKey().split(",")) {
                ev.valves.merge(Integer.valueOf(v.trim()), e.getValue(), Long::sum);
            }
        }
        return ev;
    }

    // ---------------------------------------------------------------- modes over time

    interface Segment {
        void accept(long from, long to, int prio);
    }

    /**
     * Cuts {@code [start, end)} into segments by the highest-priority mode active (running over audit
     * over fault; none is offline, priority 0), in time order; adjacent equal segments are joined.
     */
    static void sweep(final List<long[]> intervals, final long start, final long end, final Segment out) {
        final List<long[]> points = new ArrayList<>(intervals.size() * 2);
        for (long[] iv : intervals) {
            points.add(new long[] {iv[0], iv[2], 1});
            points.add(new long[] {iv[1], iv[2], -1});
        }
        points.sort(Comparator.comparingLong(p -> p[0]));
        final int[] active = new int[4];
        long at = start;
        int curPrio = 0;
        long segStart = start;
        int i = 0;
        while (at < end) {
            while (i < points.size() && points.get(i)[0] <= at) {
                active[(int) points.get(i)[1]] += (int) points.get(i)[2];
                i++;
            }
            final int prio = active[RUNNING] > 0 ? RUNNING : active[AUDIT] > 0 ? AUDIT : active[FAULT] > 0 ? FAULT : 0;
            if (prio != curPrio) {
                if (at > segStart) {
                    out.accept(segStart, at, curPrio);
                }
                segStart = at;
                curPrio = prio;
            }
            at = i < points.size() ? Math.min(end, points.get(i)[0]) : end;
        }
        if (end > segStart) {
            out.accept(segStart, end, curPrio);
        }
    }

    /** {total length of the union, first start, last end} of intervals {from, to}. */
    static long[] union(final List<long[]> iv) {
        if (iv.isEmpty()) {
            return new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE};
        }
        final List<long[]> sorted = new ArrayList<>(iv);
        sorted.sort(Comparator.comparingLong(a -> a[0]));
        long total = 0;
        long cs = sorted.get(0)[0];
        long ce = sorted.get(0)[1];
        long last = ce;
        for (long[] a : sorted) {
            if (a[0] > ce) {
                total += ce - cs;
                cs = a[0];
                ce = a[1];
            } else {
                ce = Math.max(ce, a[1]);
            }
            last = Math.max(last, a[1]);
        }
        total += ce - cs;
        return new long[] {total, sorted.get(0)[0], last};
    }

    /** The three hours with the most ejections per running hour (hours with at least 10 minutes running). */
    static List<Integer> worstHours(final long[] hourly, final long[] running) {
        final List<Integer> idx = new ArrayList<>();
        for (int h = 0; h < hourly.length; h++) {
            if (running[h] >= 600_000 && hourly[h] > 0) {
                idx.add(h);
            }
        }
        idx.sort(Comparator.comparingDouble((Integer h) -> -LineDay.perHour(hourly[h], running[h]))
                .thenComparing(h -> h));
        return List.copyOf(idx.subList(0, Math.min(3, idx.size())));
    }

    private static List<LineDay.AlarmRow> alarms(final Connection c, final LineSettings s, final DayWindow w)
            throws SQLException {
        final List<LineDay.AlarmRow> out = new ArrayList<>();
        final Map<String, Integer> open = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_time, device, alarm_state, severity, cause, "
                + "message, camera FROM alarms WHERE site = ? AND line = ? AND event_time >= ? AND event_time < ? "
                + "ORDER BY event_time, id")) {
            ps.setString(1, s.site());
            ps.setString(2, s.line());
            ps.setObject(3, ts(w.start()));
            ps.setObject(4, ts(w.end().plusSeconds(86_400)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final Instant t = rs.getObject(1, OffsetDateTime.class).toInstant();
                    final String key = rs.getString(2) + "|" + rs.getString(5) + "|" + rs.getString(7);
                    if ("raised".equals(rs.getString(3))) {
                        if (t.isBefore(w.end())) {
                            open.put(key, out.size());
                            out.add(new LineDay.AlarmRow(t, rs.getString(2), rs.getString(4), rs.getString(5),
                                    rs.getString(6), rs.getString(7), null));
                        }
                    } else {
                        final Integer i = open.remove(key);
                        if (i != null) {
                            final LineDay.AlarmRow a = out.get(i);
                            out.set(i, new LineDay.AlarmRow(a.time(), a.device(), a.severity(), a.cause(),
                                    a.message(), a.camera(), t));
                        }
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- rollup and trend

    /** A day of the {@code report_daily} rollup. */
    record DailyRow(LocalDate day, long runningMs, double tonnes, long ejections, long escapes, long late,
                    Map<String, Long> classes, Map<String, Long> cameras) {
    }

    private static void storeDaily(final Connection c, final LineDay d, final DayWindow w, final Instant now)
            throws SQLException {
        try (PreparedStatement del = c.prepareStatement(
                "DELETE FROM report_daily WHERE site = ? AND line = ? AND report_day = ? AND zone = ?")) {
            del.setString(1, d.site());
            del.setString(2, d.line());
            del.setDate(3, Date.valueOf(w.day()));
            del.setString(4, w.zone().getId());
            del.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO report_daily (site, line, report_day, zone, running_ms, "
                + "tonnes, ejections, escapes, late, classes_json, cameras_json, computed_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, d.site());
            ps.setString(2, d.line());
            ps.setDate(3, Date.valueOf(w.day()));
            ps.setString(4, w.zone().getId());
            ps.setLong(5, d.runningMs());
            ps.setDouble(6, d.tonnes());
            ps.setLong(7, d.ejections());
            ps.setLong(8, d.escapes());
            ps.setLong(9, d.late());
            ps.setString(10, JSON.writeValueAsString(new TreeMap<>(d.classes())));
            ps.setString(11, JSON.writeValueAsString(new TreeMap<>(d.cameras())));
            ps.setObject(12, ts(now));
            ps.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rollup rows of the 30 days before {@code w}; days missing from the rollup are computed and stored. */
    List<DailyRow> history(final LineSettings s, final DayWindow w, final Instant now) throws SQLException {
        final Map<LocalDate, DailyRow> found = new HashMap<>();
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT report_day, running_ms, tonnes, ejections, escapes, late, "
                    + "classes_json, cameras_json FROM report_daily WHERE site = ? AND line = ? AND zone = ? "
                    + "AND report_day >= ? AND report_day < ?")) {
                ps.setString(1, s.site());
                ps.setString(2, s.line());
                ps.setString(3, w.zone().getId());
                ps.setDate(4, Date.valueOf(w.day().minusDays(30)));
                ps.setDate(5, Date.valueOf(w.day()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final LocalDate day = rs.getDate(1).toLocalDate();
                        found.put(day, new DailyRow(day, rs.getLong(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5),
                                rs.getLong(6), JSON.readValue(rs.getString(7), COUNTS),
                                JSON.readValue(rs.getString(8), COUNTS)));
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            final List<DailyRow> out = new ArrayList<>();
            for (int i = 30; i >= 1; i--) {
                final LocalDate day = w.day().minusDays(i);
                DailyRow r = found.get(day);
                if (r == null) {
                    final DayWindow dw = DayWindow.of(day, w.zone());
                    final LineDay d = lineDay(s, dw, false, now);
                    storeDaily(c, d, dw, now);
                    r = new DailyRow(day, d.runningMs(), d.tonnes(), d.ejections(), d.escapes(), d.late(),
                            d.classes(), d.cameras());
                }
                out.add(r);
            }
            return out;
        }
    }

    /** Back-fills the rollup for a site's days (what the scheduler does each night). */
    public void rollUp(final String site, final LocalDate day, final ZoneId zone, final Instant now) {
        final DayWindow w = DayWindow.of(day, zone);
        final Map<String, LineSettings> configured = settings.all();
        try (Connection c = db.connection()) {
            for (String line : lines(site)) {
                final LineDay d = lineDay(configured.getOrDefault(site + "/" + line,
                        LineSettings.defaults(site, line)), w, false, now);
                storeDaily(c, d, w, now);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    static LineDay.Trend trend(final List<DailyRow> history) {
        int d7 = 0;
        int d30 = 0;
        long e7 = 0;
        long e30 = 0;
        double t7 = 0;
        double t30 = 0;
        long r7 = 0;
        long r30 = 0;
        final Map<String, Long> c7 = new TreeMap<>();
        final Map<String, Long> c30 = new TreeMap<>();
        final double[] series = new double[history.size()];
        for (int i = 0; i < history.size(); i++) {
            final DailyRow r = history.get(i);
            final boolean recent = i >= history.size() - 7;
            series[i] = r.runningMs() > 0 ? LineDay.perTonne(r.ejections(), r.tonnes()) : Double.NaN;
            if (r.runningMs() <= 0) {
                continue;
            }
            d30++;
            e30 += r.ejections();
            t30 += r.tonnes();
            r30 += r.runningMs();
            r.classes().forEach((k, v) -> c30.merge(k, v, Long::sum));
            if (recent) {
                d7++;
                e7 += r.ejections();
                t7 += r.tonnes();
                r7 += r.runningMs();
                r.classes().forEach((k, v) -> c7.merge(k, v, Long::sum));
            }
        }
        return new LineDay.Trend(d7, e7, t7, r7, d30, e30, t30, r30, c7, c30, series);
    }

    /**
     * Lanes against the line's other lanes the same day (median): a lane that fires 3x the median or
     * more (and 30 more) may be stuck open or see a dirty spot; one at a quarter or less, or silent
     * inside the range, may be stuck closed. Cameras against their own previous 7 days, per running hour:
     * twice or half the usual rate (a dirty lens, a failing light).
     */
    static List<LineDay.Unusual> unusual(final LineDay d, final List<DailyRow> history) {
        final List<LineDay.Unusual> out = new ArrayList<>();
        if (!d.valves().isEmpty()) {
            final int lo = d.valves().keySet().stream().mapToInt(Integer::intValue).min().orElse(0);
            final int hi = d.valves().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            final long[] counts = new long[hi - lo + 1];
            for (int v = lo; v <= hi; v++) {
                counts[v - lo] = d.valves().getOrDefault(v, 0L);
            }
            final long[] sorted = counts.clone();
            Arrays.sort(sorted);
            final double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
            if (median >= 20) {
                for (int v = lo; v <= hi; v++) {
                    final long n = counts[v - lo];
                    if (n >= 3 * median && n >= median + 30) {
                        out.add(new LineDay.Unusual("valve " + v, n, median, String.format(java.util.Locale.ROOT,
                                "%.1fx the median lane: stuck open, or a dirty spot upstream?", n / median)));
                    } else if (n <= median / 4) {
                        out.add(new LineDay.Unusual("valve " + v, n, median, n == 0
                                ? "never fired: stuck closed or disconnected?"
                                : String.format(java.util.Locale.ROOT, "%.0f%% of the median lane: stuck closed?",
                                100.0 * n / median)));
                    }
                }
            }
        }
        final List<DailyRow> last7 = history.subList(Math.max(0, history.size() - 7), history.size());
        final long run7 = last7.stream().mapToLong(DailyRow::runningMs).sum();
        if (run7 > 0 && d.runningMs() > 0) {
            final TreeSet<String> cams = new TreeSet<>(d.cameras().keySet());
            last7.forEach(r -> cams.addAll(r.cameras().keySet()));
            for (String cam : cams) {
                final long before = last7.stream().mapToLong(r -> r.cameras().getOrDefault(cam, 0L)).sum();
                final double expected = before * (double) d.runningMs() / run7;
                final long n = d.cameras().getOrDefault(cam, 0L);
                if (expected < 20 && n < 20) {
                    continue;
                }
                if (n >= 2 * expected) {
                    out.add(new LineDay.Unusual("camera " + cam, n, expected, String.format(java.util.Locale.ROOT,
                            "%.1fx its usual rate: dirty lens or a change in the product?",
                            expected > 0 ? n / expected : Double.POSITIVE_INFINITY)));
                } else if (n <= expected / 2) {
                    out.add(new LineDay.Unusual("camera " + cam, n, expected, String.format(java.util.Locale.ROOT,
                            "%.0f%% of its usual rate: blocked, dirty or badly lit?", 100.0 * n / expected)));
                }
            }
        }
        return out;
    }

    private static <K> Map<K, Long> sortedDesc(final Map<K, Long> m) {
        final Map<K, Long> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Map.Entry.<K, Long>comparingByValue().reversed()
                        .thenComparing(e -> String.valueOf(e.getKey())))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static OffsetDateTime ts(final Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
