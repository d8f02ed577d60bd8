package dev.winnow.server.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.winnow.server.line.Json;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import dev.winnow.server.store.LineSummary;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Devices and lines as the fleet and overview pages show them, from the stored status, stats,
 * alarms and rejections.
 */
public final class FleetStore {

    /** A device seen nothing from for this long counts as offline even without a last will. */
    public static final Duration STALE = EventStore.STALE_DEVICE;

    /**
     * One device with its latest status and stats. {@code auditCameras}: the cameras it reported in audit mode on
     * their own (a model canary, or an engineer's choice), which fire nothing while the rest of the line runs.
     * {@code boot}: how many times its agent had started when it sent that status (null from older agents).
     * {@code clock}: how far its clock is from the server's, read from its stats (null until read since the server
     * started).
     */
    public record Device(String site, String line, String device, boolean online, String status, Instant statusTime,
                         String agentVersion, Map<String, String> models, String configHash, Instant lastSeen,
                         String mode, Double fps, Double latencyP50Ms, Double latencyP99Ms, Long outboxDepth,
                         Double cpuTemperatureC, String lot, Instant statsTime, Double droppedFramesPct,
                         List<String> auditCameras, Long boot, DeviceClocks.Reading clock) {
    }

    /** An alarm's latest state per device, cause and camera. */
    public record ActiveAlarm(String id, String site, String line, String device, Instant time, String severity,
                              String cause, String message, String camera, String acknowledgedBy) {
    }

    /** A line on the overview. {@code auditCameras}: its online devices' cameras that fire nothing on their own. */
    public record LineView(String site, String line, String state, int devices, int online, Instant lastSeen,
                           long lastMinute, long total30, List<LineSummary.ClassSeries> classes, List<Instant> minutes,
                           long rejected10, long escapes10, Double capturePct, long valveCycles10, Double fps,
                           String lot, List<ActiveAlarm> alarms, List<String> auditCameras) {
    }

    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<Map<String, Long>> LONGS = new TypeReference<>() { };

    private final Database db;
    private final EventStore store;

    private final DeviceClocks clocks;

    public FleetStore(final Database db, final EventStore store) {
        this(db, store, new DeviceClocks());
    }

    public FleetStore(final Database db, final EventStore store, final DeviceClocks clocks) {
        this.db = db;
        this.store = store;
        this.clocks = clocks;
    }

    public List<Device> devices(final Instant now) {
        final String sql = "SELECT d.site, d.line, d.device, d.status_state, d.status_time, d.agent_version, "
                + "d.models_json, d.config_hash, d.last_seen, s.stats_mode, s.fps, s.latency_p50_ms, s.latency_p99_ms, "
                + "s.outbox_depth, s.cpu_temperature_c, s.lot, s.to_time, s.frames, s.dropped_frames, d.audit_cameras, "
                + "d.boot "
                + "FROM devices d LEFT JOIN ("
                + "SELECT st.* FROM stats st JOIN (SELECT site, line, device, MAX(from_time) AS m FROM stats "
                + "GROUP BY site, line, device) x ON st.site = x.site AND st.line = x.line AND st.device = x.device "
                + "AND st.from_time = x.m) s ON s.site = d.site AND s.line = d.line AND s.device = d.device "
                + "ORDER BY d.site, d.line, d.device";
        final List<Device> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                final Instant lastSeen = instant(rs, 9);
                final String status = rs.getString(4);
                final boolean online = "online".equals(status) && lastSeen != null
                        && Duration.between(lastSeen, now).compareTo(STALE) < 0;
                Map<String, String> models = Map.of();
                if (rs.getString(7) != null) {
                    try {
                        models = Json.MAPPER.readValue(rs.getString(7), STRINGS);
                    } catch (Exception e) {
                        models = Map.of();
                    }
                }
                out.add(new Device(rs.getString(1), rs.getString(2), rs.getString(3), online, status, instant(rs, 5),
                        rs.getString(6), models, rs.getString(8), lastSeen, rs.getString(10), dbl(rs, 11), dbl(rs, 12),
                        dbl(rs, 13), rs.getObject(14) == null ? null : rs.getLong(14), dbl(rs, 15), rs.getString(16),
                        instant(rs, 17), droppedPct(rs), rs.getString(20) == null || rs.getString(20).isEmpty()
                                ? List.of() : List.of(rs.getString(20).split(",")),
                        rs.getObject(21) == null ? null : rs.getLong(21),
                        clocks.reading(rs.getString(1), rs.getString(2), rs.getString(3))));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * The share of its frames a device could not inspect in its last stats interval, percent: frames dropped because
     * inference fell behind the camera, of the frames it took. A device that drops frames sees each object fewer
     * times (a model too slow for its CPU); null before its first stats.
     */
    private static Double droppedPct(final ResultSet rs) throws SQLException {
        final long frames = rs.getLong(18);
        if (rs.wasNull()) {
            return null;
        }
        final long dropped = rs.getLong(19);
        return frames + dropped == 0 ? 0.0 : 100.0 * dropped / (frames + dropped);
    }

    /** Alarms whose latest message (per device, cause and camera) is a raise, newest first. */
    public List<ActiveAlarm> activeAlarms(final Instant now) {
        final String sql = "SELECT a.id, a.site, a.line, a.device, a.event_time, a.alarm_state, a.severity, a.cause, "
                + "a.message, a.camera, k.acknowledged_by FROM alarms a LEFT JOIN alarm_acks k ON k.alarm_id = a.id "
                + "WHERE a.event_time > ? ORDER BY a.event_time, a.received_at";
        final Map<String, ActiveAlarm> open = new LinkedHashMap<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, ts(now.minus(Duration.ofDays(30))));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final String key = rs.getString(2) + "/" + rs.getString(3) + "/" + rs.getString(4) + "/"
                            + rs.getString(8) + "/" + rs.getString(10);
                    if ("raised".equals(rs.getString(6))) {
                        open.put(key, new ActiveAlarm(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), instant(rs, 5), rs.getString(7), rs.getString(8), rs.getString(9),
                                rs.getString(10), rs.getString(11)));
                    } else {
                        open.remove(key);
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        final List<ActiveAlarm> out = new ArrayList<>(open.values());
        out.sort((a, b) -> b.time().compareTo(a.time()));
        return out;
    }

    /** Every line with its state, figures and chart series. */
    public List<LineView> overview(final Instant now) {
        final List<Device> devices = devices(now);
        final List<ActiveAlarm> alarms = activeAlarms(now);
        final Map<String, List<Device>> byLine = new TreeMap<>();
        for (Device d : devices) {
            byLine.computeIfAbsent(d.site() + "/" + d.line(), k -> new ArrayList<>()).add(d);
        }
        for (var l : store.lines(now)) {
            byLine.computeIfAbsent(l.site() + "/" + l.line(), k -> new ArrayList<>());
        }
        final Map<String, long[]> recent = recentStats(now); // rejected, escapes, valve cycles
        final Map<String, String> lots = currentLots();
        final List<LineView> out = new ArrayList<>();
        for (Map.Entry<String, List<Device>> e : byLine.entrySet()) {
            final int slash = e.getKey().indexOf('/');
            final String site = e.getKey().substring(0, slash);
            final String line = e.getKey().substring(slash + 1);
            final List<Device> ds = e.getValue();
            final int online = (int) ds.stream().filter(Device::online).count();
            final Instant lastSeen = ds.stream().map(Device::lastSeen).filter(x -> x != null).max(Instant::compareTo)
                    .orElse(null);
            final List<ActiveAlarm> la = alarms.stream().filter(a -> a.site().equals(site) && a.line().equals(line))
                    .toList();
            final boolean critical = la.stream().anyMatch(a -> "critical".equals(a.severity()));
            final boolean faultMode = ds.stream().anyMatch(d -> d.online() && "fault".equals(d.mode()));
            final boolean auditMode = ds.stream().anyMatch(d -> d.online() && "audit".equals(d.mode()));
            final String state = online == 0 ? "offline" : critical || faultMode ? "fault" : auditMode ? "audit" : "running";
            final LineSummary s = store.summary(site, line, 30, now);
            final long[] r = recent.getOrDefault(e.getKey(), new long[3]);
            final Double capture = r[0] + r[1] == 0 ? null : 100.0 * r[0] / (r[0] + r[1]);
            final double fps = ds.stream().filter(Device::online).map(Device::fps).filter(x -> x != null)
                    .mapToDouble(Double::doubleValue).sum();
            String lot = lots.get(e.getKey());
            if (lot == null) {
                lot = ds.stream().map(Device::lot).filter(x -> x != null).findFirst().orElse(null);
            }
            out.add(new LineView(site, line, state, ds.size(), online, lastSeen, s.lastMinute(), s.total(), s.classes(),
                    s.minuteStarts(), r[0], r[1], capture, r[2], online == 0 ? null : fps, lot, la,
                    ds.stream().filter(Device::online).flatMap(d -> d.auditCameras().stream()).toList()));
        }
        return out;
    }

    private Map<String, long[]> recentStats(final Instant now) {
        final Map<String, long[]> out = new LinkedHashMap<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT site, line, rejections_json, escapes, valve_cycles FROM stats WHERE to_time > ?")) {
            ps.setObject(1, ts(now.minus(Duration.ofMinutes(10))));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final long[] a = out.computeIfAbsent(rs.getString(1) + "/" + rs.getString(2), k -> new long[3]);
                    try {
                        for (long v : Json.MAPPER.readValue(rs.getString(3), LONGS).values()) {
                            a[0] += v;
                        }
                    } catch (Exception ignored) {
                        // malformed counters: skip
                    }
                    a[1] += rs.getLong(4);
                    a[2] += rs.getLong(5);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The lot an operator set last, per line ({@code site/line}). */
    public Map<String, String> currentLots() {
        final Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT site, line, lot FROM line_lots ORDER BY id")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), rs.getString(3));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    static OffsetDateTime ts(final Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(final ResultSet rs, final int col) throws SQLException {
        final OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Double dbl(final ResultSet rs, final int col) throws SQLException {
        final double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }
}
