package dev.winnow.edge.track;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Associates detections from every camera of a line in belt coordinates, so one contaminant seen in
 * many frames and by several cameras is one object and is counted once. Not thread-safe: the line's
 * decision thread owns it.
 */
public final class Tracker {

    /** What a new detection did to the tracked objects. */
    public record Update(TrackedObject object, boolean isNew, boolean grew) {
    }

    private final double gateMm;
    private final List<TrackedObject> live = new ArrayList<>();
    private long nextId = 1;
    private long objects;

    /** @param gateMm how far apart (mm) two sightings may be and still be the same object */
    public Tracker(final double gateMm) {
        this.gateMm = gateMm;
    }

    public Update add(final BeltDetection d) {
        return add(d, true);
    }

    /**
     * Adds one sighting.
     *
     * @param fromLiveCamera false when the camera is in audit mode
     */
    public Update add(final BeltDetection d, final boolean fromLiveCamera) {
        // The object the sighting overlaps most: with the first that overlaps at all, a long twine's track took the
        // sightings of a straw beside it whose own track was already there.
        TrackedObject best = null;
        double bestScore = 0;
        for (final TrackedObject o : live) {
            final double score = o.overlapScore(d, gateMm);
            if (score > bestScore) {
                bestScore = score;
                best = o;
            }
        }
        if (best != null) {
            final boolean grew = best.absorb(d);
            if (fromLiveCamera) {
                best.seenLive();
            }
            return new Update(best, false, grew);
        }
        final TrackedObject o = new TrackedObject(nextId++, d);
        if (fromLiveCamera) {
            o.seenLive();
        }
        live.add(o);
        objects++;
        return new Update(o, true, false);
    }

    /** Marks an object decided: it has had its one rejection. */
    public void decided(final TrackedObject o) {
        o.markDecided();
    }

    /** Forgets objects whose upstream edge is below {@code alongMm}: they are past every camera. */
    public void forgetBefore(final double alongMm) {
        forgetBefore(alongMm, o -> { });
    }

    /**
     * Forgets objects whose upstream edge is below {@code alongMm}, telling {@code undecided} of each that was never
     * decided.
     */
    public void forgetBefore(final double alongMm, final java.util.function.Consumer<TrackedObject> undecided) {
        for (final Iterator<TrackedObject> it = live.iterator(); it.hasNext(); ) {
            final TrackedObject o = it.next();
            if (o.upstreamEdgeMm() < alongMm) {
                it.remove();
                if (!o.decided()) {
                    undecided.accept(o);
                }
            }
        }
    }

    public int liveCount() {
        return live.size();
    }

    /** Distinct objects seen so far. */
    public long objects() {
        return objects;
    }
}
