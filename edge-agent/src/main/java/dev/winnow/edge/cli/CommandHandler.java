package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.camera.CameraPipeline;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.edge.inspect.FailSafe;
import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Commands over MQTT: {@code test-fire {valve, ms}}, {@code audit {enabled, camera?}},
 * {@code set-lot {lot}} and {@code snapshot {}}. Every argument is validated before anything changes,
 * so a command is either applied whole or refused with a reason.
 */
public final class CommandHandler {

    private final LineInspector inspector;
    private final ValveScheduler scheduler;
    private final FailSafe failSafe;
    private final int valves;
    private final Clock wall;
    private final LineClock clock;
    private final List<CameraPipeline> pipelines;
    private final Path snapshotDir;
    private volatile dev.winnow.edge.deploy.ModelDeployer models;

    public CommandHandler(final LineInspector inspector, final ValveScheduler scheduler, final FailSafe failSafe,
                          final int valves, final Clock wall, final LineClock clock, final List<CameraPipeline> pipelines) {
        this(inspector, scheduler, failSafe, valves, wall, clock, pipelines, Path.of("winnow-data", "snapshots"));
    }

    public CommandHandler(final LineInspector inspector, final ValveScheduler scheduler, final FailSafe failSafe,
                          final int valves, final Clock wall, final LineClock clock, final List<CameraPipeline> pipelines,
                          final Path snapshotDir) {
        this.inspector = inspector;
        this.scheduler = scheduler;
        this.failSafe = failSafe;
        this.valves = valves;
        this.wall = wall;
        this.clock = clock;
        this.pipelines = pipelines;
        this.snapshotDir = snapshotDir;
    }

    /** Enables {@code deploy-model} and {@code rollback-model} (refused without it). */
    public void setModelDeployer(final dev.winnow.edge.deploy.ModelDeployer deployer) {
        this.models = deployer;
    }

    /**
     * @return the result to send, or null when the command answers by itself later ({@code deploy-model}
     *         sends {@code accepted} then {@code done}/{@code failed} through the deployer's results sink)
     */
    public CommandResult handle(final Command c) {
        try {
            final ObjectNode a = c.args();
            switch (c.name()) {
                case "test-fire" -> {
                    only(a, "valve", "ms");
                    final int valve = integer(a, "valve", 0, valves - 1, null);
                    final double ms = number(a, "ms", 1, 1000, 50.0);
                    if (inspector.audit()) {
                        return refuse(c, "the line is in audit mode: valves never fire");
                    }
                    if (failSafe != null && failSafe.faulted()) {
                        return refuse(c, "the line is faulted: " + failSafe.activeFaults().keySet());
                    }
                    final long now = clock.nanos();
                    if (!scheduler.schedule(valve, valve, now + 1_000_000, now + 1_000_000 + Math.round(ms * 1e6))) {
                        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.FAILED,
                                "valve " + valve + " has too many pulses pending", wall.instant());
                    }
                    return done(c);
                }
                case "audit" -> {
                    only(a, "enabled", "camera");
                    if (!a.has("enabled") || !a.get("enabled").isBoolean()) {
                        return refuse(c, "enabled: true or false is required");
                    }
                    final boolean on = a.get("enabled").asBoolean();
                    if (a.has("camera")) {
                        final String cam = a.get("camera").asText();
                        if (pipelines.stream().noneMatch(p -> p.cameraId().equals(cam))) {
                            return refuse(c, "camera: no camera '" + cam + "' on this line");
                        }
                        inspector.setCameraAudit(cam, on);
                    } else {
                        inspector.setAudit(on);
                        if (failSafe != null) {
                            failSafe.setAudit(on);
                        }
                    }
                    return done(c);
                }
                case "set-lot" -> {
                    only(a, "lot");
                    final JsonNode lot = a.get("lot");
                    if (lot == null || !(lot.isNull() || lot.isTextual() && lot.asText().matches("[A-Za-z0-9._/-]{1,64}"))) {
                        return refuse(c, "lot: 1..64 characters of A-Z a-z 0-9 . _ / -, or null to clear");
                    }
                    inspector.setLot(lot.isNull() ? null : lot.asText());
                    return done(c);
                }
                case "snapshot" -> {
                    only(a);
                    Files.createDirectories(snapshotDir);
                    int n = 0;
                    for (final CameraPipeline p : pipelines) {
                        final Frame f = p.lastFrame();
                        if (f != null) {
                            try (org.bytedeco.opencv.opencv_core.Mat m = new org.bytedeco.opencv.opencv_core.Mat(
                                    f.height(), f.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
                                m.data().put(f.bgr(), 0, f.bgr().length);
                                org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(snapshotDir.resolve(
                                        c.id().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + f.camera() + ".png").toString(), m);
                                n++;
                            }
                        }
                    }
                    return new CommandResult(c.id(), c.name(), CommandResult.Outcome.DONE,
                            n + " frame(s) saved in " + snapshotDir, wall.instant());
                }
                case "deploy-model", "rollback-model" -> {
                    final dev.winnow.edge.deploy.ModelDeployer d = models;
                    if (d == null) {
                        return refuse(c, "model deployment is not enabled on this agent (needs mqtt and a camera"
                                + " running a model)");
                    }
                    return d.handle(c);
                }
                default -> {
                    return refuse(c, "unknown command '" + c.name()
                            + "' (test-fire, audit, set-lot, snapshot, deploy-model, rollback-model)");
                }
            }
        } catch (final IllegalArgumentException e) {
            return refuse(c, e.getMessage());
        } catch (final java.io.IOException | RuntimeException e) {
            return new CommandResult(c.id(), c.name(), CommandResult.Outcome.FAILED, String.valueOf(e.getMessage()),
                    wall.instant());
        }
    }

    private CommandResult done(final Command c) {
        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.DONE, null, wall.instant());
    }

    private CommandResult refuse(final Command c, final String reason) {
        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.REFUSED, reason, wall.instant());
    }

    private static void only(final ObjectNode a, final String... keys) {
        final Set<String> allowed = Set.of(keys);
        for (final Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            final String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(k + ": unknown argument");
            }
        }
    }

    private static double number(final ObjectNode a, final String key, final double min, final double max,
                                 final Double dflt) {
        final JsonNode n = a.get(key);
        if (n == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(key + ": required");
            }
            return dflt;
        }
        if (!n.isNumber() || !(n.asDouble() >= min && n.asDouble() <= max)) {
            throw new IllegalArgumentException(key + ": must be a number in [" + min + ", " + max + "]");
        }
        return n.asDouble();
    }

    private static int integer(final ObjectNode a, final String key, final int min, final int max, final Integer dflt) {
        final JsonNode n = a.get(key);
        if (n != null && !n.isIntegralNumber()) {
            throw new IllegalArgumentException(key + ": must be a whole number in [" + min + ", " + max + "]");
        }
        if (n == null && dflt == null) {
            throw new IllegalArgumentException(key + ": required");
        }
        final int v = n == null ? dflt : n.asInt();
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": must be a whole number in [" + min + ", " + max + "]");
        }
        return v;
    }
}
