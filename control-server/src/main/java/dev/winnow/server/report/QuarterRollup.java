package dev.winnow.server.report;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The report's rollup of events per line and UTC quarter hour ({@code report_quarters},
 * {@code report_quarter_valves}, {@code report_quarter_state}, see migration V9_1). {@link #ensure} makes
 * a range of quarters current: it compares each quarter's built event count with the ingest's own
 * per-minute counts ({@code reject_minutes}, written in the transaction that stores the events) and
 * rebuilds from the raw events, with one SQL {@code GROUP BY} per run of stale quarters, only the
 * quarters that differ. A report therefore reads a few thousand rollup rows instead of a million events,
 * and is still exact when events arrive late.
 */
public final class QuarterRollup {

    public static final long QUARTER_MS = 900_000L;

    private final Database db;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public QuarterRollup(final Database db) {
        this.db = db;
    }

    /** True when {@code [start, end)} is made of whole UTC quarter hours (every zone in use today). */
    public static boolean aligned(final long start, final long end) {
        return Math.floorMod(start, QUARTER_MS) == 0 && Math.floorMod(end, QUARTER_MS) == 0;
    }

    /**
     * Brings the quarters of {@code [start, end)} (aligned) of one line up to date; returns how many quarters
     * were rebuilt.
     */
    public int ensure(final Connection c, final String site, final String line, final long start, final long end)
            throws SQLException {
        synchronized (locks.computeIfAbsent(site + "\u0000" + line, k -> new Object())) {
            final int n = (int) ((end - start) / QUARTER_MS);
            final long[] stored = new long[n];
            final long[] built = new long[n];
            final boolean[] has = new boolean[n];
            try (PreparedStatement ps = c.prepareStatement("SELECT minute_start, SUM(rejections) FROM reject_minutes "
                    + "WHERE site = ? AND line = ? AND minute_start >= ? AND minute_start < ? GROUP BY minute_start")) {
                bind(ps, site, line, start, end);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored[(int) ((millis(rs, 1) - start) / QUARTER_MS)] += rs.getLong(2);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT quarter_start, events FROM report_quarter_state "
                    + "WHERE site = ? AND line = ? AND quarter_start >= ? AND quarter_start < ?")) {
                bind(ps, site, line, start, end);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final int q = (int) ((millis(rs, 1) - start) / QUARTER_MS);
                        built[q] = rs.getLong(2);
                        has[q] = true;
                    }
                }
            }
            int rebuilt = 0;
            for (int q = 0; q < n; ) {
                if (stored[q] == built[q] && (has[q] || stored[q] == 0)) {
                    q++;
                    continue;
                }
                int r = q;
                while (r < n && !(stored[r] == built[r] && (has[r] || stored[r] == 0))) {
                    r++;
                }
                rebuild(c, site, line, start + q * QUARTER_MS, start + r * QUARTER_MS);
                rebuilt += r - q;
                q = r;
            }
            return rebuilt;
        }
    }

    /** Same, on a connection of its own (for the schedule). */
    public int ensure(final String site, final String line, final long start, final long end) {
        try (Connection c = db.connection()) {
            return ensure(c, site, line, start, end);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Recomputes the quarters {@code [from, to)} of a line from the raw events, in one transaction. */
    void rebuild(final Connection c, final String site, final String line, final long from, final long to)
            throws SQLException {
        final boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (String t : List.of("report_quarters", "report_quarter_valves", "report_quarter_state")) {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM " + t
                        + " WHERE site = ? AND line = ? AND quarter_start >= ? AND quarter_start < ?")) {
                    bind(del, site, line, from, to);
                    del.executeUpdate();
                }
            }
            final Map<Long, Long> perQuarter = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT FLOOR(EXTRACT(EPOCH FROM event_time) / 900) AS qn, "
                    + "audit, class_name, camera, model, lot, COUNT(*), MIN(event_time), MAX(event_time) "
                    + "FROM reject_events WHERE site = ? AND line = ? AND event_time >= ? AND event_time < ? "
                    + "GROUP BY qn, audit, class_name, camera, model, lot");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO report_quarters (site, line, quarter_start, "
                         + "audit, class_name, camera, model, lot, events, first_time, last_time) "
                         + "VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
                bind(q, site, line, from, to);
                q.setFetchSize(5000);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        final long qs = rs.getLong(1) * QUARTER_MS;
                        final long n = rs.getLong(7);
                        perQuarter.merge(qs, n, Long::sum);
                        ins.setString(1, site);
                        ins.setString(2, line);
                        ins.setObject(3, ReportEngine.ts(Instant.ofEpochMilli(qs)));
                        ins.setBoolean(4, rs.getBoolean(2));
                        ins.setString(5, rs.getString(3));
                        ins.setString(6, rs.getString(4));
                        ins.setString(7, rs.getString(5));
                        ins.setString(8, rs.getString(6));
                        ins.setLong(9, n);
                        ins.setObject(10, rs.getObject(8, OffsetDateTime.class));
                        ins.setObject(11, rs.getObject(9, OffsetDateTime.class));
                        ins.addBatch();
                    }
                }
                ins.executeBatch();
            }
            final Map<Long, Map<Integer, Long>> valves = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT FLOOR(EXTRACT(EPOCH FROM event_time) / 900) AS qn, "
                    + "valves, COUNT(*) FROM reject_events WHERE site = ? AND line = ? AND event_time >= ? "
                    + "AND event_time < ? AND audit = FALSE GROUP BY qn, valves")) {
                bind(q, site, line, from, to);
                q.setFetchSize(5000);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        final String text = rs.getString(2);
                        if (text == null || text.isEmpty()) {
                            continue;
                        }
                        final Map<Integer, Long> m = valves.computeIfAbsent(rs.getLong(1) * QUARTER_MS,
                                k -> new HashMap<>());
                        for (String v : text.split(",")) {
                            m.merge(Integer.valueOf(v.trim()), rs.getLong(3), Long::sum);
                        }
                    }
                }
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO report_quarter_valves (site, line, "
                    + "quarter_start, valve, ejections) VALUES (?,?,?,?,?)")) {
                for (Map.Entry<Long, Map<Integer, Long>> e : valves.entrySet()) {
                    for (Map.Entry<Integer, Long> v : e.getValue().entrySet()) {
                        ins.setString(1, site);
                        ins.setString(2, line);
                        ins.setObject(3, ReportEngine.ts(Instant.ofEpochMilli(e.getKey())));
                        ins.setInt(4, v.getKey());
                        ins.setLong(5, v.getValue());
                        ins.addBatch();
                    }
                }
                ins.executeBatch();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO report_quarter_state (site, line, "
                    + "quarter_start, events, built_at) VALUES (?,?,?,?,?)")) {
                final java.time.OffsetDateTime now = ReportEngine.ts(Instant.now());
                for (Map.Entry<Long, Long> e : perQuarter.entrySet()) {
                    ins.setString(1, site);
                    ins.setString(2, line);
                    ins.setObject(3, ReportEngine.ts(Instant.ofEpochMilli(e.getKey())));
                    ins.setLong(4, e.getValue());
                    ins.setObject(5, now);
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** One rollup row of a quarter: {@code qs} is the quarter's start (epoch ms). */
    public record Row(long qs, boolean audit, String cls, String camera, String model, String lot, long events,
                      long first, long last) {
    }

    /** The rollup rows of a line in {@code [start, end)} (call {@link #ensure} first). */
    public List<Row> rows(final Connection c, final String site, final String line, final long start, final long end)
            throws SQLException {
        final List<Row> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT quarter_start, audit, class_name, camera, model, lot, "
                + "events, first_time, last_time FROM report_quarters WHERE site = ? AND line = ? "
                + "AND quarter_start >= ? AND quarter_start < ?")) {
            bind(ps, site, line, start, end);
            ps.setFetchSize(5000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(millis(rs, 1), rs.getBoolean(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getLong(7), millis(rs, 8), millis(rs, 9)));
                }
            }
        }
        return out;
    }

    /** Ejections per valve of a line in {@code [start, end)}. */
    public Map<Integer, Long> valves(final Connection c, final String site, final String line, final long start,
                                     final long end) throws SQLException {
        final Map<Integer, Long> out = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT valve, SUM(ejections) FROM report_quarter_valves "
                + "WHERE site = ? AND line = ? AND quarter_start >= ? AND quarter_start < ? GROUP BY valve")) {
            bind(ps, site, line, start, end);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private static void bind(final PreparedStatement ps, final String site, final String line, final long from,
                             final long to) throws SQLException {
        ps.setString(1, site);
        ps.setString(2, line);
        ps.setObject(3, ReportEngine.ts(Instant.ofEpochMilli(from)));
        ps.setObject(4, ReportEngine.ts(Instant.ofEpochMilli(to)));
    }

    private static long millis(final ResultSet rs, final int i) throws SQLException {
        return rs.getObject(i, OffsetDateTime.class).toInstant().toEpochMilli();
    }
}
