package dev.winnow.edge.track;

/**
 * One physical object, however many frames and cameras saw it. Mutable, owned by the {@link Tracker}.
 *
 * <p>Its extent along the belt is the union of its sightings' boxes: a box cut off at a view's end shows only part
 * of the object, and the pulse must cover all of it. Across the belt the union would collect every sighting's box
 * error (a twine seen in 35 frames would be tracked 15-20 mm too wide each side, and the nozzle beside it would fire
 * at nothing), so the extent across is the mean of the left and right edges of the sightings that saw the object
 * whole; the union serves only until the first whole sighting, and for matching sightings to objects.
 */
public final class TrackedObject {

    private final long id;
    private String camera;
    private String cls;
    private double confidence;
    private double alongMin;
    private double alongMax;
    private double acrossMin;
    private double acrossMax;
    private double wholeLeftSum;
    private double wholeRightSum;
    private int wholeSightings;
    private int sightings;
    private double confidenceSum;
    private final long firstSeenNanos;
    private double firstTravelMm;
    private double lastTravelMm;
    private boolean decided;
    private boolean live;
    private boolean decidedAudit;
    private boolean committed;

    TrackedObject(final long id, final BeltDetection d) {
        this.id = id;
        this.camera = d.camera();
        this.cls = d.cls();
        this.confidence = d.confidence();
        this.alongMin = d.alongMm() - d.lengthMm() / 2;
        this.alongMax = d.alongMm() + d.lengthMm() / 2;
        this.acrossMin = d.acrossMm() - d.widthMm() / 2;
        this.acrossMax = d.acrossMm() + d.widthMm() / 2;
        addWhole(d);
        this.sightings = 1;
        this.confidenceSum = d.confidence();
        this.firstSeenNanos = d.captureNanos();
        this.firstTravelMm = d.travelMm();
        this.lastTravelMm = d.travelMm();
    }

    /** True once a camera that is not in audit mode has seen the object. */
    public boolean live() {
        return live;
    }

    void seenLive() {
        live = true;
    }

    /** True when the object was decided while only audit cameras had seen it: reported, not fired. */
    public boolean decidedAudit() {
        return decidedAudit;
    }

    public void markAuditDecided() {
        decidedAudit = true;
    }

    public void markLiveDecided() {
        decidedAudit = false;
    }

    /** Returns true when the object grew (a pulse planned for the old extent may need extending). */
    boolean absorb(final BeltDetection d) {
        sightings++;
        confidenceSum += d.confidence();
        firstTravelMm = Math.min(firstTravelMm, d.travelMm());
        lastTravelMm = Math.max(lastTravelMm, d.travelMm());
        if (d.confidence() > confidence) {
            confidence = d.confidence();
            cls = d.cls();
            camera = d.camera();
        }
        final double left = acrossLeft();
        final double right = acrossRight();
        final double a0 = Math.min(alongMin, d.alongMm() - d.lengthMm() / 2);
        final double a1 = Math.max(alongMax, d.alongMm() + d.lengthMm() / 2);
        final boolean grewAlong = a0 < alongMin || a1 > alongMax;
        alongMin = a0;
        alongMax = a1;
        acrossMin = Math.min(acrossMin, d.acrossMm() - d.widthMm() / 2);
        acrossMax = Math.max(acrossMax, d.acrossMm() + d.widthMm() / 2);
        addWhole(d);
        return grewAlong || acrossLeft() < left || acrossRight() > right;
    }

    private void addWhole(final BeltDetection d) {
        if (d.whole()) {
            wholeLeftSum += d.acrossMm() - d.widthMm() / 2;
            wholeRightSum += d.acrossMm() + d.widthMm() / 2;
            wholeSightings++;
        }
    }

    private double acrossLeft() {
        return wholeSightings == 0 ? acrossMin : wholeLeftSum / wholeSightings;
    }

    private double acrossRight() {
        return wholeSightings == 0 ? acrossMax : wholeRightSum / wholeSightings;
    }

    /**
     * Same object when the boxes, each grown by the gate, overlap by at least 30 % of the smaller one — or, when the
     * sighting's class is not the object's, of the larger one. A mere touch is not enough: a diagonal twine's box is
     * mostly empty, and a feather lying in its corner is another object that needs its own pulse. And a straw lying
     * wholly inside that box is another object too: it covers its own box, not 30 % of the twine's; two sightings of
     * one object that the model named differently (twine and string) have boxes of about the same size.
     */
    boolean overlaps(final BeltDetection d, final double gateMm) {
        return overlapScore(d, gateMm) > 0;
    }

    /**
     * @return the overlap of the gated boxes as a share of the smaller one when they are the same object by the rule
     *         of {@link #overlaps}, else 0: the tracker gives a sighting to the object it overlaps most
     */
    double overlapScore(final BeltDetection d, final double gateMm) {
        final double d0 = d.alongMm() - d.lengthMm() / 2 - gateMm;
        final double d1 = d.alongMm() + d.lengthMm() / 2 + gateMm;
        final double c0 = d.acrossMm() - d.widthMm() / 2 - gateMm;
        final double c1 = d.acrossMm() + d.widthMm() / 2 + gateMm;
        final double o0 = alongMin - gateMm;
        final double o1 = alongMax + gateMm;
        final double p0 = acrossMin - gateMm;
        final double p1 = acrossMax + gateMm;
        final double along = Math.min(d1, o1) - Math.max(d0, o0);
        final double across = Math.min(c1, p1) - Math.max(c0, p0);
        if (along <= 0 || across <= 0) {
            return 0;
        }
        final double mine = (o1 - o0) * (p1 - p0);
        final double theirs = (d1 - d0) * (c1 - c0);
        final double overlap = along * across;
        final double base = d.cls().equals(cls) ? Math.min(mine, theirs) : Math.max(mine, theirs);
        return overlap >= MIN_OVERLAP * base ? overlap / Math.min(mine, theirs) : 0;
    }

    static final double MIN_OVERLAP = 0.3;

    public long id() {
        return id;
    }

    public String camera() {
        return camera;
    }

    public String cls() {
        return cls;
    }

    public double confidence() {
        return confidence;
    }

    public double alongMm() {
        return (alongMin + alongMax) / 2;
    }

    public double lengthMm() {
        return alongMax - alongMin;
    }

    /** Centre across the belt (see the class comment for how the extent across is estimated). */
    public double acrossMm() {
        return (acrossLeft() + acrossRight()) / 2;
    }

    public double widthMm() {
        return acrossRight() - acrossLeft();
    }

    /** The largest absolute belt position the object covers: its upstream edge. */
    public double upstreamEdgeMm() {
        return alongMax;
    }

    public int sightings() {
        return sightings;
    }

    /**
     * Belt travel between the first and the latest frame that saw the object: how far it was followed. Unlike the
     * number of sightings, it does not depend on the belt speed or the frame rate.
     */
    public double seenOverMm() {
        return lastTravelMm - firstTravelMm;
    }

    /** Mean confidence over all sightings: a real object is seen confidently frame after frame. */
    public double meanConfidence() {
        return confidenceSum / sightings;
    }

    public long firstSeenNanos() {
        return firstSeenNanos;
    }

    public boolean decided() {
        return decided;
    }

    /** True once the object's pulse is with the valve scheduler: from then on it can only be extended. */
    public boolean committed() {
        return committed;
    }

    public void markCommitted() {
        committed = true;
    }

    void markDecided() {
        decided = true;
    }
}
