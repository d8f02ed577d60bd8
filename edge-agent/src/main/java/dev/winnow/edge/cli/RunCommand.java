package dev.winnow.edge.cli;

import dev.winnow.edge.AgentMain;
import dev.winnow.edge.belt.Homography;
import dev.winnow.edge.camera.CameraPipeline;
import dev.winnow.edge.camera.FrameSource;
import dev.winnow.edge.camera.ImageFolderSource;
import dev.winnow.edge.camera.StallWatchdog;
import dev.winnow.edge.camera.StreamSource;
import dev.winnow.edge.camera.VideoSource;
import dev.winnow.edge.config.AgentConfig;
import dev.winnow.edge.config.ConfigLoader;
import dev.winnow.edge.detect.Detectors;
import dev.winnow.edge.eject.EjectionPlanner;
import dev.winnow.edge.eject.NozzleBar;
import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.edge.inspect.FailSafe;
import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.edge.link.Uplink;
import dev.winnow.edge.sim.VirtualCameraSource;
import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.interlock.Interlocks;
import dev.winnow.hardware.interlock.StopLineRelay;
import dev.winnow.hardware.light.StackLight;
import dev.winnow.hardware.pi.HardwarePins;
import dev.winnow.hardware.pi.PiHardware;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualCamera;
import dev.winnow.hardware.sim.VirtualLine;
import dev.winnow.hardware.valve.ValveBank;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * {@code winnow-agent run --config FILE}: the agent on a line — real cameras and GPIO on a Raspberry
 * Pi, Pi4J's mock platform elsewhere ({@code hardware: mock}), or the virtual line.
 */
@picocli.CommandLine.Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the agent on a line from a strict YAML configuration.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "The agent's YAML configuration.")
    Path config;

    @Option(names = "--check", description = "Validate the configuration and exit.")
    boolean checkOnly;

    private final CountDownLatch stop = new CountDownLatch(1);

    /** Asks a running agent to stop (as SIGTERM does); {@link #call()} then shuts down and returns. */
    public void stop() {
        stop.countDown();
    }

    @Override
    public Integer call() throws Exception {
        final AgentConfig cfg = ConfigLoader.load(config);
        if (checkOnly) {
            System.out.println("winnow-agent: " + config + " is valid (" + cfg.cameras().size() + " camera(s), "
                    + cfg.lineSettings().nozzleBar().count() + " valves, fail-safe "
                    + cfg.lineSettings().failSafe().name().toLowerCase().replace('_', '-') + ")");
            return 0;
        }
        final AgentConfig.Line ls = cfg.lineSettings();
        final LineClock clock = LineClock.system();
        // stamps: the system clock, or the control server's when a Pi without a time server is off
        final dev.winnow.edge.link.ServerTime serverTime = cfg.mqtt() == null || cfg.mqtt().httpUrl() == null ? null
                : serverTime(cfg);
        final Clock wall = serverTime != null ? serverTime : Clock.systemUTC();

        // Hardware: a Pi, the mock platform, or the virtual line.
        PiHardware pi = null;
        VirtualLine vline = null;
        final ValveBank valves;
        final BeltEncoder encoder;
        final StackLight light;
        final StopLineRelay relay;
        final Interlocks interlocks;
        switch (cfg.hardware()) {
            case PI -> {
                if (!PiHardware.isRaspberryPi()) {
                    throw new IllegalStateException("hardware: pi, but this machine is not a Raspberry Pi "
                            + "(/proc/device-tree/model does not name one). Use 'hardware: mock' to try the agent "
                            + "without GPIO, or 'winnow-agent simulate' for the virtual line.");
                }
                pi = PiHardware.open(HardwarePins.defaults(), ls.encoderMmPerCount());
            }
            case MOCK -> {
                System.err.println("winnow-agent: hardware: mock — Pi4J mock platform, no GPIO is driven"
                        + (PiHardware.isRaspberryPi() ? "" : " (this machine is not a Raspberry Pi)"));
                pi = PiHardware.mock(HardwarePins.defaults(), ls.encoderMmPerCount());
            }
            case VIRTUAL -> vline = new VirtualLine(Scenario.NAMED.contains(cfg.cameras().get(0).source().scenario())
                    ? Scenario.named(cfg.cameras().get(0).source().scenario())
                    : Scenario.load(Path.of(cfg.cameras().get(0).source().scenario())), clock);
            default -> throw new IllegalStateException();
        }
        if (pi != null) {
            valves = pi.valves();
            encoder = ls.encoder() ? pi.encoder() : fixedSpeed(clock, ls.speedMps(), ls.encoderMmPerCount());
            light = pi.stackLight();
            relay = pi.stopLineRelay();
            interlocks = pi.interlocks();
        } else {
            valves = vline.valves();
            encoder = vline.encoder();
            light = null;
            relay = null;
            interlocks = null;
        }
        final AgentConfig.NozzleBar nb = ls.nozzleBar();
        if (nb.count() > valves.size()) {
            throw new IllegalStateException("nozzleBar.count: " + nb.count() + " valves configured but the hardware has "
                    + valves.size());
        }
        final NozzleBar bar = new NozzleBar(nb.positionMm(), nb.count(), nb.pitchMm(), nb.leftEdgeMm(), nb.latencyMs(),
                nb.marginAcrossMm(), nb.marginAlongMm(), nb.maxOnMs());
        final TimingLog timing = new TimingLog(1 << 16);
        final ValveScheduler scheduler = new ValveScheduler(valves, clock, Math.round(nb.maxOnMs() * 1e6),
                Math.round(nb.mergeGapMs() * 1e6), timing);
        scheduler.setRealtime(ls.realtimeTimer());

        Uplink link = null;
        if (cfg.mqtt() != null) {
            Files.createDirectories(cfg.mqtt().stateDir());
            link = new Uplink(new Uplink.Settings(cfg.mqtt().url(), cfg.site(), cfg.line(), cfg.device(),
                    cfg.mqtt().username(), cfg.mqtt().password(), cfg.mqtt().stateDir(), AgentMain.version()), wall);
        }
        final Uplink uplink = link;
        if (serverTime != null) {
            serverTime.onChange(dev.winnow.edge.link.ServerTime.alarms(wall, alarm -> {
                System.err.println("winnow-agent: " + alarm.state().name().toLowerCase() + " " + alarm.cause() + ": "
                        + alarm.message());
                if (uplink != null) {
                    try {
                        uplink.send(alarm);
                    } catch (final InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }));
        }
        final FailSafe failSafe = new FailSafe(ls.failSafe(), light, relay, scheduler, change -> {
            System.err.println("winnow-agent: " + change.describe());
            if (uplink != null) {
                try {
                    uplink.send(change.toAlarm(wall.instant()));
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });

        final Map<String, Homography> calibration = new LinkedHashMap<>();
        for (final AgentConfig.Camera c : cfg.cameras()) {
            if (c.calibrationPixels() != null) {
                calibration.put(c.id(), Homography.fromFourPoints(c.calibrationPixels(), c.calibrationBelt()));
            } else {
                calibration.put(c.id(), dev.winnow.edge.sim.Simulation.calibrate(vline.camera(c.id()).geometry()));
            }
        }
        final LineInspector inspector = new LineInspector(new LineInspector.Settings(cfg.device(), ls.minConfidence(),
                ls.trackGateMm(), ls.audit(), ls.minSightings(), ls.escapeAlarmRate(), 100, ls.minSightingsByClass(),
                ls.minSeenOverMmByClass(), ls.minMeanConfidenceByClass(), ls.sureMeanConfidenceByClass()),
                calibration,
                new EjectionPlanner(bar), scheduler, clock, wall, encoder, () -> ls.speedMps() * 1000, event -> {
                    if (uplink != null) {
                        try {
                            uplink.send(event);
                        } catch (final InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        inspector.onAlarm(reason -> failSafe.warning("escape_rate", inspector.escapeAlarm(), reason));
        inspector.onFallingBehind((camera, behind, why) -> failSafe.warning("falling_behind", camera, behind, why));
        dev.winnow.edge.link.CropUploader pictures = null;
        if (uplink != null && cfg.mqtt().httpUrl() != null) {
            final dev.winnow.edge.link.LinkCredentials creds = dev.winnow.edge.link.LinkCredentials.resolve(
                    cfg.mqtt().username(), cfg.mqtt().password(), cfg.mqtt().stateDir());
            pictures = new dev.winnow.edge.link.CropUploader(dev.winnow.edge.link.CropUploader.Settings.of(
                    java.net.URI.create(cfg.mqtt().httpUrl()), creds.username(), creds.password()));
            final dev.winnow.edge.link.CropUploader uploader = pictures;
            inspector.onRejectPicture(p -> uploader.offer(p.eventId(), p.frame(), p.detection()));
        }

        final List<CameraPipeline> pipelines = new ArrayList<>();
        final Map<String, String> models = new LinkedHashMap<>();
        // Each object follows the rule of the model in use on the camera that named it: a deployed model brings its
        // card's rule, a rollback restores the old one.
        final Map<String, dev.winnow.edge.detect.SwappableDetector> detectors =
                new java.util.concurrent.ConcurrentHashMap<>();
        inspector.setModelRules(camera -> {
            final dev.winnow.edge.detect.SwappableDetector d = detectors.get(camera);
            return d == null ? Map.of() : d.minMeanConfidenceByClass();
        });
        final List<dev.winnow.edge.deploy.ModelDeployer.Target> modelTargets = new ArrayList<>();
        // A model promoted by a rollout outlives restarts: the store's active.json names it per camera.
        final dev.winnow.edge.deploy.ActiveModels promoted = uplink == null ? null
                : dev.winnow.edge.deploy.ActiveModels.open(cfg.models().store());
        for (final AgentConfig.Camera c : cfg.cameras()) {
            final boolean uv = c.kind() == AgentConfig.CameraKind.UV;
            final dev.winnow.edge.detect.SwappableDetector detector = new dev.winnow.edge.detect.SwappableDetector(
                    c.id(), detectorFor(c, uv, promoted));
            if (!c.classical()) {
                modelTargets.add(new dev.winnow.edge.deploy.ModelDeployer.Target(c.id(), detector, c.threads(),
                        c.audit(), configured(c, uv)));
            }
            models.put(c.id(), detector.version());
            detectors.put(c.id(), detector);
            detector.minMeanConfidenceByClass().forEach((cls, min) -> {
                if (!ls.minMeanConfidenceByClass().containsKey(cls)) {
                    System.err.printf(java.util.Locale.ROOT, "winnow-agent: %s: a %s is fired at when its "
                            + "sightings average a confidence of %.2f or more (rule of %s; "
                            + "decision.minMeanConfidenceByClass overrides it)%n", c.id(), cls, min, detector.version());
                }
            });
            inspector.setCameraAudit(c.id(), c.audit());
            final AgentConfig.Source s = c.source();
            final dev.winnow.edge.camera.FrameShape shape = new dev.winnow.edge.camera.FrameShape(c.id(), s.crop(),
                    s.width(), s.height());
            final FrameSource source = switch (s.type()) {
                case V4L2 -> new VideoSource(c.id(), s.device(), shape, false, clock, encoder);
                case URL -> new StreamSource(c.id(), s.url(), shape, false,
                        (int) Math.max(1_000, ls.stallTimeoutMs()), clock, encoder);
                case FILE -> new StreamSource(c.id(), s.path().toString(), shape, s.loop(), 0, clock, encoder);
                case FOLDER -> new ImageFolderSource(c.id(), s.path(), s.fps(), s.loop(), shape, clock, encoder);
                case VIRTUAL -> {
                    final VirtualCamera vc = vline.camera(c.id());
                    yield new VirtualCameraSource(vc, clock, Long.MAX_VALUE);
                }
            };
            // The frame size where it is known before the first frame (a virtual camera, a set width and height);
            // otherwise a VGA frame, which warms the model and the code the same way.
            final int warmW = s.type() == AgentConfig.SourceType.VIRTUAL ? vline.camera(c.id()).spec().widthPx()
                    : s.width() > 0 ? s.width() : 640;
            final int warmH = s.type() == AgentConfig.SourceType.VIRTUAL ? vline.camera(c.id()).spec().heightPx()
                    : s.height() > 0 ? s.height() : 480;
            detector.warmUp(c.id(), warmW, warmH);
            final CameraPipeline p = new CameraPipeline(source, detector, inspector,
                    reason -> System.err.println("winnow-agent: " + reason), clock);
            p.setInferenceNiceness(5);
            pipelines.add(p);
        }
        final StallWatchdog watchdog = new StallWatchdog(pipelines, clock, Math.round(ls.stallTimeoutMs() * 1e6),
                failSafe);
        final CommandHandler commands = new CommandHandler(inspector, scheduler, failSafe, nb.count(), wall, clock,
                pipelines);
        commands.setConfigFile(config, cfg);
        dev.winnow.edge.deploy.ModelDeployer deployer = null;
        if (uplink != null) {
            // the device's credentials, for snapshot uploads and model downloads
            final dev.winnow.edge.link.LinkCredentials creds = dev.winnow.edge.link.LinkCredentials.resolve(
                    cfg.mqtt().username(), cfg.mqtt().password(), cfg.mqtt().stateDir());
            commands.setDeviceCredentials(creds.username(), creds.password());
            commands.setResults(r -> {
                try {
                    uplink.sendResult(r);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        // What the server is told: the model each camera runs and the cameras that fire nothing on their own; announced
        // again after a deployment, a rollback, a fallback or an audit command.
        final List<String> cameraIds = cfg.cameras().stream().map(AgentConfig.Camera::id).toList();
        final java.util.function.Supplier<Status> status = () -> dev.winnow.edge.link.DeviceStatus.online(
                wall.instant(), AgentMain.version(), cameraIds, id -> detectors.get(id).version(),
                inspector::cameraAudit, Integer.toHexString(cfg.hashCode()));
        final Runnable announceModels = () -> {
            if (uplink != null) {
                uplink.reannounce(status.get());
            }
        };
        commands.onStatusChange(announceModels);
        if (uplink != null && !modelTargets.isEmpty()) {
            final dev.winnow.edge.link.LinkCredentials creds = dev.winnow.edge.link.LinkCredentials.resolve(
                    cfg.mqtt().username(), cfg.mqtt().password(), cfg.mqtt().stateDir());
            final AgentConfig.Models mc = cfg.models();
            if (mc.signingKey() == null) {
                System.err.println("winnow-agent: no model-signing key (models.signingKey or "
                        + cfg.mqtt().stateDir().resolve("model-signing.pub") + "): deploy-model will be refused");
            }
            deployer = dev.winnow.edge.deploy.ModelDeployer.reporting(mc.store(),
                    mc.signingKey() == null ? null : dev.winnow.edge.deploy.ModelDeployer.readSigningKey(mc.signingKey()),
                    creds, modelTargets, inspector::setCameraAudit, uplink, failSafe, announceModels, wall);
            deployer.keepPromotions(promoted);
            commands.setModelDeployer(deployer);
        }
        if (uplink != null) {
            uplink.start(status.get(), cmd -> {
                        try {
                            final CommandResult result = commands.handle(cmd);
                            if (result != null) {
                                uplink.sendResult(result);
                            }
                        } catch (final InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "shutdown"));
        scheduler.start();
        final dev.winnow.edge.inspect.PulseCommitter committer = new dev.winnow.edge.inspect.PulseCommitter(inspector,
                reason -> System.err.println("winnow-agent: " + reason));
        pipelines.forEach(CameraPipeline::start);
        failSafe.start(ls.audit());
        final SystemdNotify systemd = SystemdNotify.fromEnvironment();
        systemd.send("READY=1\nSTATUS=inspecting " + cfg.site() + "/" + cfg.line());
        System.err.printf("winnow-agent: %s/%s/%s running: %d camera(s) %s, %d valves, fail-safe %s%s%n", cfg.site(),
                cfg.line(), cfg.device(), pipelines.size(), models, nb.count(),
                ls.failSafe().name().toLowerCase().replace('_', '-'), uplink == null ? "" : ", reporting to "
                        + cfg.mqtt().url());
        final long statsNanos = Math.round(ls.statsIntervalSeconds() * 1e9);
        long nextStats = clock.nanos() + statsNanos;
        try {
            while (!stop.await(100, TimeUnit.MILLISECONDS)) {
                watchdog.check();
                if (interlocks != null) {
                    if (interlocks.allClear()) {
                        failSafe.clear("interlock", null);
                    } else {
                        failSafe.fault("interlock", null, interlocks.emergencyStopReleased()
                                ? "air pressure low" : "emergency stop pressed or its wire broken");
                    }
                }
                systemd.send("WATCHDOG=1");
                if (clock.nanos() >= nextStats && uplink != null) {
                    uplink.send(inspector.snapshot(scheduler.cycles(), 0, uplink.pending(), null, failSafe.faulted()));
                    nextStats += statsNanos;
                }
            }
        } finally {
            systemd.send("STOPPING=1");
            commands.close();
            if (deployer != null) {
                deployer.close();
            }
            pipelines.forEach(CameraPipeline::close);
            committer.close();
            scheduler.close();
            failSafe.shutdown();
            if (pictures != null) {
                pictures.close();
            }
            if (uplink != null) {
                uplink.close();
            }
            if (pi != null) {
                pi.close();
            }
            if (serverTime != null) {
                serverTime.close();
            }
        }
        return 0;
    }

    /** Reads the control server's clock now and every minute, on a thread of its own. */
    private static dev.winnow.edge.link.ServerTime serverTime(final AgentConfig cfg) {
        final dev.winnow.edge.link.LinkCredentials creds = dev.winnow.edge.link.LinkCredentials.resolve(
                cfg.mqtt().username(), cfg.mqtt().password(), cfg.mqtt().stateDir());
        return dev.winnow.edge.link.ServerTime.start(java.net.URI.create(cfg.mqtt().httpUrl()), creds.username(),
                creds.password());
    }

    /** Without an encoder: belt position from the configured speed. */
    /** Opens the model the configuration names for the camera (also what a rollback after a restart returns to). */
    private static dev.winnow.edge.deploy.ActiveModels.Configured configured(final AgentConfig.Camera c,
                                                                             final boolean uv) {
        return () -> Detectors.forCamera(c.id(), uv, c.model(), c.classical(), c.model() != null, c.threads());
    }

    /** The camera's promoted model when one is kept and loads, else its configured one. */
    private static dev.winnow.edge.detect.FrameDetector detectorFor(final AgentConfig.Camera c, final boolean uv,
            final dev.winnow.edge.deploy.ActiveModels promoted) throws java.io.IOException {
        final dev.winnow.edge.deploy.ActiveModels.Configured configured = configured(c, uv);
        return promoted == null || c.classical() ? configured.open() : promoted.detectorFor(c.id(), c.threads(),
                c.model() == null ? "shipped model" : c.model().toString(), configured);
    }

    static BeltEncoder fixedSpeed(final LineClock clock, final double speedMps, final double mmPerCount) {
        final long t0 = clock.nanos();
        return new BeltEncoder() {
            @Override
            public long count() {
                return (long) ((clock.nanos() - t0) / 1e6 * speedMps / mmPerCount);
            }

            @Override
            public double mmPerCount() {
                return mmPerCount;
            }
        };
    }
}
