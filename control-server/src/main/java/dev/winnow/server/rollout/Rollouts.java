package dev.winnow.server.rollout;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.ModelSignature;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.api.Web;
import dev.winnow.server.fleet.CommandBus;
import dev.winnow.server.fleet.FleetStore;
import dev.winnow.server.fleet.RoomHub;
import dev.winnow.server.line.Json;
import dev.winnow.server.registry.ModelRegistry;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Rollouts: a valid model version to chosen devices, first as a canary in audit mode; compare; promote
 * or roll back; halted and rolled back automatically when a device fails to load the model or its
 * error rate ((dropped frames + late decisions) / frames since the canary started) passes its own rate in the 30 min
 * before by more than the rollout's {@code maxErrorRate}. The
 * error rate is judged only on stats that start {@link #SETTLE} after the canary started (loading and warming the
 * new model stalls a device for a moment) and once it covers {@link #MIN_FRAMES} frames.
 *
 * <pre>
 * GET  /rollouts                         page
 * POST /api/rollouts {modelId, devices:[{site,line,device}], maxErrorRate}   starts the canary
 * GET  /api/rollouts, /api/rollouts/{id} (devices, steps, comparison)
 * POST /api/rollouts/{id}/promote | /api/rollouts/{id}/rollback
 * SSE  /api/rollouts/live                snapshot events
 * </pre>
 *
 * Commands: {@code deploy-model} (see {@link #deployArgs}) and {@code rollback-model {rolloutId, to}}.
 */
public final class Rollouts implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);

    private final Database db;
    private final ModelRegistry registry;
    private final CommandBus commands;
    private final FleetStore fleet;
    private final RoomHub hub;
    private final Auth auth;
    private final Clock clock;
    private final Supplier<String> baseUrl;
    private final String page = Web.resource("/web/rollouts.html");
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "winnow-rollout-monitor");
        t.setDaemon(true);
        return t;
    });

    public Rollouts(final Database db, final ModelRegistry registry, final CommandBus commands, final FleetStore fleet,
                    final RoomHub hub, final Auth auth, final Clock clock, final Supplier<String> baseUrl) {
        this.db = db;
        this.registry = registry;
        this.commands = commands;
        this.fleet = fleet;
        this.hub = hub;
        this.auth = auth;
        this.clock = clock;
        this.baseUrl = baseUrl;
        monitor.scheduleWithFixedDelay(() -> {
            // only canaries are watched: one query for them, not the page's hundred rollouts
            final List<Map<String, Object>> canaries;
            try {
                canaries = rollouts("r.state = ?", "canary");
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Rollouts.class).warn("rollout monitor: {}", e.toString());
                return;
            }
            watchErrorRates(canaries);
            watchCanaryModels(canaries);
        }, 2, 2, TimeUnit.SECONDS);
    }

    public void install(final Javalin app) {
        hub.snapshot("rollouts", () -> Map.of("rollouts", list()));
        app.get("/rollouts", ctx -> ctx.html(page));
        app.get("/api/rollouts", ctx -> ctx.json(Map.of("rollouts", list())));
        app.sse("/api/rollouts/live", client -> hub.watch("rollouts", client));
        app.get("/api/rollouts/{id}", ctx -> ctx.json(detail(ctx.pathParam("id"))));
        app.post("/api/rollouts", ctx -> {
            final JsonNode b = Web.body(ctx);
            final String modelId = b.path("modelId").asText("");
            final double max = b.path("maxErrorRate").asDouble(0.05);
            if (max <= 0 || max > 1) {
                throw new Web.BadInput("maxErrorRate must be in (0, 1], e.g. 0.05 for 5 %");
            }
            final List<String[]> targets = new ArrayList<>();
            for (JsonNode d : b.path("devices")) {
                final String[] t = {d.path("site").asText(""), d.path("line").asText(""), d.path("device").asText("")};
                for (String s : t) {
                    if (!Topic.NAME.matcher(s).matches()) {
                        throw new Web.BadInput("each device needs site, line and device names");
                    }
                }
                targets.add(t);
            }
            if (targets.isEmpty()) {
                throw new Web.BadInput("choose at least one device for the canary");
            }
            final String id = start(modelId, targets, max, Actor.of(ctx).username());
            auth.audit(ctx, "rollout.start", id, "model " + modelId + " to " + targets.size() + " device(s)");
            ctx.status(HttpStatus.ACCEPTED).json(detail(id));
        });
        app.post("/api/rollouts/{id}/promote", ctx -> {
            final String id = ctx.pathParam("id");
            promote(id, Actor.of(ctx).username());
            auth.audit(ctx, "rollout.promote", id, null);
            ctx.json(detail(id));
        });
        app.post("/api/rollouts/{id}/rollback", ctx -> {
            final String id = ctx.pathParam("id");
            final String state = state(id);
            if (state.equals("rolled_back")) {
                throw new Web.Conflict("this rollout is already rolled back");
            }
            rollback(id, Actor.of(ctx).username(), "rolled back by hand");
            auth.audit(ctx, "rollout.rollback", id, null);
            ctx.json(detail(id));
        });
    }

    /** The {@code deploy-model} command's arguments. */
    ObjectNode deployArgs(final ModelRegistry.Version v, final String rolloutId, final String mode) {
        final ObjectNode a = WireCodec.newObject();
        a.put(Commands.DeployModel.ROLLOUT_ID, rolloutId);
        a.put(Commands.DeployModel.MODEL_ID, v.id());
        a.put(Commands.DeployModel.MODEL_NAME, v.name());
        a.put(Commands.DeployModel.VERSION, v.version());
        a.put(Commands.DeployModel.ONNX_URL, baseUrl.get() + "api/device/models/" + v.id() + "/model.onnx");
        a.put(Commands.DeployModel.CARD_URL, baseUrl.get() + "api/device/models/" + v.id() + "/model.json");
        a.put(Commands.DeployModel.SHA256, v.sha256());
        a.put(Commands.DeployModel.CARD_SHA256, v.cardSha256());
        a.put(Commands.DeployModel.SIGNATURE, v.signature());
        a.put(Commands.DeployModel.SIGNATURE_ALGORITHM, "Ed25519");
        a.put(Commands.DeployModel.SIGNED_MESSAGE, v.signedMessage());
        a.put(Commands.DeployModel.MODE, mode);
        a.put(Commands.DeployModel.AUDIT, mode.equals("canary"));
        if (!v.verifiers().isEmpty()) {
            final var list = a.putArray(Commands.DeployModel.VERIFIERS);
            for (final ModelSignature.Verifier x : v.verifiers()) {
                final String files = baseUrl.get() + "api/device/models/" + v.id() + "/" + x.folder() + "/";
                list.addObject().put(Commands.DeployModel.VERIFIER_CLASS, x.cls())
                        .put(Commands.DeployModel.VERIFIER_FOLDER, x.folder())
                        .put(Commands.DeployModel.ONNX_URL, files + "model.onnx")
                        .put(Commands.DeployModel.CARD_URL, files + "model.json")
                        .put(Commands.DeployModel.SHA256, x.sha256())
                        .put(Commands.DeployModel.CARD_SHA256, x.cardSha256());
            }
        }
        return a;
    }

    synchronized String start(final String modelId, final List<String[]> targets, final double max, final String user) {
        final ModelRegistry.Version v = registry.find(modelId);
        if (!"valid".equals(v.state())) {
            throw new Web.Conflict(v.name() + " " + v.version() + " is " + v.state() + "; only a valid, signed model can be deployed");
        }
        final Map<String, FleetStore.Device> known = new LinkedHashMap<>();
        for (FleetStore.Device d : fleet.devices(clock.instant())) {
            known.put(d.site() + "/" + d.line() + "/" + d.device(), d);
        }
        final String id = UUID.randomUUID().toString();
        final OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        update("INSERT INTO rollouts (id, model_id, state, max_error_rate, created_by, created_at, updated_at) "
                + "VALUES (?,?,?,?,?,?,?)", id, modelId, "canary", max, user, now, now);
        step(id, user, "start", "canary of " + v.name() + " " + v.version() + " in audit mode on " + targets.size()
                + " device(s); halt when a device's errors pass its own rate before the canary by "
                + Math.round(max * 1000) / 10.0 + " points");
        for (String[] t : targets) {
            final FleetStore.Device d = known.get(t[0] + "/" + t[1] + "/" + t[2]);
            if (d == null) {
                throw new Web.BadInput("device " + String.join("/", t) + " has never reported");
            }
            update("INSERT INTO rollout_devices (rollout_id, site, line, device, state, previous_model, updated_at) "
                    + "VALUES (?,?,?,?,?,?,?)", id, t[0], t[1], t[2], "deploying", String.join(",", d.models().values()), now);
            commands.send(t[0], t[1], t[2], Commands.DeployModel.NAME, deployArgs(v, id, "canary"), user, WAIT)
                    .thenAccept(o -> onDeployed(id, o, "canary"));
        }
        hub.poke("rollouts");
        return id;
    }

    private synchronized void onDeployed(final String id, final CommandBus.Outcome o, final String okState) {
        final String dev = o.site() + "/" + o.line() + "/" + o.device();
        if (o.ok()) {
            deviceState(id, o, okState, "loaded");
            if (okState.equals("canary") && o.deviceTime() != null) {
                // with the agent's start count as stored from its latest status: a later start ends the canary
                update("UPDATE rollout_devices SET loaded_device_time = ?, loaded_boot = (SELECT boot FROM devices d "
                        + "WHERE d.site = ? AND d.line = ? AND d.device = ?) WHERE rollout_id = ? AND site = ? "
                        + "AND line = ? AND device = ?", OffsetDateTime.ofInstant(o.deviceTime(), ZoneOffset.UTC),
                        o.site(), o.line(), o.device(), id, o.site(), o.line(), o.device());
            }
            step(id, "system", okState.equals("canary") ? "canary.loaded" : "live", dev + " runs the model"
                    + (okState.equals("canary") ? " in audit mode" : ""));
        } else {
            deviceState(id, o, "failed", o.state() + (o.reason() == null ? "" : ": " + o.reason()));
            step(id, "system", "device.failed", dev + " " + o.state() + (o.reason() == null ? "" : ": " + o.reason()));
            if (!state(id).equals("rolled_back")) {
                update("UPDATE rollouts SET state = 'halted', updated_at = ? WHERE id = ?", now(), id);
                step(id, "system", "auto-halt", "a device did not load the model: halting and rolling back");
                rollback(id, "system", "automatic rollback after a failed load on " + dev);
            }
        }
        hub.poke("rollouts");
    }

    synchronized void promote(final String id, final String user) {
        final Map<String, Object> d = detail(id);
        if (!"canary".equals(d.get("state"))) {
            throw new Web.Conflict("only a canary can be promoted; this rollout is " + d.get("state"));
        }
        @SuppressWarnings("unchecked") final List<Map<String, Object>> devices = (List<Map<String, Object>>) d.get("devices");
        if (devices.stream().anyMatch(x -> !"canary".equals(x.get("state")))) {
            throw new Web.Conflict("wait until every canary device has loaded the model");
        }
        final ModelRegistry.Version v = registry.find((String) d.get("modelId"));
        update("UPDATE rollouts SET state = 'promoting', updated_at = ? WHERE id = ?", now(), id);
        step(id, user, "promote", "leave audit mode with " + v.name() + " " + v.version() + " on " + devices.size()
                + " device(s)");
        for (Map<String, Object> x : devices) {
            commands.send((String) x.get("site"), (String) x.get("line"), (String) x.get("device"),
                    Commands.DeployModel.NAME,
                    deployArgs(v, id, "live"), user, WAIT).thenAccept(o -> {
                        onDeployed(id, o, "live");
                        synchronized (this) {
                            @SuppressWarnings("unchecked") final List<Map<String, Object>> now =
                                    (List<Map<String, Object>>) detail(id).get("devices");
                            if (now.stream().allMatch(y -> "live".equals(y.get("state")))) {
                                update("UPDATE rollouts SET state = 'promoted', updated_at = ? WHERE id = ?", now(), id);
                                step(id, "system", "promoted", "every device runs the model live");
                                hub.poke("rollouts");
                            }
                        }
                    });
        }
        hub.poke("rollouts");
    }

    synchronized void rollback(final String id, final String user, final String why) {
        update("UPDATE rollouts SET state = 'rolled_back', updated_at = ? WHERE id = ?", now(), id);
        step(id, user, "rollback", why);
        @SuppressWarnings("unchecked") final List<Map<String, Object>> devices =
                (List<Map<String, Object>>) detail(id).get("devices");
        for (Map<String, Object> x : devices) {
            final ObjectNode a = WireCodec.newObject();
            a.put(Commands.RollbackModel.ROLLOUT_ID, id);
            a.put(Commands.RollbackModel.TO, (String) x.get("previousModel"));
            final String site = (String) x.get("site");
            final String line = (String) x.get("line");
            final String device = (String) x.get("device");
            commands.send(site, line, device, Commands.RollbackModel.NAME, a, user, WAIT).thenAccept(o -> {
                synchronized (this) {
                    deviceState(id, o, o.ok() ? "rolled_back" : "rollback_failed",
                            o.ok() ? "back on " + x.get("previousModel") : o.state() + ": " + o.reason());
                    step(id, "system", o.ok() ? "device.rolled_back" : "device.rollback_failed",
                            site + "/" + line + "/" + device + (o.ok() ? " back on its previous model"
                                    : " " + o.state() + (o.reason() == null ? "" : ": " + o.reason())));
                    hub.poke("rollouts");
                }
            });
        }
        hub.poke("rollouts");
    }

    /** Halts canaries whose devices' error rate passes the threshold. */
    private void watchErrorRates(final List<Map<String, Object>> canaries) {
        try {
            for (Map<String, Object> r : canaries) {
                final String id = (String) r.get("id");
                @SuppressWarnings("unchecked") final List<Map<String, Object>> devices =
                        (List<Map<String, Object>>) r.get("devices");
                for (Map<String, Object> x : devices) {
                    final Double rate = (Double) x.get("errorRate");
                    final Double before = (Double) x.get("errorRateBefore");
                    final double max = (Double) r.get("maxErrorRate");
                    // judged against the device's own rate: one that already dropped frames is not a bad model
                    final double allowed = max + (before == null ? 0 : before);
                    if (rate != null && (Long) x.get("errorRateFrames") >= MIN_FRAMES && rate > allowed) {
                        synchronized (this) {
                            if (!"canary".equals(state(id))) {
                                break;
                            }
                            update("UPDATE rollouts SET state = 'halted', updated_at = ? WHERE id = ?", now(), id);
                            step(id, "system", "auto-halt", String.format(java.util.Locale.ROOT,
                                    "%s/%s/%s error rate %.1f %% > %.1f %% (%s)", x.get("site"), x.get("line"),
                                    x.get("device"), rate * 100, allowed * 100, before == null
                                            ? "no stats from the 30 min before the canary"
                                            : String.format(java.util.Locale.ROOT, "%.1f points above its own %.1f %% "
                                                    + "in the 30 min before the canary", max * 100, before * 100)));
                            rollback(id, "system", "automatic rollback: error rate above the threshold");
                        }
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Rollouts.class).warn("rollout monitor: {}", e.toString());
        }
    }

    /**
     * Halts a canary whose device no longer runs the canary model: an agent keeps no canary across a restart (power
     * cut, crash, update), so it comes back on its live model, and what the canary was to show is cut short. Judged
     * by the device's own count of starts (a status from a later start), else by its own clock (a status it sent
     * after it answered that the canary runs): a device's clock may step backwards across a restart, its count
     * does not. The rollback that follows leaves a device already on its earlier model where it is.
     */
    private void watchCanaryModels(final List<Map<String, Object>> canaries) {
        try {
            final java.util.Set<String> watched = new java.util.HashSet<>();
            final Map<String, FleetStore.Device> known = new java.util.HashMap<>();
            for (final FleetStore.Device d : fleet.devices(clock.instant())) {
                known.put(d.site() + "/" + d.line() + "/" + d.device(), d);
            }
            for (final Map<String, Object> r : canaries) {
                final String id = (String) r.get("id");
                watched.add(id);
                final ModelRegistry.Version v = registry.find((String) r.get("modelId"));
                final String model = v.name() + "@" + v.version();
                @SuppressWarnings("unchecked") final List<Map<String, Object>> devices =
                        (List<Map<String, Object>>) r.get("devices");
                for (final Map<String, Object> x : devices) {
                    final String dev = x.get("site") + "/" + x.get("line") + "/" + x.get("device");
                    final FleetStore.Device d = known.get(dev);
                    if (!"canary".equals(x.get("state")) || d == null || !d.online() || d.statusTime() == null) {
                        continue;
                    }
                    final Instant loaded = (Instant) x.get("loadedDeviceTime");
                    final Long loadedBoot = (Long) x.get("loadedBoot");
                    final boolean laterStart = loadedBoot != null && d.boot() != null && d.boot() > loadedBoot;
                    if (d.models().containsValue(model) || loaded == null
                            || !(laterStart || d.statusTime().isAfter(loaded))) {
                        lostSeen.remove(id + " " + dev);
                        continue; // still on the canary, or a status from before it loaded
                    }
                    // judged on the next pass: the alarm that says why may be stored a moment after the status
                    if (lostSeen.add(id + " " + dev)) {
                        continue;
                    }
                    synchronized (this) {
                        if (!"canary".equals(state(id))) {
                            break;
                        }
                        update("UPDATE rollouts SET state = 'halted', updated_at = ? WHERE id = ?", now(), id);
                        step(id, "system", "canary.lost", dev + " no longer runs " + model + " (its status at "
                                + d.statusTime() + " names " + String.join(", ", new java.util.TreeSet<>(
                                d.models().values())) + "): " + (laterStart ? "the agent restarted (start "
                                + d.boot() + "; the canary ran in start " + loadedBoot
                                + ", and a canary is not kept across a restart)" : whyLeft(d, loaded))
                                + "; start a new rollout to judge it");
                        rollback(id, "system", "automatic rollback: " + dev + " left the canary");
                    }
                    break;
                }
            }
            lostSeen.removeIf(k -> !watched.contains(k.substring(0, k.indexOf(' '))));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Rollouts.class).warn("rollout monitor: {}", e.toString());
        }
    }

    /** Canary devices ({@code rolloutId site/line/device}) seen off their canary model by one pass of the monitor. */
    private final java.util.Set<String> lostSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Why a device left its canary: the {@code model_fallback} alarm it raised since the canary loaded (same clock),
     * or else a restart.
     */
    private String whyLeft(final FleetStore.Device d, final Instant loaded) {
        return fleet.activeAlarms(clock.instant()).stream()
                .filter(a -> a.site().equals(d.site()) && a.line().equals(d.line()) && a.device().equals(d.device())
                        && "model_fallback".equals(a.cause()) && !a.time().isBefore(loaded))
                .findFirst()
                .map(a -> "it fell back from the model by itself (" + a.message() + ")")
                .orElse("the agent restarted (a canary is not kept across a restart)");
    }

    /** The 100 most recent rollouts, newest first, with their devices and steps. */
    public List<Map<String, Object>> list() {
        return rollouts(null, null);
    }

    /** One rollout with its devices and steps, however old. */
    public Map<String, Object> detail(final String id) {
        return rollouts("r.id = ?", id).stream().findFirst()
                .orElseThrow(() -> new Web.NotFound("no rollout '" + Web.cut(id) + "'"));
    }

    /**
     * The most recent rollouts, newest first, with their devices and steps: all, or those matching {@code where}
     * (a fixed condition of this class with one parameter, {@code value}).
     */
    private List<Map<String, Object>> rollouts(final String where, final String value) {
        final List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT r.id, r.model_id, r.state, r.max_error_rate, r.created_by, r.created_at, r.updated_at, m.name, "
                        + "m.version FROM rollouts r LEFT JOIN model_versions m ON m.id = r.model_id "
                        + (where == null ? "" : "WHERE " + where + " ") + "ORDER BY r.created_at DESC LIMIT 100")) {
            if (where != null) {
                ps.setString(1, value);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getString(1));
                    m.put("modelId", rs.getString(2));
                    m.put("state", rs.getString(3));
                    m.put("maxErrorRate", rs.getDouble(4));
                    m.put("createdBy", rs.getString(5));
                    m.put("createdAt", rs.getObject(6, OffsetDateTime.class).toInstant());
                    m.put("updatedAt", rs.getObject(7, OffsetDateTime.class).toInstant());
                    m.put("model", rs.getString(8) + " " + rs.getString(9));
                    m.put("devices", devices(c, rs.getString(1), rs.getObject(6, OffsetDateTime.class)));
                    m.put("steps", steps(c, rs.getString(1)));
                    out.add(m);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private String state(final String id) {
        return (String) detail(id).get("state");
    }

    private static final TypeReference<Map<String, Long>> LONGS = new TypeReference<>() { };

    private List<Map<String, Object>> devices(final Connection c, final String id, final OffsetDateTime started)
            throws SQLException {
        final List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT site, line, device, state, previous_model, detail, "
                + "updated_at, loaded_device_time, loaded_boot FROM rollout_devices WHERE rollout_id = ? "
                + "ORDER BY site, line, device")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("site", rs.getString(1));
                    m.put("line", rs.getString(2));
                    m.put("device", rs.getString(3));
                    m.put("state", rs.getString(4));
                    m.put("previousModel", rs.getString(5));
                    m.put("detail", rs.getString(6));
                    m.put("updatedAt", rs.getObject(7, OffsetDateTime.class).toInstant());
                    final OffsetDateTime loaded = rs.getObject(8, OffsetDateTime.class);
                    m.put("loadedDeviceTime", loaded == null ? null : loaded.toInstant());
                    m.put("loadedBoot", rs.getObject(9) == null ? null : rs.getLong(9));
                    compare(c, m, started);
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Loading and warming a model stalls a device briefly: its first stats after the canary do not judge the model. */
    static final Duration SETTLE = Duration.ofSeconds(10);
    /** The frames the error rate must cover before it can halt a canary: about 10 s of one 60 fps camera. */
    static final long MIN_FRAMES = 600;

    /** Detections per minute by class before the rollout (30 min) and since; error rate since it settled. */
    private static void compare(final Connection c, final Map<String, Object> m, final OffsetDateTime started)
            throws SQLException {
        final Map<String, double[]> perClass = new TreeMap<>(); // before, after counts
        final double[] minutes = new double[2];
        long frames = 0;
        long errors = 0;
        long framesBefore = 0;
        long errorsBefore = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT from_time, to_time, detections_json, frames, "
                + "dropped_frames, late_decisions FROM stats WHERE site = ? AND line = ? AND device = ? AND to_time > ?")) {
            ps.setString(1, (String) m.get("site"));
            ps.setString(2, (String) m.get("line"));
            ps.setString(3, (String) m.get("device"));
            ps.setObject(4, started.minusMinutes(30));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final OffsetDateTime from = rs.getObject(1, OffsetDateTime.class);
                    final OffsetDateTime to = rs.getObject(2, OffsetDateTime.class);
                    final int k = from.isBefore(started) ? 0 : 1;
                    minutes[k] += Math.max(1, Duration.between(from, to).toMillis()) / 60_000.0;
                    try {
                        for (Map.Entry<String, Long> e : Json.MAPPER.readValue(rs.getString(3), LONGS).entrySet()) {
                            perClass.computeIfAbsent(e.getKey(), x -> new double[2])[k] += e.getValue();
                        }
                    } catch (Exception ignored) {
                        // skip malformed counters
                    }
                    if (k == 1 && !from.isBefore(started.plus(SETTLE))) {
                        frames += rs.getLong(4);
                        errors += rs.getLong(5) + rs.getLong(6);
                    } else if (k == 0) {
                        framesBefore += rs.getLong(4);
                        errorsBefore += rs.getLong(5) + rs.getLong(6);
                    }
                }
            }
        }
        final List<Map<String, Object>> cmp = new ArrayList<>();
        for (Map.Entry<String, double[]> e : perClass.entrySet()) {
            final Map<String, Object> x = new LinkedHashMap<>();
            x.put("class", e.getKey());
            x.put("currentPerMin", minutes[0] == 0 ? null : e.getValue()[0] / minutes[0]);
            x.put("canaryPerMin", minutes[1] == 0 ? null : e.getValue()[1] / minutes[1]);
            cmp.add(x);
        }
        m.put("comparison", cmp);
        m.put("errorRate", frames == 0 ? null : (double) errors / frames);
        m.put("errorRateFrames", frames);
        // the same device's rate in the 30 min before: a device that already dropped frames is not a bad model
        m.put("errorRateBefore", framesBefore == 0 ? null : (double) errorsBefore / framesBefore);
    }

    private static List<Map<String, Object>> steps(final Connection c, final String id) throws SQLException {
        final List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT at, username, action, detail FROM rollout_steps WHERE rollout_id = ? ORDER BY id")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("at", rs.getObject(1, OffsetDateTime.class).toInstant());
                    m.put("by", rs.getString(2));
                    m.put("action", rs.getString(3));
                    m.put("detail", rs.getString(4));
                    out.add(m);
                }
            }
        }
        return out;
    }

    private void deviceState(final String id, final CommandBus.Outcome o, final String state, final String detail) {
        update("UPDATE rollout_devices SET state = ?, detail = ?, updated_at = ? WHERE rollout_id = ? AND site = ? "
                + "AND line = ? AND device = ?", state, detail, now(), id, o.site(), o.line(), o.device());
    }

    private void step(final String id, final String user, final String action, final String detail) {
        update("INSERT INTO rollout_steps (rollout_id, at, username, action, detail) VALUES (?,?,?,?,?)", id, now(),
                user, action, detail);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private void update(final String sql, final Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void close() {
        monitor.shutdownNow();
    }
}
