package dev.winnow.edge.sim;

import dev.winnow.edge.AgentMain;
import dev.winnow.edge.belt.Homography;
import dev.winnow.edge.camera.CameraPipeline;
import dev.winnow.edge.cli.CommandHandler;
import dev.winnow.edge.config.AgentConfig;
import dev.winnow.edge.detect.Detectors;
import dev.winnow.edge.deploy.ActiveModels;
import dev.winnow.edge.deploy.ModelDeployer;
import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.SwappableDetector;
import dev.winnow.edge.eject.EjectionPlanner;
import dev.winnow.edge.eject.NozzleBar;
import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.edge.host.HostLoad;
import dev.winnow.edge.inspect.FailSafe;
import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.edge.link.CropUploader;
import dev.winnow.edge.link.LinkCredentials;
import dev.winnow.edge.link.ServerTime;
import dev.winnow.edge.link.Uplink;
import dev.winnow.hardware.sim.CameraGeometry;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.sim.LineResult;
import dev.winnow.hardware.sim.PulseRecord;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.VirtualCamera;
import dev.winnow.hardware.sim.VirtualLine;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real agent pipeline — capture, detection, belt tracking, ejection planning, valve timing,
 * MQTT uplink — run in real time against the virtual line, whose valves judge every pulse.
 */
public final class Simulation {

    /** Seconds of belt with cotton only before the first contaminant reaches a camera view. */
    public static final double RUN_IN_SECONDS = 1.0;
    /**
     * In the state folder, the control server's model-signing public key (as {@code run}'s default
     * {@code models.signingKey}); without it a simulated line refuses every {@code deploy-model}.
     */
    public static final String SIGNING_KEY_FILE = "model-signing.pub";

    /**
     * What to run.
     *
     * @param mqttUrl  nullable: without a broker nothing is sent
     * @param stateDir nullable unless mqttUrl is set
     * @param forever  run until {@link #stop()}; {@code runSeconds} is then ignored
     * @param httpUrl  nullable: the control server's web address, where each rejection's picture is sent
     *                 (with a broker only)
     */
    public record Options(Scenario scenario, double runSeconds, boolean forever, String mqttUrl, String site,
                          String line, String device, Path stateDir, double statsIntervalSeconds, boolean audit,
                          boolean quiet, Tuning tuning, String httpUrl) {
        public Options(final Scenario scenario, final double runSeconds, final boolean forever, final String mqttUrl,
                       final String site, final String line, final String device, final Path stateDir,
                       final double statsIntervalSeconds, final boolean audit, final boolean quiet,
                       final Tuning tuning) {
            this(scenario, runSeconds, forever, mqttUrl, site, line, device, stateDir, statsIntervalSeconds, audit,
                    quiet, tuning, null);
        }

        public Options withHttpUrl(final String url) {
            return new Options(scenario, runSeconds, forever, mqttUrl, site, line, device, stateDir,
                    statsIntervalSeconds, audit, quiet, tuning, url);
        }

        public Options(final Scenario scenario, final double runSeconds, final boolean forever, final String mqttUrl,
                       final String site, final String line, final String device, final Path stateDir,
                       final double statsIntervalSeconds, final boolean audit, final boolean quiet) {
            this(scenario, runSeconds, forever, mqttUrl, site, line, device, stateDir, statsIntervalSeconds, audit,
                    quiet, Tuning.DEFAULTS);
        }
    }

    /**
     * How the agent is set up against the virtual line.
     *
     * @param detector      {@code auto} (each camera's model when present, else classical, with a notice),
     *                      {@code classical}, {@code model} (a model is required), or {@code oracle}: the
     *                      virtual line's ground truth as detections. The oracle is a measuring tool for the
     *                      downstream pipeline (tracking, planning, timing) in isolation; it is never the
     *                      default and is refused with a broker, so it can never report to a real server.
     * @param models        camera id → model folder; cameras absent use the shipped model for their kind
     * @param threads       ONNX Runtime intra-op threads per camera
     * @param minSightings  frames an object must be seen in before it is acted on
     * @param marginAlongMm added before and after each object along the belt
     * @param marginAcrossMm added each side of each object across the belt
     * @param minConfidence fused confidence needed to act
     * @param minSightingsByClass per class, frames instead of {@code minSightings} (the agent config's default
     *                      when built without it)
     * @param minSeenOverMmByClass per class, the belt travel an object must have been followed over (the agent
     *                      config's default when built without it)
     */
    public record Tuning(String detector, Map<String, Path> models, int threads, int minSightings,
                         double marginAlongMm, double marginAcrossMm, double minConfidence,
                         Map<String, Integer> minSightingsByClass, Map<String, Double> minSeenOverMmByClass,
                         long commitLeadNanos, Map<String, Double> minMeanConfidenceByClass,
                         Map<String, Double> sureMeanConfidenceByClass) {
        public static final Tuning DEFAULTS = new Tuning("auto", Map.of(), 1, 2, 8, 0, 0.5);

        public Tuning {
            minSightingsByClass = Map.copyOf(minSightingsByClass);
            minSeenOverMmByClass = Map.copyOf(minSeenOverMmByClass);
            minMeanConfidenceByClass = Map.copyOf(minMeanConfidenceByClass);
            sureMeanConfidenceByClass = Map.copyOf(sureMeanConfidenceByClass);
            if (commitLeadNanos < 0) {
                throw new IllegalArgumentException("commit lead must be >= 0");
            }
        }

        public Tuning(final String detector, final Map<String, Path> models, final int threads,
                      final int minSightings, final double marginAlongMm, final double marginAcrossMm,
                      final double minConfidence, final Map<String, Integer> minSightingsByClass,
                      final Map<String, Double> minSeenOverMmByClass, final long commitLeadNanos,
                      final Map<String, Double> minMeanConfidenceByClass) {
            this(detector, models, threads, minSightings, marginAlongMm, marginAcrossMm, minConfidence,
                    minSightingsByClass, minSeenOverMmByClass, commitLeadNanos, minMeanConfidenceByClass,
                    dev.winnow.edge.config.AgentConfig.DEFAULT_SURE_MEAN_CONFIDENCE_BY_CLASS);
        }

        public Tuning(final String detector, final Map<String, Path> models, final int threads,
                      final int minSightings, final double marginAlongMm, final double marginAcrossMm,
                      final double minConfidence, final Map<String, Integer> minSightingsByClass,
                      final Map<String, Double> minSeenOverMmByClass) {
            this(detector, models, threads, minSightings, marginAlongMm, marginAcrossMm, minConfidence,
                    minSightingsByClass, minSeenOverMmByClass, LineInspector.DEFAULT_COMMIT_LEAD_NANOS, Map.of());
        }

        public Tuning(final String detector, final Map<String, Path> models, final int threads,
                      final int minSightings, final double marginAlongMm, final double marginAcrossMm,
                      final double minConfidence, final Map<String, Integer> minSightingsByClass) {
            this(detector, models, threads, minSightings, marginAlongMm, marginAcrossMm, minConfidence,
                    minSightingsByClass, dev.winnow.edge.config.AgentConfig.DEFAULT_SEEN_OVER_MM_BY_CLASS);
        }

        public Tuning(final String detector, final Map<String, Path> models, final int threads,
                      final int minSightings, final double marginAlongMm, final double marginAcrossMm,
                      final double minConfidence) {
            this(detector, models, threads, minSightings, marginAlongMm, marginAcrossMm, minConfidence,
                    dev.winnow.edge.config.AgentConfig.DEFAULT_SIGHTINGS_BY_CLASS);
        }
    }

    /**
     * The line's score card and the agent's own counts. {@code sent} is -1 without a broker. Frames due and
     * not processed are {@code droppedFrames} (rendered, then dropped from a camera's queue because inference
     * was behind) plus {@code missedFrames} (never rendered: the capture thread itself came late).
     */
    public record Result(Scenario scenario, LineResult line, long rejections, Map<String, Long> rejectionsByClass,
                         long lateDecisions, long objects, long frames, double[] timingErrorMs,
                         List<PulseRecord> pulses, long sent, long unsent, double[] latencyMs, long droppedFrames,
                         Map<String, String> detectors, String timerPriority,
                         dev.winnow.hardware.sim.Judgement judgement, List<LineInspector.Decision> decisions,
                         VirtualLine virtualLine, CropUploader.Counts crops, long missedFrames,
                         List<LineInspector.Undecided> undecided, Map<String, Map<String, Double>> modelRules,
                         HostLoad hostLoad) {
    }

    private final Options options;
    private final CountDownLatch stop = new CountDownLatch(1);

    public Simulation(final Options options) {
        this.options = options;
    }

    /** Asks a running simulation to stop early; {@link #run()} then judges and returns. */
    public void stop() {
        stop.countDown();
    }

    public Result run() throws Exception {
        final Scenario sc = options.scenario();
        final String deviceId = options.device();
        final String site = options.site();
        final String line = options.line();
        final String mqttUrl = options.mqttUrl();
        final boolean forever = options.forever();
        final double runSeconds = options.runSeconds();
        final double statsIntervalSeconds = options.statsIntervalSeconds();
        final boolean audit = options.audit();
        final boolean jsonOnly = options.quiet();
        final Path stateDir = options.stateDir();
        final LineClock clock = LineClock.system();
        // stamps: the system clock, or the control server's when it is off (as run does)
        final ServerTime serverTime;
        if (mqttUrl == null || options.httpUrl() == null) {
            serverTime = null;
        } else {
            final LinkCredentials creds = LinkCredentials.resolve(null, null,
                    stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId));
            serverTime = ServerTime.start(java.net.URI.create(options.httpUrl()), creds.username(), creds.password());
        }
        final Clock wall = serverTime != null ? serverTime : Clock.systemUTC();
        final Scenario.NozzleBar nb = sc.nozzleBar();
        final Tuning tuning = options.tuning();
        if ("oracle".equals(tuning.detector()) && mqttUrl != null) {
            throw new IllegalArgumentException("the oracle detector measures the pipeline offline; it never reports to a broker");
        }
        // The agent boots before the belt runs, as on a real line: calibration (OpenCV's native library
        // loads on first use) and the detectors (model sessions) are ready before the virtual line starts,
        // so no contaminant passes the cameras while the agent is still starting up.
        final Map<String, Homography> calibration = new HashMap<>();
        final Map<String, FrameDetector> detectors = new HashMap<>();
        final Map<String, ActiveModels.Configured> configuredModels = new HashMap<>();
        // Reporting to a server, a model promoted by a rollout outlives restarts, as with run.
        final ActiveModels promoted = mqttUrl == null ? null : ActiveModels.open(
                (stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId)).resolve("models"));
        for (final Scenario.CameraSpec spec : sc.cameras()) {
            calibration.put(spec.id(), calibrate(CameraGeometry.of(spec, sc.belt().widthMm())));
            final boolean uv = spec.kind() == Scenario.CameraKind.UV;
            final Path model = tuning.models().get(spec.id());
            final String configured = model == null ? "shipped model" : model.toString();
            final FrameDetector detector = switch (tuning.detector()) {
                case "oracle" -> null;
                case "classical" -> Detectors.forCamera(spec.id(), uv, null, true, false, tuning.threads());
                case "model", "auto" -> {
                    final ActiveModels.Configured open = () -> Detectors.forCamera(spec.id(), uv, model, false,
                            "model".equals(tuning.detector()), tuning.threads());
                    configuredModels.put(spec.id(), open);
                    yield promoted == null ? open.open()
                            : promoted.detectorFor(spec.id(), tuning.threads(), configured, open);
                }
                default -> throw new IllegalArgumentException("detector must be auto, classical, model or oracle, got '"
                        + tuning.detector() + "'");
            };
            if (detector != null) {
                detector.warmUp(spec.id(), spec.widthPx(), spec.heightPx());
                detectors.put(spec.id(), detector);
            }
        }
        Uplink uplink = null;
        if (mqttUrl != null) {
            final Path state = stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId);
            Files.createDirectories(state);
            uplink = new Uplink(new Uplink.Settings(mqttUrl, site, line, deviceId, null, null, state,
                    AgentMain.version()), wall);
        }
        final Uplink link = uplink;
        if (serverTime != null) {
            serverTime.onChange(ServerTime.alarms(wall, alarm -> {
                System.err.println("winnow-agent: " + alarm.state().name().toLowerCase() + " " + alarm.cause() + ": "
                        + alarm.message());
                try {
                    link.send(alarm);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        CropUploader cropUploader = null;
        if (link != null && options.httpUrl() != null) {
            final LinkCredentials creds = LinkCredentials.resolve(null, null,
                    stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId));
            cropUploader = new CropUploader(CropUploader.Settings.of(java.net.URI.create(options.httpUrl()),
                    creds.username(), creds.password()));
        }
        final CropUploader crops = cropUploader;
        // The belt starts here, and the cameras only after the valve timer, the decision point and the pipelines
        // are set up (~150 ms on a 2-core machine): a contaminant on the belt's first metres passed the colour view
        // before the first frame, or in one frame, and counted as an escape. A line is started before its product
        // arrives; the run-in gives the agent that second.
        final VirtualLine vline = new VirtualLine(sc, clock, RUN_IN_SECONDS * sc.belt().speedMps() * 1000);
        final NozzleBar bar = new NozzleBar(nb.positionMm(), nb.count(), nb.pitchMm(), 0, nb.latencyMs(),
                tuning.marginAcrossMm(), tuning.marginAlongMm(), 250);
        final TimingLog timing = new TimingLog(1 << 16);
        final ValveScheduler scheduler = new ValveScheduler(vline.valves(), clock, 250_000_000L, 2_000_000L, timing);
        final double speedMmPerSecond = sc.belt().speedMps() * 1000;

        final AtomicLong sendFailures = new AtomicLong();
        final LineInspector.Settings settings = new LineInspector.Settings(deviceId, tuning.minConfidence(), 10, audit,
                tuning.minSightings(), 0.02, 100, tuning.minSightingsByClass(), tuning.minSeenOverMmByClass(),
                tuning.minMeanConfidenceByClass(), tuning.sureMeanConfidenceByClass());
        final LineInspector inspector = new LineInspector(settings,
                calibration, new EjectionPlanner(bar), scheduler,
                clock, wall, vline.encoder(), () -> speedMmPerSecond,
                event -> {
                    if (link != null) {
                        try {
                            link.send(event);
                        } catch (final InterruptedException e) {
                            Thread.currentThread().interrupt();
                            sendFailures.incrementAndGet();
                        }
                    }
                });

        final Map<String, String> models = new LinkedHashMap<>();
        final List<CameraPipeline> pipelines = new ArrayList<>();
        final List<VirtualCameraSource> sources = new ArrayList<>();
        final long endNanos = forever ? Long.MAX_VALUE : clock.nanos() + Math.round(runSeconds * 1e9);
        inspector.setCommitLeadNanos(tuning.commitLeadNanos());
        // Warnings as on a real line (run): printed, and sent to the control server's alarms page when there is
        // one. The virtual line has no stack light or stop-line relay, and no fault applies the policy here.
        final FailSafe failSafe = new FailSafe(AgentConfig.FailSafe.ALARM, null, null, null, change -> {
            System.err.println("winnow-agent: " + change.describe());
            if (link != null) {
                try {
                    link.send(change.toAlarm(wall.instant()));
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    sendFailures.incrementAndGet();
                }
            }
        });
        inspector.onAlarm(reason -> failSafe.warning("escape_rate", inspector.escapeAlarm(), reason));
        inspector.onFallingBehind((camera, behind, why) -> failSafe.warning("falling_behind", camera, behind, why));
        if (crops != null) {
            inspector.onRejectPicture(p -> crops.offer(p.eventId(), p.frame(), p.detection()));
        }
        final List<LineInspector.Decision> decisions = new ArrayList<>();
        inspector.onDecision(d -> {
            if (decisions.size() < 100_000) {
                decisions.add(d);
            }
        });
        final List<LineInspector.Undecided> undecided = new ArrayList<>();
        inspector.onUndecided(o -> {
            if (undecided.size() < 100_000) {
                undecided.add(new LineInspector.Undecided(o, inspector.shortOf(o)));
            }
        });
        // Reporting to a server, a camera running a model takes model rollouts as on a real line: its detector can
        // be swapped between two frames, and each object follows the rule of the model in use when it was named.
        final Map<String, FrameDetector> inUse = new java.util.concurrent.ConcurrentHashMap<>();
        inspector.setModelRules(camera -> {
            final FrameDetector d = inUse.get(camera);
            return d == null ? Map.of() : d.minMeanConfidenceByClass();
        });
        final List<ModelDeployer.Target> modelTargets = new ArrayList<>();
        for (final VirtualCamera cam : vline.cameras()) {
            final VirtualCameraSource source = new VirtualCameraSource(cam, clock, endNanos);
            sources.add(source);
            FrameDetector detector = "oracle".equals(tuning.detector()) ? new OracleDetector(source)
                    : detectors.get(cam.id());
            if (link != null && !"oracle".equals(tuning.detector()) && !"classical".equals(tuning.detector())) {
                final SwappableDetector swappable = new SwappableDetector(cam.id(), detector);
                modelTargets.add(new ModelDeployer.Target(cam.id(), swappable, tuning.threads(), audit,
                        configuredModels.get(cam.id())));
                detector = swappable;
            }
            models.put(cam.id(), detector.version());
            inUse.put(cam.id(), detector);
            pipelines.add(new CameraPipeline(source, detector, inspector,
                    reason -> System.err.println("winnow-agent: " + reason)));
        }
        CommandHandler handler = null;
        ModelDeployer deployer = null;
        if (link != null) {
            // The same commands as on a real line, so the demo's operators and engineers can set the lot,
            // switch audit mode, test-fire a (virtual) valve and take snapshots. A test pulse is judged by the
            // virtual bar like any other pulse: it hits nothing, so it counts as spurious in the result.
            // No configuration file here: set-config is refused.
            final CommandHandler commands = new CommandHandler(inspector, scheduler, failSafe, nb.count(), wall, clock,
                    List.copyOf(pipelines));
            final dev.winnow.edge.link.LinkCredentials creds = dev.winnow.edge.link.LinkCredentials.resolve(null, null,
                    stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId));
            commands.setDeviceCredentials(creds.username(), creds.password());
            commands.setResults(r -> {
                try {
                    link.sendResult(r);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // What the server is told: the model each camera runs and the cameras that fire nothing on their own;
            // announced again after a deployment, a rollback, a fallback or an audit command.
            final List<String> cameraIds = vline.cameras().stream().map(VirtualCamera::id).toList();
            final java.util.function.Supplier<Status> status = () -> dev.winnow.edge.link.DeviceStatus.online(
                    wall.instant(), AgentMain.version(), cameraIds, id -> inUse.get(id).version(),
                    inspector::cameraAudit, Integer.toHexString(sc.hashCode()));
            final Runnable announceModels = () -> link.reannounce(status.get());
            commands.onStatusChange(announceModels);
            if (!modelTargets.isEmpty()) {
                final Path state = stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId);
                final Path keyFile = state.resolve(SIGNING_KEY_FILE);
                final java.security.PublicKey key = Files.isRegularFile(keyFile) ? ModelDeployer.readSigningKey(keyFile)
                        : null;
                deployer = ModelDeployer.reporting(state.resolve("models"), key, creds, modelTargets,
                        inspector::setCameraAudit, link, failSafe, announceModels, wall);
                deployer.keepPromotions(promoted);
                commands.setModelDeployer(deployer);
            }
            handler = commands;
            link.start(status.get(), command -> {
                        try {
                            final CommandResult result = commands.handle(command);
                            if (result != null) {
                                link.sendResult(result);
                            }
                        } catch (final InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
        }

        if (!jsonOnly) {
            System.out.printf("winnow-agent: %s/%s/%s simulating '%s' (belt %.1f m/s, %d cameras, %d valves)%s%n",
                    site, line, deviceId, sc.name(), sc.belt().speedMps(), sc.cameras().size(), nb.count(),
                    link == null ? "" : ", reporting to " + mqttUrl);
        }
        // From the first frame to the last: the machine's share in dropped frames and timing outliers.
        final HostLoad.Measurement hostLoad = HostLoad.start();
        scheduler.start();
        final dev.winnow.edge.inspect.PulseCommitter committer = new dev.winnow.edge.inspect.PulseCommitter(inspector,
                reason -> System.err.println("winnow-agent: " + reason));
        pipelines.forEach(CameraPipeline::start);

        final long statsNanos = Math.round(statsIntervalSeconds * 1e9);
        long nextStats = clock.nanos() + statsNanos;
        long framesAtLastStats = 0;
        long lastStatsAt = clock.nanos();
        // A run of a minute or more says how it is going; a run without end (the demo's lines) keeps its log quiet.
        final long startedAt = clock.nanos();
        long nextProgress = forever ? Long.MAX_VALUE : startedAt + PROGRESS_NANOS;
        while (clock.nanos() < endNanos && stop.getCount() > 0) {
            stop.await(Math.min(100, Math.max(1, (nextStats - clock.nanos()) / 1_000_000)), TimeUnit.MILLISECONDS);
            if (clock.nanos() >= nextProgress) {
                System.err.println("winnow-agent: " + progress(clock.nanos() - startedAt, runSeconds,
                        vline.valves().result(), pipelines.stream().mapToLong(CameraPipeline::frames).sum(),
                        inspector.totalDroppedFrames()));
                nextProgress += PROGRESS_NANOS;
            }
            if (clock.nanos() >= nextStats) {
                final long frames = pipelines.stream().mapToLong(CameraPipeline::frames).sum();
                final long now = clock.nanos();
                final double fps = (frames - framesAtLastStats) / ((now - lastStatsAt) / 1e9);
                framesAtLastStats = frames;
                lastStatsAt = now;
                final Stats stats = inspector.snapshot(scheduler.cycles(), fps, link == null ? 0 : link.pending(),
                        null, false);
                if (link != null) {
                    link.send(stats);
                }
                nextStats += statsNanos;
            }
        }

        // Let the last decided objects pass the bar before judging.
        pipelines.forEach(CameraPipeline::close);
        final HostLoad load = hostLoad.finish();
        // Judge only what the agent could see whole: contaminants already past every camera's view when
        // the cameras stopped. The belt runs on until they have crossed the bar; what was still
        // upstream stays pending (neither captured nor escaped).
        double lastViewEnd = 0;
        for (final Scenario.CameraSpec c : sc.cameras()) {
            lastViewEnd = Math.max(lastViewEnd, c.viewEndMm());
        }
        final double runOutMm = Math.max(0, nb.positionMm() + nb.footprintMm() - lastViewEnd - 150);
        final long runOutUntil = clock.nanos() + Math.round(runOutMm / speedMmPerSecond * 1e9);
        while (clock.nanos() < runOutUntil || !scheduler.idle() || inspector.uncommittedPulses() > 0) {
            Thread.sleep(10);
            if (clock.nanos() > runOutUntil + 2_000_000_000L) {
                break;
            }
        }
        committer.close();
        scheduler.close();
        final dev.winnow.hardware.sim.Judgement judgement = vline.valves().judge();
        final LineResult result = judgement.result();
        final long frames = pipelines.stream().mapToLong(CameraPipeline::frames).sum();
        if (link != null) {
            link.send(inspector.snapshot(scheduler.cycles(), 0, link.pending(), null, false));
            if (crops != null) {
                // The server takes a picture only after it stored the event: give the last ones time to land.
                crops.drain(java.time.Duration.ofSeconds(15));
            }
            link.close();
        }
        if (crops != null) {
            crops.close();
        }
        if (serverTime != null) {
            serverTime.close();
        }
        if (handler != null) {
            handler.close();
        }
        if (deployer != null) {
            deployer.close();
        }
        final Map<String, Map<String, Double>> modelRules = new java.util.HashMap<>();
        inUse.forEach((camera, d) -> modelRules.put(camera, d.minMeanConfidenceByClass()));

        return new Result(sc, result, inspector.totalRejections(), inspector.totalRejectionsByClass(),
                inspector.totalLateDecisions(), inspector.objects(), frames, timing.percentilesMs(),
                vline.valves().pulses(), link == null ? -1 : link.sent(),
                link == null ? 0 : link.pending() + sendFailures.get(), inspector.totalLatencyMs(),
                inspector.totalDroppedFrames(), models, scheduler.priority(), judgement, List.copyOf(decisions), vline,
                crops == null ? null : crops.counts(),
                sources.stream().mapToLong(VirtualCameraSource::missedFrames).sum(), List.copyOf(undecided),
                Map.copyOf(modelRules), load);
    }

    /** How often a run prints its progress. */
    static final long PROGRESS_NANOS = 10_000_000_000L;

    /** One progress line: {@code 10 s of 60: 38 of 39 contaminants captured so far, 99 pulses (3 spurious); ...}. */
    static String progress(final long elapsedNanos, final double runSeconds, final LineResult sofar, final long frames,
                           final long dropped) {
        return String.format(Locale.ROOT,
                "%d s of %d: %d of %d contaminants captured so far, %d pulses (%d spurious); %d frames, %d dropped",
                Math.round(elapsedNanos / 1e9), Math.round(runSeconds), sofar.captured(), sofar.contaminants(),
                sofar.pulses(), sofar.spuriousPulses(), frames, dropped);
    }

    /** Calibrates from the four image corners, as an engineer would with a target laid on the belt. */
    public static Homography calibrate(final CameraGeometry g) {
        final var points = g.calibrationPoints();
        final double[] px = new double[8];
        final double[] mm = new double[8];
        for (int i = 0; i < 4; i++) {
            px[2 * i] = points.get(i).xPx();
            px[2 * i + 1] = points.get(i).yPx();
            mm[2 * i] = points.get(i).acrossMm();
            mm[2 * i + 1] = points.get(i).worldMm();
        }
        return Homography.fromFourPoints(px, mm);
    }
}
