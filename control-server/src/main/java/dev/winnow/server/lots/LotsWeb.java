package dev.winnow.server.lots;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.api.Web;
import dev.winnow.server.fleet.CommandBus;
import dev.winnow.server.fleet.FleetStore;
import dev.winnow.server.fleet.RoomHub;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import dev.winnow.server.users.Actor;
import dev.winnow.server.users.Auth;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The current lot of a line: an operator sets it; the server sends {@code set-lot {"lot": "..."}} to
 * every device of the line and waits for their answers; the devices tag every event with it.
 *
 * <pre>
 * POST /api/lines/{site}/{line}/lot {lot}   200 with per-device outcomes when every device is done, else 502
 * GET  /api/lines/{site}/{line}/lots        history: lot, who, when, outcome
 * </pre>
 */
public final class LotsWeb {

    public static final Pattern LOT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,63}");
    static final Duration WAIT = Duration.ofSeconds(10);

    private final Database db;
    private final FleetStore fleet;
    private final CommandBus commands;
    private final RoomHub hub;
    private final Auth auth;
    private final Clock clock;

    public LotsWeb(final Database db, final FleetStore fleet, final CommandBus commands, final RoomHub hub,
                   final Auth auth, final Clock clock) {
        this.db = db;
        this.fleet = fleet;
        this.commands = commands;
        this.hub = hub;
        this.auth = auth;
        this.clock = clock;
    }

    public void install(final Javalin app) {
        app.post("/api/lines/{site}/{line}/lot", ctx -> {
            final String site = Web.name(ctx, "site");
            final String line = Web.name(ctx, "line");
            final String lot = Web.body(ctx).path("lot").asText("").trim();
            if (!LOT.matcher(lot).matches()) {
                throw new Web.BadInput("a lot is 1 to 64 letters, digits, '.', '_', '/' or '-', e.g. BALE-2026-117");
            }
            final List<FleetStore.Device> devices = fleet.devices(clock.instant()).stream()
                    .filter(d -> d.site().equals(site) && d.line().equals(line)).toList();
            if (devices.isEmpty()) {
                throw new Web.NotFound("no device has reported on " + site + "/" + line);
            }
            final String user = Actor.of(ctx).username();
            final List<CompletableFuture<CommandBus.Outcome>> fs = new ArrayList<>();
            for (FleetStore.Device d : devices) {
                final ObjectNode args = WireCodec.newObject();
                args.put(Commands.SetLot.LOT, lot);
                fs.add(commands.send(site, line, d.device(), Commands.SetLot.NAME, args, user, WAIT));
            }
            final List<CommandBus.Outcome> outcomes = new ArrayList<>();
            for (CompletableFuture<CommandBus.Outcome> f : fs) {
                outcomes.add(f.get(WAIT.toMillis() + 2000, java.util.concurrent.TimeUnit.MILLISECONDS));
            }
            final boolean ok = outcomes.stream().allMatch(CommandBus.Outcome::ok);
            final StringBuilder summary = new StringBuilder();
            for (CommandBus.Outcome o : outcomes) {
                summary.append(summary.length() == 0 ? "" : "; ").append(o.device()).append(": ").append(o.state())
                        .append(o.reason() == null ? "" : " (" + o.reason() + ")");
            }
            record(site, line, lot, user, (ok ? "set: " : "not set everywhere: ") + summary);
            auth.audit(ctx, "lot.set", site + "/" + line, lot + " -> " + summary);
            hub.poke("lines");
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("ok", ok);
            body.put("lot", lot);
            body.put("devices", outcomes);
            ctx.status(ok ? HttpStatus.OK : HttpStatus.BAD_GATEWAY).json(body);
        });
        app.get("/api/lines/{site}/{line}/lots", ctx ->
                ctx.json(Map.of("lots", history(Web.name(ctx, "site"), Web.name(ctx, "line")))));
    }

    private void record(final String site, final String line, final String lot, final String by, final String outcome) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO line_lots (site, line, lot, set_by, set_at, outcome) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, site);
            ps.setString(2, line);
            ps.setString(3, lot);
            ps.setString(4, by);
            ps.setObject(5, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ps.setString(6, outcome.length() > 400 ? outcome.substring(0, 397) + "..." : outcome);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public List<Map<String, Object>> history(final String site, final String line) {
        final List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT lot, set_by, set_at, outcome FROM line_lots WHERE site = ? AND line = ? ORDER BY id DESC LIMIT 50")) {
            ps.setString(1, site);
            ps.setString(2, line);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("lot", rs.getString(1));
                    m.put("setBy", rs.getString(2));
                    m.put("setAt", rs.getObject(3, OffsetDateTime.class).toInstant());
                    m.put("outcome", rs.getString(4));
                    out.add(m);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
