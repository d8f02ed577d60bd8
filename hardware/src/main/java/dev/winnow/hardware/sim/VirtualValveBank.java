package dev.winnow.hardware.sim;

import dev.winnow.hardware.valve.ValveBank;
import dev.winnow.hardware.valve.Valves;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The virtual nozzle bar: a {@link ValveBank} that records every open/close against the line clock
 * and judges what the air actually hit.
 *
 * <h2>Physics</h2>
 * Air reaches the belt {@code latencyMs} (+ seeded Gaussian jitter, per edge, clipped at 3 sigma)
 * after a command. While air flows, the jet covers world positions {@code bar +- footprint/2}
 * along the belt, so a pulse sweeps belt-surface coordinates
 * {@code [travel(jetStart) - bar - fp/2, travel(jetEnd) - bar + fp/2]}. Across, valve {@code i}
 * covers {@code [i*pitch, (i+1)*pitch)}, widened symmetrically to the footprint when the footprint
 * is larger than the pitch.
 *
 * <h2>Judgement</h2>
 * Each item is sampled at 21 points: a 7 x 3 grid over its oriented rectangle (7 along its major axis),
 * or, for strings, twine, fibres and straw, 21 points along the line as the camera draws it (a wavy
 * string fills little of its rectangle). An item is <em>blown off</em> when at least 11 of those 21
 * points (just over half its area or length) were under some jet at some time. A contaminant is judged once it has fully passed the jet zone
 * (its upstream-most point is downstream of {@code bar + fp/2}): captured if blown off, escaped
 * otherwise. A blown-off tuft is collateral. A pulse that touched no contaminant is spurious: touched means
 * the jet covered any of it as the cameras draw it (a line within half its stroke, any pixel of a film's or a
 * feather's sprite), not only a sample point.
 *
 * <p>Memory stays bounded on long runs: judged items are folded into counters and only the last
 * {@link #MAX_RECORDS} pulses and verdicts are kept. Thread-safe. Switching a valve only logs the
 * edge with its time; the judging happens later, so the caller's timing is not disturbed.
 */
public final class VirtualValveBank implements ValveBank {

    /** How many pulse records and item verdicts are retained for {@link #judge()}. */
    public static final int MAX_RECORDS = 100_000;

    private static final int GRID_ALONG = 7;
    private static final int GRID_ACROSS = 3;
    private static final int CAPTURE_POINTS = 11;

    private final VirtualLine line;
    private final Scenario.NozzleBar bar;
    private final long latencyNanos;
    private final boolean[] open;
    private final long[] openedAt;
    private final int[] pulseIndex;
    private final double[] provisionalTo;
    private final ArrayDeque<PulseRecord> records = new ArrayDeque<>();
    private final ArrayDeque<Judgement.ItemVerdict> verdicts = new ArrayDeque<>();
    private final Map<Long, Touch> touches = new HashMap<>();
    private final Map<ContaminantClass, Long> capturedByClass = new EnumMap<>(ContaminantClass.class);
    private final Map<ContaminantClass, Long> escapedByClass = new EnumMap<>(ContaminantClass.class);
    private long nextChunk;
    private long pulses;
    private long spurious;
    private long collateral;
    private boolean released;
    private static final int EDGE_LOG = 8192;
    private final Object edgeLock = new Object();
    private final long[] edgeNanos = new long[EDGE_LOG];
    private final int[] edgeValve = new int[EDGE_LOG];
    private final long[] drainNanos = new long[EDGE_LOG];
    private final int[] drainValve = new int[EDGE_LOG];
    private final boolean[] commanded;
    private int edgeCount;

    /** Coverage bits gathered so far for one item. */
    private static final class Touch {
        private final BeltItem item;
        private int mask;

        Touch(final BeltItem item) {
            this.item = item;
        }
    }

    VirtualValveBank(final VirtualLine line) {
        this.line = line;
        this.bar = line.scenario().nozzleBar();
        this.latencyNanos = Math.round(bar.latencyMs() * 1e6);
        this.open = new boolean[bar.count()];
        this.commanded = new boolean[bar.count()];
        this.openedAt = new long[bar.count()];
        this.pulseIndex = new int[bar.count()];
        this.provisionalTo = new double[bar.count()];
        this.nextChunk = ItemSource.chunkOf(line.items().inPlayFromMm());
        for (final ContaminantClass c : ContaminantClass.values()) {
            capturedByClass.put(c, 0L);
            escapedByClass.put(c, 0L);
        }
    }

    @Override
    public int size() {
        return open.length;
    }

    @Override
    public void open(final int valve) {
        Valves.checkIndex(valve, open.length);
        edge(valve, true);
    }

    @Override
    public void close(final int valve) {
        Valves.checkIndex(valve, open.length);
        edge(valve, false);
    }

    @Override
    public void closeAll() {
        for (int i = 0; i < open.length; i++) {
            edge(i, false);
        }
    }

    @Override
    public boolean isOpen(final int valve) {
        Valves.checkIndex(valve, open.length);
        synchronized (edgeLock) {
            return commanded[valve];
        }
    }

    @Override
    public void close() {
        closeAll();
        synchronized (edgeLock) {
            released = true;
        }
        drainEdges();
    }

    /**
     * Records a switching edge with the clock reading, in constant time and without allocating: the
     * agent's timing thread calls this, and judging here would delay its next valve. Edges are
     * applied in order when judging (or when the log fills up).
     */
    private void edge(final int valve, final boolean toOpen) {
        boolean full;
        synchronized (edgeLock) {
            if (released && toOpen) {
                throw new IllegalStateException("valve bank is closed");
            }
            if (commanded[valve] == toOpen) {
                return;
            }
            commanded[valve] = toOpen;
            edgeNanos[edgeCount] = line.clock().nanos();
            edgeValve[edgeCount] = toOpen ? valve : -valve - 1;
            edgeCount++;
            full = edgeCount == edgeNanos.length;
        }
        if (full) {
            drainEdges();
        }
    }

    /** Applies every recorded edge, oldest first. */
    private synchronized void drainEdges() {
        final int n;
        synchronized (edgeLock) {
            n = edgeCount;
            System.arraycopy(edgeNanos, 0, drainNanos, 0, n);
            System.arraycopy(edgeValve, 0, drainValve, 0, n);
            edgeCount = 0;
        }
        for (int i = 0; i < n; i++) {
            final int v = drainValve[i];
            if (v >= 0) {
                applyOpen(v, drainNanos[i]);
            } else {
                applyClose(-v - 1, drainNanos[i]);
            }
        }
    }

    private void applyOpen(final int valve, final long nanos) {
        if (!open[valve]) {
            open[valve] = true;
            openedAt[valve] = nanos;
            provisionalTo[valve] = Double.NEGATIVE_INFINITY;
        }
    }

    private void applyClose(final int valve, final long nanos) {
        if (open[valve]) {
            finishPulse(valve, nanos);
        }
    }

    /** @return the lateral range {@code [from, to]} in mm that a valve's jet covers */
    public double[] acrossRange(final int valve) {
        Valves.checkIndex(valve, open.length);
        final double centre = (valve + 0.5) * bar.pitchMm();
        final double half = Math.max(bar.pitchMm(), bar.footprintMm()) / 2;
        return new double[] {centre - half, centre + half};
    }

    /** @return the valve whose nominal lane contains {@code acrossMm}, clamped to the bar */
    public int valveAt(final double acrossMm) {
        return (int) Math.max(0, Math.min(open.length - 1, Math.floor(acrossMm / bar.pitchMm())));
    }

    /** @return completed pulses, oldest first (at most {@link #MAX_RECORDS}), never null */
    public synchronized List<PulseRecord> pulses() {
        drainEdges();
        return List.copyOf(records);
    }

    /** @return the counters at the line clock's current time, never null */
    public LineResult result() {
        return judge().result();
    }

    /**
     * Judges everything up to the line clock's current time. Valves still open count as pulses in
     * progress: the belt they have already covered counts towards capture, but they are not yet in
     * {@link LineResult#pulses()}.
     *
     * @return the judgement, never null
     */
    public synchronized Judgement judge() {
        drainEdges();
        final long now = line.clock().nanos();
        final double passLimit = passLimit(now);
        commit(now);
        // Frontier: chunks partly past the bar. Judge their passed contaminants without committing.
        final Map<ContaminantClass, Long> cap = new EnumMap<>(capturedByClass);
        final Map<ContaminantClass, Long> esc = new EnumMap<>(escapedByClass);
        final List<Judgement.ItemVerdict> frontier = new ArrayList<>();
        final double travel = line.travelMm(now);
        long pending = 0;
        final double maxHalf = line.items().maxHalfExtent();
        for (long k = nextChunk; (double) k * ItemSource.CHUNK_MM - maxHalf <= travel; k++) {
            for (final BeltItem item : line.items().contaminantChunk(k)) {
                if (item.alongMm() + item.halfAlongExtent() < passLimit) {
                    final Judgement.ItemVerdict v = verdict(item);
                    frontier.add(v);
                    (v.outcome() == Judgement.Outcome.CAPTURED ? cap : esc).merge(item.cls(), 1L, Long::sum);
                } else if (item.alongMm() <= travel) {
                    pending++;
                }
            }
        }
        long captured = 0;
        long escaped = 0;
        for (final long n : cap.values()) {
            captured += n;
        }
        for (final long n : esc.values()) {
            escaped += n;
        }
        final LineResult result = new LineResult(captured + escaped, captured, escaped, pulses, spurious, collateral,
                cap, esc, pending, now);
        final List<Judgement.ItemVerdict> all = new ArrayList<>(verdicts);
        all.addAll(frontier);
        return new Judgement(result, List.copyOf(records), all);
    }

    // ------------------------------------------------------------------ internals

    private double passLimit(final long nanos) {
        return line.travelMm(nanos) - bar.positionMm() - bar.footprintMm() / 2;
    }

    /**
     * Folds every contaminant chunk that has entirely passed the jet zone by {@code now} into the
     * counters and drops passed touches. Valves still open first add the coverage they have
     * certainly produced, so an item passing under a held-open valve is not misjudged.
     */
    private void commit(final long now) {
        for (int i = 0; i < open.length; i++) {
            if (open[i]) {
                provisional(i, now);
            }
        }
        final double passLimit = passLimit(now);
        final double maxHalf = line.items().maxHalfExtent();
        while ((nextChunk + 1) * ItemSource.CHUNK_MM + maxHalf < passLimit) {
            for (final BeltItem item : line.items().contaminantChunk(nextChunk)) {
                final Judgement.ItemVerdict v = verdict(item);
                touches.remove(item.id());
                keep(v);
                (v.outcome() == Judgement.Outcome.CAPTURED ? capturedByClass : escapedByClass)
                        .merge(item.cls(), 1L, Long::sum);
            }
            nextChunk++;
        }
        final Iterator<Touch> it = touches.values().iterator();
        while (it.hasNext()) {
            final Touch t = it.next();
            if (!t.item.isContaminant() && t.item.alongMm() + t.item.halfAlongExtent() < passLimit) {
                it.remove();
                if (Integer.bitCount(t.mask) >= CAPTURE_POINTS) {
                    collateral++;
                    keep(new Judgement.ItemVerdict(t.item, Judgement.Outcome.COLLATERAL, coverage(t.mask)));
                }
            }
        }
    }

    private Judgement.ItemVerdict verdict(final BeltItem item) {
        final Touch t = touches.get(item.id());
        final int mask = t == null ? 0 : t.mask;
        return new Judgement.ItemVerdict(item,
                Integer.bitCount(mask) >= CAPTURE_POINTS ? Judgement.Outcome.CAPTURED : Judgement.Outcome.ESCAPED,
                coverage(mask));
    }

    private static double coverage(final int mask) {
        return Integer.bitCount(mask) / (double) (GRID_ALONG * GRID_ACROSS);
    }

    private void keep(final Judgement.ItemVerdict v) {
        verdicts.addLast(v);
        if (verdicts.size() > MAX_RECORDS) {
            verdicts.removeFirst();
        }
    }

    /** Edge jitter for a valve's n-th pulse: seeded, so the same commands give the same judgement. */
    private long[] jitter(final int valve, final int n) {
        if (bar.jitterMs() == 0) {
            return new long[] {0, 0};
        }
        // Mixed first: java.util.Random seeded n and n + 1 starts with nearly the same draws, which made each
        // valve's "jitter" a fixed bias of its own (always late on one valve, always early on the next).
        final Random r = new Random(new SplittableRandom(line.scenario().seed() * 1_000_003L + valve * 65_537L + n)
                .nextLong());
        final double sigma = bar.jitterMs() * 1e6;
        return new long[] {
            Math.round(Math.max(-3, Math.min(3, r.nextGaussian())) * sigma),
            Math.round(Math.max(-3, Math.min(3, r.nextGaussian())) * sigma)};
    }

    private void finishPulse(final int valve, final long closeNanos) {
        open[valve] = false;
        final long[] j = jitter(valve, pulseIndex[valve]++);
        final long jetStart = openedAt[valve] + latencyNanos + j[0];
        final long jetEnd = Math.max(jetStart, closeNanos + latencyNanos + j[1]);
        final List<Long> hits = new ArrayList<>();
        final int[] tufts = new int[1];
        final double[] across = acrossRange(valve);
        final double from = line.travelMm(jetStart) - bar.positionMm() - bar.footprintMm() / 2;
        final double to = line.travelMm(jetEnd) - bar.positionMm() + bar.footprintMm() / 2;
        cover(across[0], across[1], from, to, hits, tufts);
        final PulseRecord record = new PulseRecord(valve, openedAt[valve], closeNanos, jetStart, jetEnd, from, to,
                across[0], across[1], hits, tufts[0]);
        pulses++;
        if (record.spurious()) {
            spurious++;
        }
        records.addLast(record);
        if (records.size() > MAX_RECORDS) {
            records.removeFirst();
        }
        commit(closeNanos);
    }

    /** Adds the coverage an open valve has certainly produced by {@code now}; a subset of its final coverage. */
    private void provisional(final int valve, final long now) {
        final long[] j = jitter(valve, pulseIndex[valve]);
        final long jetStart = openedAt[valve] + latencyNanos + j[0];
        if (jetStart >= now) {
            return;
        }
        final double[] across = acrossRange(valve);
        // Only the belt swept since the last provisional pass: coverage is a union, so re-testing is not needed.
        final double from = Math.max(line.travelMm(jetStart) - bar.positionMm() - bar.footprintMm() / 2,
                provisionalTo[valve] - bar.footprintMm());
        final double to = line.travelMm(now) - bar.positionMm() + bar.footprintMm() / 2;
        if (to > from) {
            cover(across[0], across[1], from, to, new ArrayList<>(), new int[1]);
            provisionalTo[valve] = to;
        }
    }

    private void cover(final double acrossFrom, final double acrossTo, final double from, final double to,
                       final List<Long> hits, final int[] tufts) {
        final List<BeltItem> found = new ArrayList<>();
        line.items().contaminants(from, to, found);
        final int contaminants = found.size();
        line.items().tufts(from, to, found);
        for (int n = 0; n < found.size(); n++) {
            final BeltItem item = found.get(n);
            final int mask = mask(item, acrossFrom, acrossTo, from, to);
            if (mask != 0) {
                touches.computeIfAbsent(item.id(), id -> new Touch(item)).mask |= mask;
            }
            if (n < contaminants) {
                // A jet touched a contaminant when it covered any of it as the cameras draw it, not only one of
                // the 21 capture sample points: a 290 mm twine lying across the belt has its samples ~14 mm
                // apart, and a film's corner holds none.
                if (mask != 0 || touches(item, acrossFrom, acrossTo, from, to)) {
                    hits.add(item.id());
                }
            } else if (mask != 0) {
                tufts[0]++;
            }
        }
    }

    /**
     * @return true when the jet rectangle covers any part of the contaminant as the cameras draw it: for a string,
     *         twine, fibre or straw, its line (sampled every {@value #AXIS_STEP_MM} mm) within half its stroke's
     *         thickness; for a film or a feather, any pixel of its sprite. Only decides whether a pulse is
     *         spurious (it hit no contaminant); capture still needs 11 of the 21 sample points.
     */
    static boolean touches(final BeltItem item, final double acrossFrom, final double acrossTo, final double from,
                           final double to) {
        if (item.cls() == null) {
            return axisTouches(item, acrossFrom, acrossTo, from, to);
        }
        return switch (item.cls().shape()) {
            case LINE -> strokeTouches(item, acrossFrom, acrossTo, from, to);
            case FILM -> spriteTouches(item, Sprites.FILMS[item.variant() % Sprites.FILMS.length], acrossFrom,
                    acrossTo, from, to);
            case PLUME -> spriteTouches(item, Sprites.PLUMES[item.variant() % Sprites.PLUMES.length], acrossFrom,
                    acrossTo, from, to);
        };
    }

    private static boolean strokeTouches(final BeltItem item, final double acrossFrom, final double acrossTo,
                                         final double from, final double to) {
        final double r = item.thicknessMm() / 2;
        final double sin = Math.sin(item.orientationRad());
        final double cos = Math.cos(item.orientationRad());
        final int n = Math.max(2, (int) Math.ceil(item.lengthMm() / AXIS_STEP_MM) + 1);
        for (int i = 0; i < n; i++) {
            final double s = (i / (double) (n - 1) - 0.5) * item.lengthMm();
            final double off = item.waveOffsetMm(s);
            final double across = item.acrossMm() + s * sin + off * cos;
            final double along = item.alongMm() - (s * cos - off * sin);
            final double dx = Math.max(0, Math.max(acrossFrom - across, across - acrossTo));
            final double dy = Math.max(0, Math.max(from - along, along - to));
            if (dx * dx + dy * dy <= r * r) {
                return true;
            }
        }
        return false;
    }

    /** The sprite's pixels mapped onto the item's rectangle exactly as {@code VirtualCamera} draws them. */
    private static boolean spriteTouches(final BeltItem item, final Sprites.Sprite sprite, final double acrossFrom,
                                         final double acrossTo, final double from, final double to) {
        if (item.acrossMm() + item.halfAcrossExtent() < acrossFrom || item.acrossMm() - item.halfAcrossExtent() > acrossTo
                || item.alongMm() + item.halfAlongExtent() < from || item.alongMm() - item.halfAlongExtent() > to) {
            return false;
        }
        final int size = Sprites.SIZE;
        final double sin = Math.sin(item.orientationRad());
        final double cos = Math.cos(item.orientationRad());
        final byte[] alpha = sprite.alpha();
        for (int v = 0; v < size; v++) {
            final double b = ((v + 0.5) / size - 0.5) * item.lengthMm();
            for (int u = 0; u < size; u++) {
                if (alpha[v * size + u] == 0) {
                    continue;
                }
                final double a = ((u + 0.5) / size - 0.5) * item.widthMm();
                final double across = item.acrossMm() + a * cos + b * sin;
                final double along = item.alongMm() - (b * cos - a * sin);
                if (inside(across, along, acrossFrom, acrossTo, from, to)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Axis sampling step for the touch test, mm. */
    private static final double AXIS_STEP_MM = 2;

    /**
     * @return true when the item's major axis (its centre line, sampled every {@value #AXIS_STEP_MM} mm)
     *         passes inside the jet rectangle: the jet touched the item. Only decides whether a pulse is
     *         spurious; capture still needs 11 of the 21 grid points.
     */
    static boolean axisTouches(final BeltItem item, final double acrossFrom, final double acrossTo, final double from,
                               final double to) {
        final double sin = Math.sin(item.orientationRad());
        final double cos = Math.cos(item.orientationRad());
        final int n = Math.max(2, (int) Math.ceil(item.lengthMm() / AXIS_STEP_MM) + 1);
        for (int i = 0; i < n; i++) {
            final double s = (i / (double) (n - 1) - 0.5) * item.lengthMm();
            final double off = item.waveOffsetMm(s);
            if (inside(item.acrossMm() + s * sin + off * cos, item.alongMm() - (s * cos - off * sin),
                    acrossFrom, acrossTo, from, to)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inside(final double across, final double along, final double acrossFrom,
                                  final double acrossTo, final double from, final double to) {
        return across >= acrossFrom && across <= acrossTo && along >= from && along <= to;
    }

    /** @return one bit per sample point of the item that lies inside the jet rectangle */
    static int mask(final BeltItem item, final double acrossFrom, final double acrossTo, final double from,
                    final double to) {
        final double sin = Math.sin(item.orientationRad());
        final double cos = Math.cos(item.orientationRad());
        if (item.cls() != null && item.cls().shape() == ContaminantClass.Shape.LINE) {
            int mask = 0;
            final int n = GRID_ALONG * GRID_ACROSS;
            for (int i = 0; i < n; i++) {
                final double s = ((i + 0.5) / n - 0.5) * item.lengthMm();
                final double off = item.waveOffsetMm(s);
                if (inside(item.acrossMm() + s * sin + off * cos, item.alongMm() - (s * cos - off * sin),
                        acrossFrom, acrossTo, from, to)) {
                    mask |= 1 << i;
                }
            }
            return mask;
        }
        int mask = 0;
        int bit = 0;
        for (int i = 0; i < GRID_ALONG; i++) {
            final double s = ((i + 0.5) / GRID_ALONG - 0.5) * item.lengthMm();
            for (int j = 0; j < GRID_ACROSS; j++, bit++) {
                final double t = ((j + 0.5) / GRID_ACROSS - 0.5) * item.widthMm();
                final double across = item.acrossMm() + s * sin + t * cos;
                // A point further downstream (positive world offset) has a smaller belt coordinate.
                final double along = item.alongMm() - (s * cos - t * sin);
                if (across >= acrossFrom && across <= acrossTo && along >= from && along <= to) {
                    mask |= 1 << bit;
                }
            }
        }
        return mask;
    }
}
