package dev.winnow.server.report;

import dev.winnow.server.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes a {@link SeededMill}'s output into the store the way the ingest would leave it (events,
 * the per-minute rollup, stats, alarms, devices), in JDBC batches. For tests and the benchmark.
 */
public final class BulkLoader implements SeededMill.Sink, AutoCloseable {

    /** Rows per JDBC batch and per transaction: large batches, one commit per chunk. */
    private static final int BATCH = 50_000;
    private final Connection c;
    private final PreparedStatement ev;
    private final PreparedStatement st;
    private final PreparedStatement al;
    private final Map<MinuteKey, Long> minutes = new HashMap<>();
    private String lastDevice;
    private String lastLine;
    private long lastMinute;

    private record MinuteKey(String site, String line, long minute, String cls) {
    }

    private final Map<String, String[]> devices = new HashMap<>();
    private final LongConsumer progress;
    private final Instant received;
    private final java.time.OffsetDateTime receivedTs;
    private int pending;
    private long events;

    public BulkLoader(final Database db, final Instant received, final LongConsumer progress) throws SQLException {
        this.c = db.connection();
        this.received = received;
        this.receivedTs = ReportEngine.ts(received);
        this.progress = progress;
        c.setAutoCommit(false);
        ev = c.prepareStatement("INSERT INTO reject_events (id, site, line, device, event_time, camera, class_name, "
                + "confidence, belt_mm, across_mm, width_mm, length_mm, valves, pulse_ms, audit, model, lot, crop, "
                + "received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        st = c.prepareStatement("INSERT INTO stats (site, line, device, from_time, to_time, stats_mode, frames, "
                + "dropped_frames, objects, detections_json, rejections_json, escapes, late_decisions, latency_p50_ms, "
                + "latency_p99_ms, valve_cycles, fps, outbox_depth, cpu_temperature_c, lot, received_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        al = c.prepareStatement("INSERT INTO alarms (id, site, line, device, event_time, alarm_state, severity, cause, "
                + "message, camera, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    }

    @Override
    public void event(final SeededMill.Event e) {
        try {
            int i = 1;
            ev.setString(i++, e.id());
            ev.setString(i++, e.site());
            ev.setString(i++, e.line());
            ev.setString(i++, e.device());
            ev.setObject(i++, ReportEngine.ts(e.time()));
            ev.setString(i++, e.camera());
            ev.setString(i++, e.cls());
            ev.setDouble(i++, e.confidence());
            ev.setDouble(i++, 100);
            ev.setDouble(i++, 10.0 * e.valves().get(0));
            ev.setDouble(i++, 8);
            ev.setDouble(i++, 12);
            ev.setString(i++, e.valvesText());
            ev.setDouble(i++, 6);
            ev.setBoolean(i++, e.audit());
            ev.setString(i++, e.model());
            ev.setString(i++, e.lot());
            ev.setString(i++, null);
            ev.setObject(i, receivedTs);
            ev.addBatch();
            lastMinute = e.time().toEpochMilli() / 60_000L;
            minutes.merge(new MinuteKey(e.site(), e.line(), lastMinute, e.cls()), 1L, Long::sum);
            if (!e.device().equals(lastDevice) || !e.line().equals(lastLine)) {
                lastDevice = e.device();
                lastLine = e.line();
                devices.put(e.site() + "/" + e.line() + "/" + e.device(), new String[] {e.site(), e.line(), e.device()});
            }
            events++;
            bump();
        } catch (SQLException x) {
            throw new IllegalStateException(x);
        }
    }

    @Override
    public void stats(final SeededMill.StatsRow s) {
        try {
            int i = 1;
            st.setString(i++, s.site());
            st.setString(i++, s.line());
            st.setString(i++, s.device());
            st.setObject(i++, ReportEngine.ts(s.from()));
            st.setObject(i++, ReportEngine.ts(s.to()));
            st.setString(i++, s.mode());
            st.setLong(i++, s.frames());
            st.setLong(i++, s.droppedFrames());
            st.setLong(i++, 1000);
            st.setString(i++, "{}");
            st.setString(i++, "{}");
            st.setLong(i++, s.escapes());
            st.setLong(i++, s.late());
            st.setDouble(i++, 4);
            st.setDouble(i++, 9);
            st.setLong(i++, 0);
            st.setDouble(i++, 30);
            st.setLong(i++, 0);
            st.setDouble(i++, 55);
            st.setString(i++, s.lot());
            st.setObject(i, receivedTs);
            st.addBatch();
            devices.put(s.site() + "/" + s.line() + "/" + s.device(), new String[] {s.site(), s.line(), s.device()});
            bump();
        } catch (SQLException x) {
            throw new IllegalStateException(x);
        }
    }

    @Override
    public void alarm(final SeededMill.AlarmRow a) {
        try {
            al.setString(1, a.id());
            al.setString(2, a.site());
            al.setString(3, a.line());
            al.setString(4, a.device());
            al.setObject(5, ReportEngine.ts(a.time()));
            al.setString(6, a.state());
            al.setString(7, a.severity());
            al.setString(8, a.cause());
            al.setString(9, a.message());
            al.setString(10, null);
            al.setObject(11, receivedTs);
            al.addBatch();
            bump();
        } catch (SQLException x) {
            throw new IllegalStateException(x);
        }
    }

    private void bump() throws SQLException {
        if (++pending >= BATCH) {
            flush();
        }
    }

    private void flush() throws SQLException {
        ev.executeBatch();
        st.executeBatch();
        al.executeBatch();
        flushMinutes(false);
        c.commit();
        pending = 0;
        progress.accept(events);
    }

    /**
     * Writes the per-minute counts that are complete: the generator is in time order per line, so every
     * minute before the current event's minute of the current line (and every other line's) is final.
     */
    private void flushMinutes(final boolean all) throws SQLException {
        if (minutes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO reject_minutes (site, line, minute_start, "
                + "class_name, rejections) VALUES (?,?,?,?,?)")) {
            final java.util.Iterator<Map.Entry<MinuteKey, Long>> it = minutes.entrySet().iterator();
            while (it.hasNext()) {
                final Map.Entry<MinuteKey, Long> e = it.next();
                final MinuteKey k = e.getKey();
                if (!all && k.line().equals(lastLine) && k.minute() >= lastMinute) {
                    continue;
                }
                ps.setString(1, k.site());
                ps.setString(2, k.line());
                ps.setObject(3, ReportEngine.ts(Instant.ofEpochMilli(k.minute() * 60_000L)));
                ps.setString(4, k.cls());
                ps.setLong(5, e.getValue());
                ps.addBatch();
                it.remove();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            flush();
            flushMinutes(true);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (site, line, device, status_state, "
                    + "status_time, models_json, last_seen) VALUES (?,?,?,'online',?,'{}',?)");
                 PreparedStatement exists = c.prepareStatement(
                         "SELECT 1 FROM devices WHERE site = ? AND line = ? AND device = ?")) {
                for (String[] d : devices.values()) {
                    exists.setString(1, d[0]);
                    exists.setString(2, d[1]);
                    exists.setString(3, d[2]);
                    try (java.sql.ResultSet rs = exists.executeQuery()) {
                        if (rs.next()) {
                            continue;
                        }
                    }
                    ps.setString(1, d[0]);
                    ps.setString(2, d[1]);
                    ps.setString(3, d[2]);
                    ps.setObject(4, ReportEngine.ts(received));
                    ps.setObject(5, ReportEngine.ts(received));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } finally {
            ev.close();
            st.close();
            al.close();
            c.setAutoCommit(true);
            c.close();
        }
    }

    public long events() {
        return events;
    }
}
