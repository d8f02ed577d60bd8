package dev.winnow.server.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.DeviceTime;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.api.Web;
import dev.winnow.server.users.Actor;
import dev.winnow.server.users.Auth;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Line overview (live), fleet and device detail with commissioning commands.
 *
 * <pre>
 * GET  /api/lines/overview                        every line: state, figures, chart series, active alarms
 * SSE  /api/lines/live                            snapshot events of the overview
 * GET  /fleet, /devices/{site}/{line}/{device}    pages
 * GET  /api/fleet                                 every device with version, models, config hash, fps, latency...
 * SSE  /api/fleet/live                            snapshot events of the fleet; command events
 * GET  /api/devices/{site}/{line}/{device}        one device, its recent commands and its last sent config
 * POST /api/devices/{site}/{line}/{device}/test-fire {valve, pulseMs?}  sent as test-fire {valve, ms}
 * POST /api/devices/{site}/{line}/{device}/snapshot  {camera?}       sent as snapshot {upload, camera?}
 * POST /api/devices/{site}/{line}/{device}/audit     {on, camera?}   sent as audit {enabled, camera?}
 * POST /api/devices/{site}/{line}/{device}/config    {yaml}          validated, then sent as set-config {yaml}
 * GET  /api/devices/{site}/{line}/{device}/snapshots/{commandId}.jpg   a snapshot the device uploaded
 * PUT  /api/device/snapshots/{commandId}          (device credentials) the JPEG answering a snapshot command
 * GET  /api/device/time                           (device credentials) {epochMs}: this server's clock, for agents
 *                                                 whose own clock no time server sets ({@link DeviceTime})
 * </pre>
 *
 * The HTTP bodies above are this server's API; what goes to the device is named by
 * {@link Commands} (the agent reads the same constants). A snapshot command carries the URL the device
 * PUTs its JPEG to ({@code upload}: this server's base URL + {@value Commands.Snapshot#UPLOAD_PATH} + the
 * command id), as {@code deploy-model} carries its download URLs; one image per command.
 *
 * Command routes wait up to {@value #WAIT_S} s for the device's final answer and return it
 * ({@code done}: 200; {@code refused}/{@code failed}/{@code timeout}: 502 with the reason).
 */
public final class FleetWeb {

    static final int WAIT_S = 10;
    static final int MAX_CONFIG = Commands.SetConfig.MAX_CHARS;

    private final FleetStore fleet;
    private final CommandBus commands;
    private final RoomHub hub;
    private final Auth auth;
    private final Clock clock;
    private final Path snapshots;
    private final DeviceGate devices;
    private final Supplier<String> baseUrl;
    private final String fleetPage = Web.resource("/web/fleet.html");
    private final String devicePage = Web.resource("/web/device.html");
    private final Map<String, String> configs = new java.util.concurrent.ConcurrentHashMap<>();

    /** Checks a device's credentials for uploads: returns the device's {@code site.line.device} or null. */
    public interface DeviceGate {
        String authenticate(Context ctx);
    }

    /** @param baseUrl this server's URL as devices reach it, ending in {@code /} (for snapshot uploads) */
    public FleetWeb(final FleetStore fleet, final CommandBus commands, final RoomHub hub, final Auth auth,
                    final Clock clock, final Path dataDir, final DeviceGate devices, final Supplier<String> baseUrl) {
        this.fleet = fleet;
        this.commands = commands;
        this.hub = hub;
        this.auth = auth;
        this.clock = clock;
        this.snapshots = dataDir.resolve("snapshots");
        this.devices = devices;
        this.baseUrl = baseUrl;
    }

    public void install(final Javalin app) {
        hub.snapshot("lines", () -> Map.of("lines", fleet.overview(clock.instant()), "at", clock.instant()));
        hub.snapshot("fleet", () -> Map.of("devices", fleet.devices(clock.instant()), "at", clock.instant()));
        commands.onChange(o -> hub.publish("fleet", "command", o));
        app.get("/api/lines/overview", ctx -> ctx.json(Map.of("lines", fleet.overview(clock.instant()),
                "at", clock.instant())));
        app.sse("/api/lines/live", client -> hub.watch("lines", client));
        app.get("/fleet", ctx -> ctx.html(fleetPage));
        app.get("/devices/{site}/{line}/{device}", ctx -> {
            Web.name(ctx, "site");
            Web.name(ctx, "line");
            Web.name(ctx, "device");
            ctx.html(devicePage);
        });
        app.get("/" + DeviceTime.PATH, ctx -> {
            if (devices.authenticate(ctx) == null) {
                ctx.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"winnow devices\"")
                        .json(Map.of("error", "device credentials required"));
                return;
            }
            ctx.json(Map.of(DeviceTime.EPOCH_MS, clock.millis()));
        });
        app.get("/api/fleet", ctx -> ctx.json(Map.of("devices", fleet.devices(clock.instant()), "at", clock.instant())));
        app.sse("/api/fleet/live", client -> hub.watch("fleet", client));
        app.get("/api/devices/{site}/{line}/{device}", ctx -> {
            final FleetStore.Device d = device(ctx);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", d);
            m.put("commands", commands.recent(d.site(), d.line(), d.device(), 30));
            m.put("config", configs.get(key(d.site(), d.line(), d.device())));
            m.put("alarms", fleet.activeAlarms(clock.instant()).stream()
                    .filter(a -> a.site().equals(d.site()) && a.line().equals(d.line()) && a.device().equals(d.device()))
                    .toList());
            ctx.json(m);
        });
        app.post("/api/devices/{site}/{line}/{device}/test-fire", ctx -> {
            final JsonNode b = Web.body(ctx);
            final int valve = intField(b, "valve", 0, 511, null);
            final int pulse = intField(b, "pulseMs", 1, 500, 20);
            final ObjectNode args = WireCodec.newObject();
            args.put(Commands.TestFire.VALVE, valve);
            args.put(Commands.TestFire.MS, pulse);
            command(ctx, Commands.TestFire.NAME, id -> args, "valve " + valve + " for " + pulse + " ms");
        });
        app.post("/api/devices/{site}/{line}/{device}/snapshot", ctx -> {
            final String camera = camera(Web.body(ctx));
            command(ctx, Commands.Snapshot.NAME, id -> {
                final ObjectNode args = WireCodec.newObject();
                args.put(Commands.Snapshot.UPLOAD, baseUrl.get() + Commands.Snapshot.UPLOAD_PATH + id);
                if (camera != null) {
                    args.put(Commands.Snapshot.CAMERA, camera);
                }
                return args;
            }, camera == null ? "the first camera" : camera);
        });
        app.post("/api/devices/{site}/{line}/{device}/audit", ctx -> {
            final JsonNode b = Web.body(ctx);
            if (!b.path("on").isBoolean()) {
                throw new Web.BadInput("'on' must be true (audit: detect and record, fire no valve) or false");
            }
            final String camera = camera(b);
            final ObjectNode args = WireCodec.newObject();
            args.put(Commands.Audit.ENABLED, b.get("on").asBoolean());
            if (camera != null) {
                args.put(Commands.Audit.CAMERA, camera);
            }
            command(ctx, Commands.Audit.NAME, id -> args, (b.get("on").asBoolean() ? "audit on" : "audit off")
                    + (camera == null ? "" : " (" + camera + ")"));
        });
        app.post("/api/devices/{site}/{line}/{device}/config", ctx -> {
            final String yaml = Web.body(ctx).path("yaml").asText("");
            validateConfig(yaml);
            final ObjectNode args = WireCodec.newObject();
            args.put(Commands.SetConfig.YAML, yaml);
            final CommandBus.Outcome o = command(ctx, Commands.SetConfig.NAME, id -> args, yaml.length() + " characters");
            if (o != null && o.ok()) {
                configs.put(key(o.site(), o.line(), o.device()), yaml);
            }
        });
        app.put("/api/device/snapshots/{id}", ctx -> {
            final String who = devices.authenticate(ctx);
            if (who == null) {
                ctx.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"winnow devices\"")
                        .json(Map.of("error", "device credentials required"));
                return;
            }
            final String id = ctx.pathParam("id");
            final CommandBus.Outcome o = commands.outcome(id);
            if (o == null || !o.name().equals(Commands.Snapshot.NAME)) {
                throw new Web.NotFound("no snapshot command '" + Web.cut(id) + "'");
            }
            if (!who.equals("*") && !who.equals(o.site() + "." + o.line() + "." + o.device())) {
                ctx.status(HttpStatus.FORBIDDEN).json(Map.of("error", "this command was not sent to you"));
                return;
            }
            final byte[] jpeg = ctx.bodyAsBytes();
            if (jpeg.length == 0 || jpeg.length > 8 * 1024 * 1024) {
                throw new Web.BadInput("a snapshot is a JPEG of 1 byte to 8 MiB");
            }
            if (javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg)) == null) {
                throw new Web.BadInput("not a readable image");
            }
            Files.createDirectories(snapshots);
            Files.write(snapshots.resolve(id + ".jpg"), jpeg);
            hub.publish("fleet", "snapshot", Map.of("id", id, "site", o.site(), "line", o.line(), "device", o.device()));
            ctx.status(HttpStatus.CREATED).json(Map.of("ok", true));
        });
        app.get("/api/devices/{site}/{line}/{device}/snapshots/{file}", ctx -> {
            final String file = ctx.pathParam("file");
            if (!file.matches("[0-9a-f-]{36}\\.jpg")) {
                throw new Web.NotFound("no such snapshot");
            }
            final Path p = snapshots.resolve(file);
            if (!Files.exists(p)) {
                throw new Web.NotFound("no such snapshot (yet)");
            }
            ctx.contentType("image/jpeg").result(Files.readAllBytes(p));
        });
    }

    private FleetStore.Device device(final Context ctx) {
        final String site = Web.name(ctx, "site");
        final String line = Web.name(ctx, "line");
        final String device = Web.name(ctx, "device");
        return fleet.devices(clock.instant()).stream()
                .filter(d -> d.site().equals(site) && d.line().equals(line) && d.device().equals(device)).findFirst()
                .orElseThrow(() -> new Web.NotFound("no device " + site + "/" + line + "/" + device + " has reported"));
    }

    /** The optional {@code camera} of a request body: null when absent or empty. */
    private static String camera(final JsonNode b) {
        final String camera = b.path("camera").asText("");
        if (camera.isEmpty()) {
            return null;
        }
        if (!dev.winnow.protocol.Topic.NAME.matcher(camera).matches()) {
            throw new Web.BadInput("camera '" + Web.cut(camera) + "' is not a camera id");
        }
        return camera;
    }

    private CommandBus.Outcome command(final Context ctx, final String name,
                                       final Function<String, ObjectNode> args, final String what) throws Exception {
        final FleetStore.Device d = device(ctx);
        final CommandBus.Outcome o = commands.send(d.site(), d.line(), d.device(), name, args, Actor.of(ctx).username(),
                Duration.ofSeconds(WAIT_S)).get(WAIT_S + 2, TimeUnit.SECONDS);
        auth.audit(ctx, "device." + name, d.site() + "/" + d.line() + "/" + d.device(), what + " -> " + o.state()
                + (o.reason() == null ? "" : " (" + o.reason() + ")"));
        ctx.status(o.ok() ? HttpStatus.OK : HttpStatus.BAD_GATEWAY).json(o);
        return o;
    }

    /** Checks a configuration before it is sent: YAML, one mapping, at most 64 KiB, sane values. */
    public static void validateConfig(final String yaml) {
        if (yaml.isBlank()) {
            throw new Web.BadInput("the configuration is empty");
        }
        if (yaml.length() > MAX_CONFIG) {
            throw new Web.BadInput("the configuration has " + yaml.length() + " characters; at most " + MAX_CONFIG);
        }
        final JsonNode n;
        try {
            n = new YAMLMapper().readTree(yaml);
        } catch (Exception e) {
            final String m = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
            throw new Web.BadInput("not valid YAML: " + m);
        }
        if (n == null || !n.isObject()) {
            throw new Web.BadInput("the configuration must be a YAML mapping (key: value), not a "
                    + (n == null ? "nothing" : n.getNodeType().name().toLowerCase()));
        }
        checkNumbers(n, "");
    }

    private static void checkNumbers(final JsonNode n, final String path) {
        n.fields().forEachRemaining(e -> {
            final String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            final JsonNode v = e.getValue();
            if (v.isObject()) {
                checkNumbers(v, p);
            } else if (v.isNumber()) {
                final String k = e.getKey().toLowerCase();
                if ((k.endsWith("-ms") || k.endsWith("_ms") || k.endsWith("ms") || k.contains("speed")
                        || k.contains("fps") || k.contains("count") || k.contains("width") || k.contains("height"))
                        && v.asDouble() < 0) {
                    throw new Web.BadInput(p + " = " + v.asText() + " must not be negative");
                }
                if (k.contains("threshold") && (v.asDouble() < 0 || v.asDouble() > 1)) {
                    throw new Web.BadInput(p + " = " + v.asText() + " must be between 0 and 1");
                }
            }
        });
    }

    private static int intField(final JsonNode b, final String field, final int min, final int max, final Integer dflt) {
        final JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw new Web.BadInput("'" + field + "' is required");
            }
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new Web.BadInput("'" + field + "' must be a whole number");
        }
        final int i = v.asInt();
        if (i < min || i > max) {
            throw new Web.BadInput("'" + field + "' " + i + " is out of range [" + min + ", " + max + "]");
        }
        return i;
    }

    private static String key(final String s, final String l, final String d) {
        return s + "/" + l + "/" + d;
    }
}
