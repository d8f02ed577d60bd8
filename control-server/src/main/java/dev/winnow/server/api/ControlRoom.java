package dev.winnow.server.api;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.alarms.AlarmsWeb;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.fleet.CommandBus;
import dev.winnow.server.fleet.FleetStore;
import dev.winnow.server.fleet.FleetWeb;
import dev.winnow.server.fleet.RoomHub;
import dev.winnow.server.gallery.GalleryWeb;
import dev.winnow.server.lots.LotsWeb;
import dev.winnow.server.store.Database;
import dev.winnow.server.users.Auth;
import dev.winnow.server.users.UserStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control room, wired by hand: users and roles (installed first, so its gate runs before every
 * route), the live line overview, alarms, gallery, lots, fleet and devices.
 */
public final class ControlRoom implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlRoom.class);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private Auth auth;
    private CommandBus commands;
    private RoomHub hub;
    private FleetStore fleet;
    private String initialAdminPassword;
    private dev.winnow.server.registry.ModelRegistry registry;
    private dev.winnow.server.rollout.Rollouts rollouts;

    private ControlRoom() {
    }

    public static ControlRoom install(final Javalin app, final WinnowServer server, final Clock clock) {
        final ControlRoom room = new ControlRoom();
        try {
            room.start(app, server, clock);
        } catch (RuntimeException | Error e) {
            room.close();
            throw e;
        }
        return room;
    }

    private void start(final Javalin app, final WinnowServer server, final Clock clock) {
        final ServerConfig config = server.config();
        final Database db = server.store().database();
        final UserStore users = new UserStore(db, clock);
        auth = new Auth(users, config.web(), clock);
        auth.install(app);
        if (config.web().demoPassword() != null) {
            auth.demoUsers(config.web().demoPassword());
        } else if (config.web().enforced()) {
            initialAdminPassword = auth.bootstrapAdmin();
            if (initialAdminPassword != null) {
                LOG.warn("no web users yet: created 'admin' with password {} (change it on the admin page)",
                        initialAdminPassword);
            }
        }
        // the server's own MQTT client for commands
        final SecurityConfig sec = config.security();
        String user = sec.mqttUsername();
        String password = sec.mqttPassword();
        javax.net.SocketFactory sockets = null;
        if (config.embeddedBroker()) {
            if (sec.mqttAuth()) {
                final var own = server.devices().builtInService("winnow-server-commands");
                user = own.username();
                password = own.password();
            }
        } else if (server.mqttUrl().startsWith("ssl://") && sec.mqttCa() != null) {
            sockets = dev.winnow.server.auth.Tls.trusting(sec.mqttCa());
        }
        commands = new CommandBus(server.mqttUrl(), config.mqttClientId() + "-commands", user, password, sockets, db,
                clock);
        toClose.push(commands);
        hub = new RoomHub();
        toClose.push(hub);
        fleet = new FleetStore(db, server.store(), server.clocks());
        final FleetWeb.DeviceGate gate = ctx -> deviceOf(ctx, server, sec.mqttAuth());
        new FleetWeb(fleet, commands, hub, auth, clock, config.dataDir(), gate, server::deviceUrl).install(app);
        new dev.winnow.server.ingest.DeadLetterWeb(server.store()).install(app);
        new AlarmsWeb(db, fleet, hub, auth, clock).install(app);
        new GalleryWeb(db, auth, clock, config.dataDir(), gate).install(app);
        new LotsWeb(db, fleet, commands, hub, auth, clock).install(app);
        registry = new dev.winnow.server.registry.ModelRegistry(db, hub, auth, clock, config.dataDir(), gate);
        toClose.push(registry);
        registry.install(app);
        rollouts = new dev.winnow.server.rollout.Rollouts(db, registry, commands, fleet, hub, auth, clock,
                server::deviceUrl);
        toClose.push(rollouts);
        rollouts.install(app);
        new ApiDocs(this, server).install(app);
        app.exception(dev.winnow.server.registry.ModelRegistry.TooLarge.class, (e, ctx) ->
                ctx.status(HttpStatus.CONTENT_TOO_LARGE).json(Map.of("error", e.getMessage())));

        app.exception(Web.BadInput.class, (e, ctx) -> ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", e.getMessage())));
        app.exception(Web.NotFound.class, (e, ctx) -> ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", e.getMessage())));
        app.exception(Web.Conflict.class, (e, ctx) -> ctx.status(HttpStatus.CONFLICT).json(Map.of("error", e.getMessage())));
        app.exception(java.util.concurrent.TimeoutException.class, (e, ctx) ->
                ctx.status(HttpStatus.GATEWAY_TIMEOUT).json(Map.of("error", "the device did not answer in time")));
    }

    /** {@code site.line.device} of a device's Basic credentials; {@code *} when MQTT auth is off; else null. */
    private static String deviceOf(final Context ctx, final WinnowServer server, final boolean mqttAuth) {
        final String h = ctx.header("Authorization");
        if (h != null && h.startsWith("Basic ")) {
            try {
                final String up = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                final int colon = up.indexOf(':');
                if (colon > 0) {
                    return server.devices().authenticate(up.substring(0, colon),
                                    up.substring(colon + 1).getBytes(StandardCharsets.UTF_8))
                            .filter(p -> p.role() == dev.winnow.server.auth.Principal.Role.DEVICE)
                            .map(p -> p.site() + "." + p.line() + "." + p.device()).orElse(null);
                }
            } catch (IllegalArgumentException e) {
                return null;
            }
            return null;
        }
        return mqttAuth ? null : "*";
    }

    public Auth auth() {
        return auth;
    }

    public CommandBus commands() {
        return commands;
    }

    public FleetStore fleet() {
        return fleet;
    }

    public dev.winnow.server.registry.ModelRegistry registry() {
        return registry;
    }

    public dev.winnow.server.rollout.Rollouts rollouts() {
        return rollouts;
    }

    public RoomHub hub() {
        return hub;
    }

    /** The password of the first administrator when this start created it, else null. */
    public String initialAdminPassword() {
        return initialAdminPassword;
    }

    @Override
    public void close() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                LOG.warn("while stopping the control room: {}", e.toString());
            }
        }
    }
}
