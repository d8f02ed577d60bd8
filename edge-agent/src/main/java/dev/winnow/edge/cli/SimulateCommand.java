package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.sim.Simulation;
import dev.winnow.edge.sim.TrackReport;
import dev.winnow.hardware.sim.BeltItem;
import dev.winnow.hardware.sim.Judgement;
import dev.winnow.hardware.sim.LineResult;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.hardware.sim.Visibility;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-agent simulate}: the real agent pipeline — capture, detection, belt tracking,
 * ejection planning, valve timing, MQTT uplink — run in real time against the virtual line, whose
 * valves judge every pulse. Prints the line's score card as a JSON last line.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run the agent against the virtual line and report what it caught.")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--scenario", required = true,
            description = "A shipped scenario name (demo, fast-belt, fast-belt-dark, white-pp) or a scenario file (YAML or JSON).")
    String scenario;

    @Option(names = "--duration", description = "Seconds to run; default: the scenario's duration.")
    Double durationSeconds;

    @Option(names = "--forever", description = "Run until stopped (Ctrl-C or SIGTERM).")
    boolean forever;

    @Option(names = "--seed", description = "Override the scenario's seed.")
    Long seed;

    @Option(names = "--mqtt", description = "Broker URL, e.g. tcp://127.0.0.1:1883; without it nothing is sent.")
    String mqttUrl;

    @Option(names = "--http", description = "The control server's web address, e.g. http://127.0.0.1:8080/: "
            + "each rejection's picture is sent there (with --mqtt).")
    String httpUrl;

    @Option(names = "--site", defaultValue = "demo-mill", description = "Site name (default ${DEFAULT-VALUE}).")
    String site;

    @Option(names = "--line", defaultValue = "line-1", description = "Line name (default ${DEFAULT-VALUE}).")
    String line;

    @Option(names = "--device", description = "Device id (default pi-LINE).")
    String device;

    @Option(names = "--state", description = "State folder for the MQTT session (default ./winnow-data/agent-DEVICE).")
    Path stateDir;

    @Option(names = "--stats-interval", defaultValue = "5", description = "Seconds between stats messages.")
    double statsIntervalSeconds;

    @Option(names = "--audit", description = "Detect and report, never fire.")
    boolean audit;

    @Option(names = "--json", description = "Print only the JSON result line on stdout.")
    boolean jsonOnly;

    @Option(names = "--detector", defaultValue = "auto",
            description = "auto (each camera's model when present, else classical), classical, model (required), "
                    + "or oracle (ground truth: measures the downstream pipeline alone; offline only).")
    String detector;

    @Option(names = "--model", description = "CAMERA=DIR: the model folder for one camera (repeatable).")
    java.util.Map<String, Path> modelDirs = new java.util.LinkedHashMap<>();

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime threads per camera.")
    int threads;

    @Option(names = "--min-sightings", defaultValue = "2", description = "Frames an object must be seen in before it is acted on.")
    int minSightings;

    @Option(names = "--min-sightings-class", split = ",", description = "CLASS=N[,CLASS=N...]: frames an object "
            + "of that class must be seen in instead of --min-sightings (default feather=4,plastic_film=8, as the "
            + "agent's config).")
    java.util.Map<String, String> minSightingsByClass;

    @Option(names = "--min-seen-over-class", split = ",", description = "CLASS=MM[,CLASS=MM...]: belt travel over "
            + "which an object of that class must have been followed before it is acted on, besides its sightings "
            + "(default feather=230,plastic_film=600, as the agent's config).")
    java.util.Map<String, String> minSeenOverByClass;

    @Option(names = "--margin-along", defaultValue = "8", description = "Pulse margin before and after an object, mm.")
    double marginAlongMm;

    @Option(names = "--min-mean-confidence-class", split = ",", description = "CLASS=C[,CLASS=C...]: mean "
            + "confidence over its sightings an object of that class needs before it is acted on, instead of the rule "
            + "of the model that named it (its card's decision.minMeanConfidence; CLASS=0 switches it off).")
    java.util.Map<String, String> minMeanConfidenceByClass;

    @Option(names = "--sure-mean-confidence-class", split = ",", description = "CLASS=C[,CLASS=C...]: mean "
            + "confidence (0.5-1) at which an object of that class is acted on after --min-sightings, without its "
            + "class's other demands (default feather=0.9, as the agent's config; CLASS=off removes the class).")
    java.util.Map<String, String> sureMeanConfidenceByClass;

    @Option(names = "--commit-lead-ms", defaultValue = "100", description = "How long before its opening a decided "
            + "pulse is planned from the object's latest estimate and handed to the valve timer; 0 plans it once, at "
            + "the decision (default ${DEFAULT-VALUE}).")
    double commitLeadMs;

    @Option(names = "--margin-across", defaultValue = "0", description = "Nozzle margin each side of an object's "
            + "core across the belt, mm (default ${DEFAULT-VALUE}, as the agent's config).")
    double marginAcrossMm;

    @Option(names = "--min-confidence", defaultValue = "0.5", description = "Fused confidence needed to act.")
    double minConfidence;

    @Option(names = "--belt-speed", description = "Override the scenario's belt speed, m/s. Cotton and "
            + "contaminants keep arriving per second as the scenario says (the same throughput: a slower belt "
            + "carries a denser layer), unless --same-load-per-metre.")
    Double beltSpeed;

    @Option(names = "--same-load-per-metre", description = "With --belt-speed: scale the tufts and contaminants per "
            + "second with the speed, so each metre of belt carries what it carries at the scenario's speed.")
    boolean sameLoadPerMetre;

    @Option(names = "--tracks", description = "Write every decided track, with the contaminant under it (if any), "
            + "every track the decision rules held back (with the rule it fell short of) and every escaped "
            + "contaminant to this CSV file.")
    Path tracksFile;

    @Option(names = "--escapes", description = "Write a PNG of the escaped contaminants as each camera saw them "
            + "(at most " + dev.winnow.edge.sim.EscapeSheet.MAX_ROWS + ").")
    Path escapesFile;

    @Option(names = "--sights", description = "Write a CSV of every judged contaminant, captured or escaped, with how "
            + "many pixels of it each camera shows and by how much at most (rendered again after the run: about a "
            + "minute a 60-s run).")
    Path sightsFile;

    @Override
    public Integer call() throws Exception {
        final Scenario base = Scenario.NAMED.contains(scenario) ? Scenario.named(scenario)
                : Scenario.load(Path.of(scenario));
        final Scenario seeded = seed == null ? base : base.withSeed(seed);
        if (beltSpeed != null && !(beltSpeed >= 0.05 && beltSpeed <= 10)) {
            throw new IllegalArgumentException("--belt-speed must be in [0.05, 10] m/s");
        }
        if (sameLoadPerMetre && beltSpeed == null) {
            throw new IllegalArgumentException("--same-load-per-metre needs --belt-speed");
        }
        final Scenario sc = beltSpeed == null ? seeded : atSpeed(seeded, beltSpeed, sameLoadPerMetre);
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("--threads must be 1..64");
        }
        if (minSightings < 1 || minSightings > 100) {
            throw new IllegalArgumentException("--min-sightings must be 1..100");
        }
        final java.util.Map<String, Integer> byClass = new java.util.TreeMap<>();
        if (minSightingsByClass == null) {
            byClass.putAll(dev.winnow.edge.config.AgentConfig.DEFAULT_SIGHTINGS_BY_CLASS);
        } else {
            perClass("--min-sightings-class", minSightingsByClass, 1, 100, "", "a whole number")
                    .forEach((cls, n) -> byClass.put(cls, n.intValue()));
        }
        final java.util.Map<String, Double> seenOver = minSeenOverByClass == null
                ? dev.winnow.edge.config.AgentConfig.DEFAULT_SEEN_OVER_MM_BY_CLASS
                : perClass("--min-seen-over-class", minSeenOverByClass, 0, 5000, " mm", "a number of millimetres");
        final java.util.Map<String, Double> meanConfidence = minMeanConfidenceByClass == null ? java.util.Map.of()
                : perClass("--min-mean-confidence-class", minMeanConfidenceByClass, 0, 1, "", "a number");
        final java.util.Map<String, Double> sure = new java.util.TreeMap<>(
                dev.winnow.edge.config.AgentConfig.DEFAULT_SURE_MEAN_CONFIDENCE_BY_CLASS);
        if (sureMeanConfidenceByClass != null) {
            final java.util.Map<String, String> given = new java.util.TreeMap<>(sureMeanConfidenceByClass);
            given.entrySet().removeIf(e -> {
                final boolean off = e.getValue().equals("off");
                if (off) {
                    sure.remove(e.getKey());
                }
                return off;
            });
            sure.putAll(perClass("--sure-mean-confidence-class", given, 0.5, 1, " (or off)", "a number (or off)"));
        }
        if (!(commitLeadMs >= 0 && commitLeadMs <= 5000)) {
            throw new IllegalArgumentException("--commit-lead-ms must be in [0, 5000] ms, got " + commitLeadMs);
        }
        if (marginAlongMm < 0 || marginAcrossMm < 0 || marginAlongMm > 500 || marginAcrossMm > 500) {
            throw new IllegalArgumentException("--margin-along and --margin-across must be in [0, 500] mm");
        }
        if (httpUrl != null && (!httpUrl.matches("(?i)https?://[^\\s/]+(:\\d+)?(/\\S*)?") || mqttUrl == null)) {
            throw new IllegalArgumentException("--http needs an http(s):// address, and --mqtt (pictures follow "
                    + "their events), got '" + httpUrl + "'");
        }
        final String deviceId = device != null ? device : "pi-" + line;
        checkName("--site", site);
        checkName("--line", line);
        checkName("--device", deviceId);
        if (!(statsIntervalSeconds > 0)) {
            throw new IllegalArgumentException("--stats-interval must be > 0 seconds");
        }
        final double runSeconds = durationSeconds != null ? durationSeconds : sc.durationSeconds();
        if (!forever && !(runSeconds > 0)) {
            throw new IllegalArgumentException("--duration must be > 0 seconds");
        }
        checkOutputFile("--tracks", tracksFile);
        checkOutputFile("--escapes", escapesFile);
        checkOutputFile("--sights", sightsFile);
        final Path state = stateDir != null ? stateDir : Path.of("winnow-data", "agent-" + deviceId);
        final Simulation simulation = new Simulation(new Simulation.Options(sc, runSeconds, forever, mqttUrl, site,
                line, deviceId, state, statsIntervalSeconds, audit, jsonOnly,
                new Simulation.Tuning(detector, modelDirs, threads, minSightings, marginAlongMm, marginAcrossMm,
                        minConfidence, byClass, seenOver, Math.round(commitLeadMs * 1e6), meanConfidence, sure))
                .withHttpUrl(httpUrl));
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            simulation.stop();
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final Simulation.Result r;
        try {
            r = simulation.run();
        } finally {
            stopped.countDown();
        }
        final LineResult result = r.line();
        final java.util.List<BeltItem> escaped = new java.util.ArrayList<>();
        for (final Judgement.ItemVerdict v : r.judgement().verdicts()) {
            if (v.outcome() == Judgement.Outcome.ESCAPED) {
                escaped.add(v.item());
            }
        }
        // An escape no camera shows is not a detector's miss: no model could have found it. Counted apart so a run
        // says how much of what escaped a better model could still catch.
        final java.util.Map<Long, java.util.List<Visibility.Sight>> sights = new java.util.HashMap<>();
        int unseen = 0;
        for (final BeltItem it : escaped) {
            final java.util.List<Visibility.Sight> s = Visibility.DEFAULT.sights(sc, it);
            sights.put(it.id(), s);
            if (s.stream().noneMatch(Visibility.DEFAULT::shown)) {
                unseen++;
            }
        }
        final ObjectNode out = WireCodec.newObject();
        out.put("scenario", sc.name());
        out.put("seed", sc.seed());
        out.put("belt_mps", sc.belt().speedMps());
        out.put("contaminants", result.contaminants());
        out.put("captured", result.captured());
        out.put("capture_rate", round(result.captureRate(), 4));
        out.put("escapes", result.escaped());
        out.put("escapes_no_camera_shows", unseen);
        out.put("late_decisions", r.lateDecisions());
        out.put("rejections", r.rejections());
        out.put("pulses", result.pulses());
        out.put("spurious_pulses", result.spuriousPulses());
        out.put("collateral_per_ejection", result.captured() == 0 ? 0
                : round((double) result.collateralTufts() / result.captured(), 4));
        final double[] t = r.timingErrorMs();
        final ObjectNode te = out.putObject("timing_error_ms");
        te.put("p50", round(t[0], 4));
        te.put("p99", round(t[1], 4));
        te.put("max", round(t[2], 4));
        final ObjectNode esc = out.putObject("escaped_by_class");
        result.escapedByClass().entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> esc.put(e.getKey().wireName(), e.getValue()));
        final ObjectNode lat = out.putObject("latency_ms");
        lat.put("p50", round(r.latencyMs()[0], 3));
        lat.put("p99", round(r.latencyMs()[1], 3));
        out.put("frames", r.frames());
        out.put("dropped_frames", r.droppedFrames());
        out.put("missed_frames", r.missedFrames());
        final ObjectNode det = out.putObject("detectors");
        r.detectors().forEach(det::put);
        out.put("timer_priority", r.timerPriority());
        // the machine it ran on and how crowded it was: dropped frames and latency are read against it
        out.set("host", WireCodec.mapper().valueToTree(r.hostLoad().toMap()));
        // the rules the run decided by, so a line of figures says what produced it
        final ObjectNode rules = out.putObject("decision");
        rules.put("min_confidence", minConfidence);
        rules.put("min_sightings", minSightings);
        final ObjectNode sightings = rules.putObject("min_sightings_by_class");
        byClass.forEach(sightings::put);
        final ObjectNode over = rules.putObject("min_seen_over_mm_by_class");
        seenOver.forEach(over::put);
        final ObjectNode mean = rules.putObject("min_mean_confidence_by_class");
        meanConfidence.forEach(mean::put);
        // the models' own rules, per camera, for the classes the line's settings above do not name
        final ObjectNode modelMean = rules.putObject("model_min_mean_confidence");
        new java.util.TreeMap<>(r.modelRules()).forEach((camera, rule) -> {
            final ObjectNode c = modelMean.putObject(camera);
            new java.util.TreeMap<>(rule).forEach(c::put);
        });
        rules.put("margin_across_mm", marginAcrossMm);
        rules.put("margin_along_mm", marginAlongMm);
        rules.put("commit_lead_ms", commitLeadMs);
        out.put("objects", r.objects());
        final TrackReport tracks = TrackReport.of(r.decisions(), r.undecided(), r.judgement(), r.virtualLine());
        final ObjectNode falseTracks = out.putObject("false_tracks");
        tracks.falseTracksByClass().forEach(falseTracks::put);
        final ObjectNode spurious = out.putObject("spurious_by_cause");
        spurious.put("beside_a_contaminant", tracks.spuriousBeside());
        spurious.put("elsewhere", tracks.spuriousElsewhere());
        if (tracksFile != null) {
            tracks.write(tracksFile);
        }
        if (escapesFile != null) {
            dev.winnow.edge.sim.EscapeSheet.write(sc, escaped, sights, escapesFile);
        }
        if (sightsFile != null) {
            writeSights(sc, r.judgement(), sights, sightsFile);
        }
        if (r.crops() != null) {
            final var crops = out.putObject("pictures");
            crops.put("uploaded", r.crops().uploaded());
            crops.put("dropped", r.crops().dropped());
            crops.put("failed", r.crops().failed());
        }
        if (r.sent() >= 0) {
            out.put("sent", r.sent());
            out.put("unsent", r.unsent());
            out.put("topic", Topic.devicePrefix(site, line, deviceId));
        }
        if (!jsonOnly) {
            System.out.printf("winnow-agent: %d of %d contaminants captured (%.1f %%), %d pulses, %d spurious%n",
                    result.captured(), result.contaminants(), 100 * result.captureRate(), result.pulses(),
                    result.spuriousPulses());
            System.out.printf("winnow-agent: %d escaped, %d of them shown by no camera%n", result.escaped(),
                    unseen);
            System.out.println("winnow-agent: machine " + r.hostLoad());
        }
        System.out.println(WireCodec.mapper().writeValueAsString(out));
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException alreadyStopping) {
            // the hook is running: it is waiting for us and returns now
        }
        return 0;
    }

    /** The scenario at another belt speed, with the same load per second or per metre of belt. */
    static Scenario atSpeed(final Scenario s, final double mps, final boolean perMetre) {
        final double f = perMetre ? mps / s.belt().speedMps() : 1;
        final Scenario.Product p = s.product();
        final Scenario.Contaminants c = s.contaminants();
        return new Scenario(s.name(), s.seed(), s.durationSeconds(), s.belt().withSpeed(mps),
                new Scenario.Product(p.tuftsPerSecond() * f, p.tuftMinMm(), p.tuftMaxMm(), p.shadeVariation(),
                        p.density()),
                new Scenario.Contaminants(c.perSecond() * f, c.mix(), c.sizeScale(), c.palettes()), s.cameras(),
                s.nozzleBar(), s.lighting());
    }

    private static double round(final double v, final int decimals) {
        final double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    /**
     * One row per judged contaminant: its outcome and, per camera, how many pixels show it and by how much at most
     * (escapes reuse the sights already taken for them). Says how plainly the cameras showed what was caught and what
     * escaped.
     */
    private static void writeSights(final Scenario sc, final Judgement judgement,
                                    final java.util.Map<Long, java.util.List<Visibility.Sight>> known, final Path file)
            throws java.io.IOException {
        final StringBuilder csv = new StringBuilder("item,class,outcome,along_mm,length_mm,shown");
        for (final Scenario.CameraSpec c : sc.cameras()) {
            csv.append(',').append(c.id()).append("_px,").append(c.id()).append("_max_levels");
        }
        csv.append('\n');
        for (final Judgement.ItemVerdict v : judgement.verdicts()) {
            if (v.outcome() == Judgement.Outcome.COLLATERAL) {
                continue;
            }
            final BeltItem it = v.item();
            final java.util.List<Visibility.Sight> s = known.containsKey(it.id()) ? known.get(it.id())
                    : Visibility.DEFAULT.sights(sc, it);
            csv.append(String.format(java.util.Locale.ROOT, "%d,%s,%s,%.1f,%.1f,%b", it.id(), it.cls().wireName(),
                    v.outcome().name().toLowerCase(java.util.Locale.ROOT), it.alongMm(), it.lengthMm(),
                    s.stream().anyMatch(Visibility.DEFAULT::shown)));
            for (final Visibility.Sight one : s) {
                csv.append(',').append(one.pixels()).append(',').append(one.maxLevels());
            }
            csv.append('\n');
        }
        java.nio.file.Files.writeString(file, csv);
    }

    private static void checkOutputFile(final String option, final Path file) {
        if (file == null) {
            return;
        }
        final Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !java.nio.file.Files.isDirectory(parent) || java.nio.file.Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + ": not a file in an existing folder");
        }
    }

    private static void checkName(final String option, final String value) {
        if (!Topic.NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(option + " '" + value + "' must match " + Topic.NAME.pattern());
        }
    }

    /**
     * The CLASS=VALUE pairs of a per-class option, each a number in [min, max]; an error names the option, the class
     * and what was expected ({@code what}, e.g. "a whole number"; {@code unit} follows the range).
     */
    private static java.util.Map<String, Double> perClass(final String option, final java.util.Map<String, String> given,
                                                          final double min, final double max, final String unit,
                                                          final String what) {
        final boolean whole = what.equals("a whole number");
        final java.util.Map<String, Double> out = new java.util.TreeMap<>();
        for (final java.util.Map.Entry<String, String> e : given.entrySet()) {
            final double v;
            try {
                v = whole ? Integer.parseInt(e.getValue()) : Double.parseDouble(e.getValue());
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException(option + " " + e.getKey() + ": '" + e.getValue() + "' is not "
                        + what);
            }
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(option + " " + e.getKey() + " must be in [" + format(min) + ", "
                        + format(max) + "]" + unit);
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static String format(final double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
