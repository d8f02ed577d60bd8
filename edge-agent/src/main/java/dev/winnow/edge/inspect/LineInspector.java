package dev.winnow.edge.inspect;

import dev.winnow.edge.belt.Homography;
import dev.winnow.edge.camera.FallingBehind;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.edge.eject.EjectionPlanner;
import dev.winnow.edge.eject.PlannedPulse;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.edge.track.BeltDetection;
import dev.winnow.edge.track.Tracker;
import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Stats;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The line's one decision point: every camera's detections arrive here, are placed on the belt,
 * fused into objects, and each contaminant gets exactly one rejection. Thread-safe: camera
 * pipelines call {@link #accept} concurrently.
 */
public final class LineInspector {

    /**
     * Per-line decision settings.
     *
     * @param minConfidence   an object is acted on once its (fused) confidence reaches this
     * @param trackGateMm     how far apart two sightings may be and still be one object
     * @param audit           the whole line detects and reports but never fires
     * @param minSightings    sightings (frames, any camera) before an object is acted on: one-frame
     *                        noise never fires a valve
     * @param escapeAlarmRate alarm when more than this fraction of the last {@code escapeWindow}
     *                        decisions came too late
     * @param escapeWindow    decisions in the escape-rate window
     * @param minSightingsByClass per class (the object's class), sightings needed instead of {@code minSightings}:
     *                        a class the model often sees where there is none (a grey feather in a tuft of cotton)
     *                        must be seen in more frames than a class it rarely imagines; never null
     * @param minSeenOverMmByClass per class, the belt travel over which an object must have been followed (first to
     *                        latest sighting) before it is acted on, in addition to its sightings: the same demand
     *                        at every belt speed and frame rate; never null
     * @param minMeanConfidenceByClass per class, the mean confidence over all its sightings an object must have
     *                        before it is acted on, besides its peak ({@code minConfidence}): a real object is seen
     *                        confidently frame after frame, an imagined one (a feather in a tuft) now and then. The
     *                        line's own setting: a class set here overrides the rule of the model that named the
     *                        object ({@link LineInspector#setModelRules}); never null
     * @param sureMeanConfidenceByClass per class, the mean confidence at which an object is acted on once it has the
     *                        line's {@code minSightings}, without its class's extra sightings, followed travel and
     *                        mean confidence: those demands are for objects the model half-sees, not for one it
     *                        names confidently frame after frame; never null (no class: no such shortcut)
     */
    public record Settings(String deviceId, double minConfidence, double trackGateMm, boolean audit,
                           int minSightings, double escapeAlarmRate, int escapeWindow,
                           Map<String, Integer> minSightingsByClass, Map<String, Double> minSeenOverMmByClass,
                           Map<String, Double> minMeanConfidenceByClass, Map<String, Double> sureMeanConfidenceByClass) {
        public Settings {
            minSightingsByClass = Map.copyOf(minSightingsByClass);
            minSeenOverMmByClass = Map.copyOf(minSeenOverMmByClass);
            minMeanConfidenceByClass = Map.copyOf(minMeanConfidenceByClass);
            sureMeanConfidenceByClass = Map.copyOf(sureMeanConfidenceByClass);
        }

        public Settings(final String deviceId, final double minConfidence, final double trackGateMm,
                        final boolean audit, final int minSightings, final double escapeAlarmRate,
                        final int escapeWindow, final Map<String, Integer> minSightingsByClass,
                        final Map<String, Double> minSeenOverMmByClass,
                        final Map<String, Double> minMeanConfidenceByClass) {
            this(deviceId, minConfidence, trackGateMm, audit, minSightings, escapeAlarmRate, escapeWindow,
                    minSightingsByClass, minSeenOverMmByClass, minMeanConfidenceByClass, Map.of());
        }

        public Settings(final String deviceId, final double minConfidence, final double trackGateMm,
                        final boolean audit, final int minSightings, final double escapeAlarmRate,
                        final int escapeWindow, final Map<String, Integer> minSightingsByClass,
                        final Map<String, Double> minSeenOverMmByClass) {
            this(deviceId, minConfidence, trackGateMm, audit, minSightings, escapeAlarmRate, escapeWindow,
                    minSightingsByClass, minSeenOverMmByClass, Map.of());
        }

        public Settings(final String deviceId, final double minConfidence, final double trackGateMm,
                        final boolean audit, final int minSightings, final double escapeAlarmRate,
                        final int escapeWindow, final Map<String, Integer> minSightingsByClass) {
            this(deviceId, minConfidence, trackGateMm, audit, minSightings, escapeAlarmRate, escapeWindow,
                    minSightingsByClass, Map.of());
        }

        public Settings(final String deviceId, final double minConfidence, final double trackGateMm,
                        final boolean audit, final int minSightings, final double escapeAlarmRate,
                        final int escapeWindow) {
            this(deviceId, minConfidence, trackGateMm, audit, minSightings, escapeAlarmRate, escapeWindow, Map.of());
        }

        public Settings(final String deviceId, final double minConfidence, final double trackGateMm,
                        final boolean audit) {
            this(deviceId, minConfidence, trackGateMm, audit, 2, 0.02, 100);
        }

        /** Sightings an object of class {@code cls} needs before it is acted on. */
        public int minSightings(final String cls) {
            final Integer n = minSightingsByClass.get(cls);
            return n == null ? minSightings : n;
        }

        /** Mean confidence an object of class {@code cls} needs over its sightings; 0 when none is set. */
        public double minMeanConfidence(final String cls) {
            return minMeanConfidence(cls, Map.of());
        }

        /**
         * Mean confidence an object of class {@code cls} needs: this line's setting for the class when there is one,
         * else {@code modelRule}'s (the rule of the model that named the object), else 0.
         */
        public double minMeanConfidence(final String cls, final Map<String, Double> modelRule) {
            Double c = minMeanConfidenceByClass.get(cls);
            if (c == null) {
                c = modelRule.get(cls);
            }
            return c == null ? 0 : c;
        }

        /**
         * True when the object has the line's own sightings and its class's sure mean confidence: it is acted on
         * without the class's further demands (see {@code sureMeanConfidenceByClass}).
         */
        public boolean sure(final dev.winnow.edge.track.TrackedObject o) {
            final Double c = sureMeanConfidenceByClass.get(o.cls());
            return c != null && o.sightings() >= minSightings && o.meanConfidence() >= c;
        }

        /**
         * True when the object may be acted on: the same rules as {@link #shortOf}, without building the text (this
         * runs for every detection).
         */
        public boolean passes(final dev.winnow.edge.track.TrackedObject o, final Map<String, Double> modelRule) {
            if (o.confidence() < minConfidence) {
                return false;
            }
            return sure(o) || o.sightings() >= minSightings(o.cls()) && o.seenOverMm() >= minSeenOverMm(o.cls())
                    && o.meanConfidence() >= minMeanConfidence(o.cls(), modelRule);
        }

        /** Belt travel over which an object of class {@code cls} must have been followed; 0 when none is set. */
        public double minSeenOverMm(final String cls) {
            final Double mm = minSeenOverMmByClass.get(cls);
            return mm == null ? 0 : mm;
        }

        /**
         * @return the first rule the object falls short of, as a person reads it (e.g. {@code sightings 3 < 4}),
         *         or null when it passes them all
         */
        public String shortOf(final dev.winnow.edge.track.TrackedObject o) {
            return shortOf(o, Map.of());
        }

        /** {@link #shortOf(dev.winnow.edge.track.TrackedObject)} with the rule of the model that named the object. */
        public String shortOf(final dev.winnow.edge.track.TrackedObject o, final Map<String, Double> modelRule) {
            if (o.confidence() < minConfidence) {
                return String.format(java.util.Locale.ROOT, "confidence %.2f < %.2f", o.confidence(), minConfidence);
            }
            if (sure(o)) {
                return null;
            }
            if (o.sightings() < minSightings(o.cls())) {
                return "sightings " + o.sightings() + " < " + minSightings(o.cls());
            }
            if (o.seenOverMm() < minSeenOverMm(o.cls())) {
                return String.format(java.util.Locale.ROOT, "seen over %.0f mm < %.0f", o.seenOverMm(),
                        minSeenOverMm(o.cls()));
            }
            if (o.meanConfidence() < minMeanConfidence(o.cls(), modelRule)) {
                return String.format(java.util.Locale.ROOT, "mean confidence %.2f < %.2f", o.meanConfidence(),
                        minMeanConfidence(o.cls(), modelRule));
            }
            return null;
        }
    }

    private final Settings settings;
    private final Map<String, Homography> calibration;
    private final EjectionPlanner planner;
    private final ValveScheduler scheduler;
    private final LineClock clock;
    private final Clock wallClock;
    private final BeltEncoder encoder;
    private final DoubleSupplier speedMmPerSecond;
    private final Consumer<RejectEvent> rejections;
    private final Tracker tracker;
    private final LineCounters counters = new LineCounters();
    private final String idPrefix;
    private long totalRejections;
    private final Map<String, Long> rejectionsByClass = new java.util.TreeMap<>();
    private long totalEscapes;
    private long totalLate;
    private long sequence;
    private volatile String lot;
    private volatile boolean audit;
    private Instant intervalStart;
    private final LatencyWindow totalLatency = new LatencyWindow(1 << 16);
    private long totalDropped;
    private long totalFrames;
    private final java.util.Set<String> auditCameras = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final boolean[] escapeRing;
    private int escapeRingPos;
    private int escapeRingCount;
    private volatile boolean escapeAlarm;
    private volatile Consumer<String> alarms = reason -> { };
    private volatile FallingBehind.Listener behindListener = (camera, behind, why) -> { };
    private final FallingBehind fallingBehind = new FallingBehind(
            (camera, behind, why) -> behindListener.changed(camera, behind, why));
    private volatile Consumer<Decision> decisions = d -> { };
    /**
     * Decided objects whose pulse is not yet with the scheduler, oldest first. An object is decided as soon as
     * it has been seen enough, often while it is still entering the first view and its box is a partial or a
     * noisy one; it keeps being seen for hundreds of millimetres after that. Its pulse is planned from the
     * latest estimate when its opening comes within {@link #commitLeadNanos}: once scheduled, a pulse can only
     * grow (the scheduler merges), so lanes planned from an early, wide box would fire beside the object.
     */
    private final List<Uncommitted> uncommitted = new ArrayList<>();
    private volatile long commitLeadNanos = DEFAULT_COMMIT_LEAD_NANOS;

    /**
     * How long before its opening a pulse is handed to the scheduler: long enough for the hand-off to be safe
     * when the decision thread is held up (a GC pause, a busy core), and short enough that every camera has seen
     * the object by then at production belt speeds (the last view ends 750 mm before the bar on the shipped
     * lines; 100 ms is 300 mm at 3 m/s and 550 mm at 5.5 m/s).
     */
    public static final long DEFAULT_COMMIT_LEAD_NANOS = 100_000_000L;

    /** One decision, for diagnostics: the tracked object (it keeps growing afterwards) and its first pulse. */
    public record Decision(dev.winnow.edge.track.TrackedObject object, PlannedPulse pulse, long nanos,
                           double travelMm) {
    }

    /**
     * An object that left the cameras' reach without a decision, for diagnostics.
     *
     * @param shortOf the first decision rule it fell short of ({@link Settings#shortOf}), or null when it met them
     *                all (it was never seen by a live camera, or audit mode held it)
     */
    public record Undecided(dev.winnow.edge.track.TrackedObject object, String shortOf) {
    }

    /** A rejection with the frame and the detection that decided it: what its picture is cut from. */
    public record RejectPicture(String eventId, Frame frame, PixelDetection detection) {
    }

    private volatile Consumer<RejectPicture> pictures = p -> { };

    /**
     * Told of every rejection with the frame that decided it, on the decision thread, after the event went to
     * the uplink: keep it cheap (copy what is needed and return).
     */
    public void onRejectPicture(final Consumer<RejectPicture> listener) {
        this.pictures = listener;
    }

    /** Diagnostics only: told of every decision (on the decision thread; keep it cheap). */
    public void onDecision(final Consumer<Decision> listener) {
        this.decisions = listener;
    }

    private volatile Consumer<dev.winnow.edge.track.TrackedObject> undecided = o -> { };

    /**
     * Diagnostics only: told of every object that left the cameras' reach without a decision (on the decision
     * thread; keep it cheap). Why it was not acted on is {@link #shortOf}.
     */
    public void onUndecided(final Consumer<dev.winnow.edge.track.TrackedObject> listener) {
        this.undecided = listener;
    }

    private volatile java.util.function.Function<String, Map<String, Double>> modelRules = camera -> Map.of();

    /**
     * Where the rules of the models come from: for a camera id, the per-class mean confidence its model in use asks
     * for (its card's {@code decision.minMeanConfidence}). Asked at every decision, so a model deployed or rolled
     * back brings its rule with it from its first frame. An object follows the rule of the model that named it (the
     * camera of its most confident sighting); a class the line's settings name keeps the line's value.
     */
    public void setModelRules(final java.util.function.Function<String, Map<String, Double>> byCamera) {
        this.modelRules = java.util.Objects.requireNonNull(byCamera, "byCamera");
    }

    /** The first decision rule the object falls short of, as a person reads it, or null when it meets them all. */
    public String shortOf(final dev.winnow.edge.track.TrackedObject o) {
        return settings.shortOf(o, modelRules.apply(o.camera()));
    }

    public LineInspector(final Settings settings, final Map<String, Homography> calibration,
                         final EjectionPlanner planner, final ValveScheduler scheduler, final LineClock clock,
                         final Clock wallClock, final BeltEncoder encoder, final DoubleSupplier speedMmPerSecond,
                         final Consumer<RejectEvent> rejections) {
        this.settings = settings;
        this.calibration = Map.copyOf(calibration);
        this.planner = planner;
        this.scheduler = scheduler;
        this.clock = clock;
        this.wallClock = wallClock;
        this.encoder = encoder;
        this.speedMmPerSecond = speedMmPerSecond;
        this.rejections = rejections;
        this.tracker = new Tracker(settings.trackGateMm());
        this.audit = settings.audit();
        // Ids stay unique across restarts: the boot instant is part of every id.
        this.idPrefix = settings.deviceId() + "-" + Long.toString(wallClock.millis(), 36) + "-";
        this.intervalStart = wallClock.instant();
        this.escapeRing = new boolean[Math.max(1, settings.escapeWindow())];
    }

    /**
     * How long before its opening a decided object's pulse is planned for good and handed to the scheduler; 0 plans
     * it once, at the decision (every later sighting can then only widen it). {@link #commitDue} must be called
     * at least every few milliseconds (each frame calls it too).
     */
    public void setCommitLeadNanos(final long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("commit lead must be >= 0 ns, got " + nanos);
        }
        this.commitLeadNanos = nanos;
    }

    /** Decided objects whose pulse is still being refined (not yet with the scheduler). */
    public synchronized int uncommittedPulses() {
        return uncommitted.size();
    }

    /**
     * Hands to the scheduler every decided pulse whose opening is within the commit lead, planned from the object's
     * latest estimate. A line switched to audit since the decision fires nothing. An object that has passed the bar
     * meanwhile (the thread calling this was held up for longer than the lead) is counted as an escape.
     */
    public synchronized void commitDue() {
        if (uncommitted.isEmpty()) {
            return;
        }
        final long now = clock.nanos();
        final java.util.Iterator<Uncommitted> it = uncommitted.iterator();
        while (it.hasNext()) {
            final Uncommitted u = it.next();
            final dev.winnow.edge.track.TrackedObject o = u.object();
            if (audit) {
                // switched to audit since the decision: report what would have fired, fire nothing
                it.remove();
                if (u.rejection() != null) {
                    rejections.accept(u.rejection().event(o, planNow(o), true));
                }
                continue;
            }
            final PlannedPulse p = planNow(o);
            if (p == null) {
                it.remove();
                counters.escapes++;
                totalEscapes++;
                if (u.rejection() != null) {
                    rejections.accept(u.rejection().event(o, null, false));
                }
                continue;
            }
            if (p.openNanos() - now <= commitLeadNanos) {
                it.remove();
                commit(o, p, u.rejection());
            }
        }
    }

    private void commit(final dev.winnow.edge.track.TrackedObject o, final PlannedPulse p, final Rejection rejection) {
        o.markCommitted();
        scheduler.schedule(p.firstValve(), p.lastValve(), p.openNanos(), p.closeNanos());
        if (rejection != null) {
            rejections.accept(rejection.event(o, p, false));
        }
    }

    /**
     * Schedules the object's pulse now, or keeps refining it until it is due (see {@link #uncommitted}).
     *
     * @param rejection the rejection to report when the pulse is committed; null when it was reported already
     */
    private void commitOrDefer(final dev.winnow.edge.track.TrackedObject o, final PlannedPulse p,
                               final Rejection rejection) {
        if (commitLeadNanos == 0 || p.openNanos() - clock.nanos() <= commitLeadNanos) {
            commit(o, p, rejection);
        } else {
            uncommitted.add(new Uncommitted(o, rejection));
        }
    }

    /** Told (with a reason) when the escape rate rises above the alarm threshold, and when it clears. */
    public void onAlarm(final Consumer<String> listener) {
        this.alarms = listener;
    }

    /** Told when a camera's inference falls behind it (too many frames dropped) and when it keeps up again. */
    public void onFallingBehind(final FallingBehind.Listener listener) {
        this.behindListener = listener;
    }

    /** True while the escape rate is above the alarm threshold. */
    public boolean escapeAlarm() {
        return escapeAlarm;
    }

    /** Audit one camera: its sightings are reported, and fire nothing unless a live camera also sees the object. */
    public void setCameraAudit(final String camera, final boolean audit) {
        if (audit) {
            auditCameras.add(camera);
        } else {
            auditCameras.remove(camera);
        }
    }

    public boolean cameraAudit(final String camera) {
        return auditCameras.contains(camera);
    }

    public void setLot(final String lot) {
        this.lot = lot;
    }

    public void setAudit(final boolean audit) {
        this.audit = audit;
    }

    public boolean audit() {
        return audit;
    }

    public synchronized void frameDropped(final String camera) {
        counters.droppedFrames++;
        totalDropped++;
        fallingBehind.dropped(camera);
    }

    /** Places a frame's detections on the belt and decides. */
    public synchronized void accept(final Frame frame, final List<PixelDetection> detections, final String model) {
        counters.frames++;
        totalFrames++;
        fallingBehind.inspected(frame.camera());
        final boolean liveCamera = !auditCameras.contains(frame.camera());
        final Homography h = calibration.get(frame.camera());
        if (h == null) {
            throw new IllegalStateException("camera '" + frame.camera() + "' has no calibration");
        }
        final double mmPerCount = encoder.mmPerCount();
        final double travelAtCapture = frame.encoderCount() * mmPerCount;
        for (final PixelDetection d : detections) {
            counters.detections.merge(d.cls(), 1L, Long::sum);
            final double x0 = d.x();
            final double y0 = d.y();
            final double x1 = d.x() + d.width();
            final double y1 = d.y() + d.height();
            final double a0 = h.across(x0, y0);
            final double a1 = h.across(x1, y1);
            final double w0 = h.along(x0, y0);
            final double w1 = h.along(x1, y1);
            final double across = (a0 + a1) / 2;
            final double world = (w0 + w1) / 2;
            // A box touching the frame's top or bottom row was cut off by the view: its extent across is partial.
            final boolean whole = y0 > 1 && y1 < frame.height() - 1;
            final BeltDetection onBelt = new BeltDetection(frame.camera(), d.cls(), d.confidence(),
                    travelAtCapture - world, across, Math.abs(a1 - a0), Math.abs(w1 - w0), frame.captureNanos(),
                    whole, travelAtCapture);
            final Tracker.Update update = tracker.add(onBelt, liveCamera);
            if (update.isNew()) {
                counters.objects++;
            }
            final dev.winnow.edge.track.TrackedObject o = update.object();
            if (!settings.passes(o, modelRules.apply(o.camera()))) {
                continue;
            }
            if (!o.decided()) {
                decide(o, frame, d, model);
            } else if (o.decidedAudit() && o.live() && !audit) {
                // An audit camera decided it; now a live camera confirms it: fire.
                o.markLiveDecided();
                final PlannedPulse p = planNow(o);
                if (p != null) {
                    commitOrDefer(o, p, null);
                }
            } else if (update.grew() && !audit && !o.decidedAudit() && o.committed()) {
                // A later sighting showed more of the object: extend its pulse (the scheduler merges).
                final PlannedPulse p = planNow(update.object());
                if (p != null) {
                    scheduler.schedule(p.firstValve(), p.lastValve(), p.openNanos(), p.closeNanos());
                }
            }
        }
        commitDue();
        final double travelNow = encoder.count() * mmPerCount;
        tracker.forgetBefore(travelNow - planner.bar().positionMm() - 2_000, undecided);
    }

    private PlannedPulse planNow(final dev.winnow.edge.track.TrackedObject o) {
        final long now = clock.nanos();
        final double travelNow = encoder.count() * encoder.mmPerCount();
        return planner.plan(o.alongMm(), o.lengthMm(), o.acrossMm(), o.widthMm(), now, travelNow,
                speedMmPerSecond.getAsDouble());
    }

    private void decide(final dev.winnow.edge.track.TrackedObject o, final Frame frame, final PixelDetection seen,
                        final String model) {
        tracker.decided(o);
        final PlannedPulse p = planNow(o);
        decisions.accept(new Decision(o, p, clock.nanos(), encoder.count() * encoder.mmPerCount()));
        final long latency = clock.nanos() - frame.captureNanos();
        counters.latency.add(latency);
        totalLatency.add(latency);
        if (p == null) {
            counters.escapes++;
            counters.lateDecisions++;
            totalEscapes++;
            totalLate++;
            escapeOutcome(true);
            return;
        }
        if (p.late()) {
            counters.lateDecisions++;
            totalLate++;
        }
        escapeOutcome(p.late());
        final boolean auditNow = audit || !o.live();
        if (auditNow) {
            o.markAuditDecided();
        }
        counters.rejections.merge(o.cls(), 1L, Long::sum);
        totalRejections++;
        rejectionsByClass.merge(o.cls(), 1L, Long::sum);
        final Rejection rejection = new Rejection(idPrefix + (++sequence), wallClock.instant(), o.camera(), o.cls(),
                o.confidence(), model, lot);
        if (auditNow) {
            rejections.accept(rejection.event(o, p, true));
        } else {
            commitOrDefer(o, p, rejection);
        }
        // The picture is cut now, from the frame that decided (the frame's pixels are not kept): the server
        // holds it until its event arrives.
        pictures.accept(new RejectPicture(rejection.id(), frame, seen));
    }

    /**
     * A rejection as decided: what decided it (camera, class, confidence: as counted in the line's rejections). The
     * event is sent when the pulse is committed, so that it names the valves that really fire, with the object's
     * latest position and size.
     */
    private record Rejection(String id, Instant time, String camera, String cls, double confidence, String model,
                             String lot) {
        RejectEvent event(final dev.winnow.edge.track.TrackedObject o, final PlannedPulse p, final boolean audit) {
            final List<Integer> valves = new ArrayList<>(p == null ? 0 : p.lastValve() - p.firstValve() + 1);
            if (p != null) {
                for (int v = p.firstValve(); v <= p.lastValve(); v++) {
                    valves.add(v);
                }
            }
            return new RejectEvent(id, time, camera, cls, Math.min(1.0, Math.max(0.0, confidence)), o.alongMm(),
                    o.acrossMm(), o.widthMm(), o.lengthMm(), valves, p == null ? 0 : p.durationMs(), audit, model, lot,
                    null);
        }
    }

    /** A decided object whose pulse is not yet with the scheduler; {@code rejection} null when already reported. */
    private record Uncommitted(dev.winnow.edge.track.TrackedObject object, Rejection rejection) {
    }

    private void escapeOutcome(final boolean escaped) {
        escapeRing[escapeRingPos] = escaped;
        escapeRingPos = (escapeRingPos + 1) % escapeRing.length;
        escapeRingCount = Math.min(escapeRingCount + 1, escapeRing.length);
        int n = 0;
        for (int i = 0; i < escapeRingCount; i++) {
            if (escapeRing[i]) {
                n++;
            }
        }
        final double rate = (double) n / escapeRing.length;
        final boolean raised = n > 0 && rate > settings.escapeAlarmRate();
        if (raised != escapeAlarm) {
            escapeAlarm = raised;
            alarms.accept(raised ? String.format("escape rate %.1f %% of the last %d decisions (alarm above %.1f %%)",
                    100 * rate, escapeRing.length, 100 * settings.escapeAlarmRate()) : "escape rate back to normal");
        }
    }

    /** Capture-to-decision latency since start, ms: {p50, p99}. */
    public synchronized double[] totalLatencyMs() {
        return totalLatency.percentilesMs();
    }

    public synchronized long totalDroppedFrames() {
        return totalDropped;
    }

    public synchronized long totalFrames() {
        return totalFrames;
    }

    /** Counters since the previous snapshot, as the wire's stats message; resets the interval. */
    public synchronized Stats snapshot(final long valveCycles, final double fps, final long outboxDepth,
                                       final Double cpuTemperatureC, final boolean fault) {
        final Instant now = wallClock.instant();
        final double[] lat = counters.latency.percentilesMs();
        // the stamp clock can move back once (the agent starts correcting a Pi's clock by the server's): the counts
        // stand, in an interval that ends where it starts rather than one the server would refuse
        final Instant from = intervalStart.isAfter(now) ? now : intervalStart;
        final Stats stats = new Stats(from, now, fault ? Stats.Mode.FAULT : audit ? Stats.Mode.AUDIT
                : Stats.Mode.RUNNING, counters.frames, counters.droppedFrames, counters.objects,
                Map.copyOf(counters.detections), Map.copyOf(counters.rejections), counters.escapes,
                counters.lateDecisions, lat[0], lat[1], valveCycles, fps, outboxDepth, cpuTemperatureC, lot);
        counters.reset();
        intervalStart = now;
        return stats;
    }

    public synchronized long totalRejections() {
        return totalRejections;
    }

    /** Rejections per class since start. */
    public synchronized Map<String, Long> totalRejectionsByClass() {
        return Map.copyOf(rejectionsByClass);
    }

    public synchronized long totalEscapes() {
        return totalEscapes;
    }

    public synchronized long totalLateDecisions() {
        return totalLate;
    }

    public synchronized long objects() {
        return tracker.objects();
    }
}
