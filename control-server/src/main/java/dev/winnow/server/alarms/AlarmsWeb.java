package dev.winnow.server.alarms;

import dev.winnow.server.api.Web;
import dev.winnow.server.fleet.FleetStore;
import dev.winnow.server.fleet.RoomHub;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import dev.winnow.server.users.Actor;
import dev.winnow.server.users.Auth;
import io.javalin.Javalin;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alarms: raised and cleared (stored by the ingest), acknowledged by a named user, with history.
 *
 * <pre>
 * GET  /alarms                       page
 * GET  /api/alarms?site=&line=&limit=200   {active:[...], history:[...]}
 * POST /api/alarms/{id}/ack {note}   acknowledge a raised alarm (409 when already acknowledged)
 * SSE  /api/alarms/live              snapshot events (active + history) whenever they change
 * </pre>
 */
public final class AlarmsWeb {

    /** One stored alarm message with its acknowledgement. */
    public record Entry(String id, String site, String line, String device, Instant time, String state,
                        String severity, String cause, String message, String camera, String acknowledgedBy,
                        Instant acknowledgedAt, String note) {
    }

    private final Database db;
    private final FleetStore fleet;
    private final RoomHub hub;
    private final Auth auth;
    private final Clock clock;
    private final String page = Web.resource("/web/alarms.html");

    public AlarmsWeb(final Database db, final FleetStore fleet, final RoomHub hub, final Auth auth, final Clock clock) {
        this.db = db;
        this.fleet = fleet;
        this.hub = hub;
        this.auth = auth;
        this.clock = clock;
    }

    public void install(final Javalin app) {
        hub.snapshot("alarms", this::snapshot);
        app.get("/alarms", ctx -> ctx.html(page));
        app.get("/api/alarms", ctx -> {
            final String site = ctx.queryParam("site");
            final String line = ctx.queryParam("line");
            ctx.json(Map.of("active", fleet.activeAlarms(clock.instant()),
                    "history", history(site, line, Web.intQuery(ctx, "limit", 200, 1, 5000))));
        });
        app.sse("/api/alarms/live", client -> hub.watch("alarms", client));
        app.post("/api/alarms/{id}/ack", ctx -> {
            final String id = ctx.pathParam("id");
            final String note = Web.body(ctx).path("note").asText("").trim();
            if (note.length() > 1000) {
                throw new Web.BadInput("a note has at most 1000 characters");
            }
            final Entry e = find(id);
            if (e == null) {
                throw new Web.NotFound("no alarm '" + Web.cut(id) + "'");
            }
            if (!"raised".equals(e.state())) {
                throw new Web.BadInput("only a raised alarm can be acknowledged; this one is " + e.state());
            }
            if (e.acknowledgedBy() != null) {
                throw new Web.Conflict("already acknowledged by " + e.acknowledgedBy());
            }
            final Actor a = Actor.of(ctx);
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alarm_acks (alarm_id, acknowledged_by, acknowledged_at, note) VALUES (?,?,?,?)")) {
                ps.setString(1, id);
                ps.setString(2, a.username());
                ps.setObject(3, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                ps.setString(4, note.isEmpty() ? null : note);
                ps.executeUpdate();
            } catch (SQLException ex) {
                throw new Web.Conflict("already acknowledged");
            }
            auth.audit(ctx, "alarm.ack", e.site() + "/" + e.line() + "/" + e.device() + " " + e.cause(), note);
            hub.poke("alarms");
            hub.poke("lines");
            ctx.json(find(id));
        });
    }

    private Object snapshot() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("active", fleet.activeAlarms(clock.instant()));
        m.put("history", history(null, null, 100));
        return m;
    }

    public Entry find(final String id) {
        final List<Entry> l = query(" WHERE a.id = ?", List.of(id), 1);
        return l.isEmpty() ? null : l.get(0);
    }

    public List<Entry> history(final String site, final String line, final int limit) {
        final StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        final List<Object> args = new ArrayList<>();
        if (site != null && !site.isBlank()) {
            where.append(" AND a.site = ?");
            args.add(site);
        }
        if (line != null && !line.isBlank()) {
            where.append(" AND a.line = ?");
            args.add(line);
        }
        return query(where.toString(), args, limit);
    }

    private List<Entry> query(final String where, final List<Object> args, final int limit) {
        final String sql = "SELECT a.id, a.site, a.line, a.device, a.event_time, a.alarm_state, a.severity, a.cause, "
                + "a.message, a.camera, k.acknowledged_by, k.acknowledged_at, k.note FROM alarms a "
                + "LEFT JOIN alarm_acks k ON k.alarm_id = a.id" + where
                + " ORDER BY a.event_time DESC, a.received_at DESC LIMIT ?";
        final List<Entry> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object o : args) {
                ps.setObject(i++, o);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), t(rs, 5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), t(rs, 12), rs.getString(13)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static Instant t(final ResultSet rs, final int col) throws SQLException {
        final OffsetDateTime v = rs.getObject(col, OffsetDateTime.class);
        return v == null ? null : v.toInstant();
    }
}
