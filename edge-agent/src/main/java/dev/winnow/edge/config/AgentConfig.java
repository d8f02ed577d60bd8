package dev.winnow.edge.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration for {@code winnow-agent run --config FILE}: read strictly by
 * {@link ConfigLoader}. See edge-agent/README.md and hardware/agent.yaml for an example.
 */
public record AgentConfig(String site, String line, String device, Hardware hardware, List<Camera> cameras,
                          Line lineSettings, Mqtt mqtt, Models models) {

    /** Where the valves, encoder, stack light and interlocks are: a Pi's GPIO, Pi4J's mock, or the virtual line. */
    public enum Hardware { PI, MOCK, VIRTUAL }

    public enum CameraKind { COLOUR, UV }

    public enum SourceType { V4L2, URL, FILE, FOLDER, VIRTUAL }

    /** What the line does when a camera stalls, inference fails or an interlock opens. */
    public enum FailSafe { ALARM, REJECT_ALL, STOP_LINE }

    /**
     * @param device v4l2 device path or index; url for rtsp/http; path for file/folder; scenario for virtual
     * @param crop   the region of the camera's pixels kept, before scaling to {@code width} x {@code height}; null
     *               keeps the whole picture
     */
    public record Source(SourceType type, String device, String url, Path path, String scenario, double fps,
                         int width, int height, boolean loop, dev.winnow.edge.camera.FrameShape.Crop crop) {
    }

    public record Camera(String id, CameraKind kind, Source source, double[] calibrationPixels,
                         double[] calibrationBelt, Path model, int threads, boolean audit, boolean classical) {
    }

    public record NozzleBar(double positionMm, int count, double pitchMm, double leftEdgeMm, double latencyMs,
                            double marginAlongMm, double marginAcrossMm, double maxOnMs, double mergeGapMs) {
    }

    /**
     * Sightings per class by default ({@code decision.minSightingsByClass}): the shipped models' classes that they
     * most often see where there is none. On the virtual line (fast-belt, 3 m/s, 60 fps, a colour view 375 mm long)
     * a real feather is seen in 6-9 frames (colour only) and a real film in 16-26 (both cameras), false feathers in
     * 3-7. Feathers are also asked to be followed over some belt travel ({@link #DEFAULT_SEEN_OVER_MM_BY_CLASS}), so
     * their frame count stays low enough for a faster belt (4 frames: a feather spends 4 in view at 5 m/s).
     */
    public static final Map<String, Integer> DEFAULT_SIGHTINGS_BY_CLASS = Map.of("feather", 4, "plastic_film", 8);

    /**
     * Belt travel per class by default ({@code decision.minSeenOverMmByClass}) over which an object must have been
     * followed, besides its sightings: a real feather is followed over 250-400 mm of the colour camera's 375 mm view
     * at any belt speed. Alone, the travel rule let 8-10 false feathers a run through on fast-belt (a false track is
     * often seen in a few frames with gaps between them, which spans as much travel as a real feather seen in every
     * frame); alone, 6 sightings cut real feathers at 4 m/s. Together (4 sightings over 240 mm) capture stayed
     * 0.99-1.0 from 3 to 5 m/s (BENCHMARKS.md, edge).
     *
     * <p>A film must be followed over 600 mm: further than the colour camera alone can follow anything (its 375 mm
     * view plus the longest film), less than the UV camera's 750 mm view. So a film is fired only when the UV camera
     * saw it too, or saw it alone: a thin translucent tuft looks like film to a colour camera at 2 mm per pixel (the
     * colour model calls one with 0.97 confidence in every fast-belt run), but only plastic fluoresces. On fast-belt
     * every real film was followed over 990-1520 mm (both cameras), the false one over 350 mm.
     */
    public static final Map<String, Double> DEFAULT_SEEN_OVER_MM_BY_CLASS = Map.of("feather", 230.0,
            "plastic_film", 600.0);

    /**
     * Mean confidence per class by default ({@code decision.sureMeanConfidenceByClass}) at which an object is acted
     * on after the line's own {@code minSightings}, without its class's extra sightings, followed travel and mean
     * confidence: those demands hold back the many feathers the colour model half-sees in tufts of cotton, but a
     * feather the model names at 0.9 or more in every frame that sees it is not one of them. On fast-belt (13 runs,
     * shipped models) 5 real feathers held back by the travel or sightings rules had a mean of 0.945-0.998 over 2-4
     * sightings; no false feather track reached 0.9 over two or more (BENCHMARKS.md, edge, eleventh session).
     */
    public static final Map<String, Double> DEFAULT_SURE_MEAN_CONFIDENCE_BY_CLASS = Map.of("feather", 0.9);

    /**
     * @param speedMps          fixed belt speed; used for timing when there is no encoder
     * @param encoder           true: belt position from the encoder
     * @param encoderMmPerCount belt travel per encoder count
     */
    public record Line(double beltWidthMm, double speedMps, boolean encoder, double encoderMmPerCount,
                       NozzleBar nozzleBar, double minConfidence, int minSightings, double trackGateMm,
                       FailSafe failSafe, boolean audit, double stallTimeoutMs, double escapeAlarmRate,
                       double statsIntervalSeconds, boolean realtimeTimer, Map<String, Integer> minSightingsByClass,
                       Map<String, Double> minSeenOverMmByClass, Map<String, Double> minMeanConfidenceByClass,
                       Map<String, Double> sureMeanConfidenceByClass) {
        public Line {
            minSightingsByClass = Map.copyOf(minSightingsByClass);
            minSeenOverMmByClass = Map.copyOf(minSeenOverMmByClass);
            minMeanConfidenceByClass = Map.copyOf(minMeanConfidenceByClass);
            sureMeanConfidenceByClass = Map.copyOf(sureMeanConfidenceByClass);
        }
    }

    /**
     * The link to the control server. {@code httpUrl}, nullable: the server's web address, where each rejection's
     * picture is sent (without it, rejections travel without pictures).
     */
    public record Mqtt(String url, String username, String password, Path stateDir, String httpUrl) {
    }

    /**
     * Model rollouts. {@code signingKey}: the server's model-signing public key (the JSON of
     * {@code GET /api/models/signing-key}, PEM, Base64 or DER X.509); default {@code {stateDir}/model-signing.pub}
     * when that file exists, else null (every {@code deploy-model} is refused). {@code store}: where deployed
     * models are kept, default {@code {stateDir}/models}.
     */
    public record Models(Path signingKey, Path store) {
    }
}
