package dev.winnow.edge.track;

/**
 * One physical object, however many frames and cameras saw it. Mutable, owned by the {@link Tracker}.
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
    private int sightings;
    private final long firstSeenNanos;
    private boolean decided;

    TrackedObject(final long id, final BeltDetection d) {
        this.id = id;
        this.camera = d.camera();
        this.cls = d.cls();
        this.confidence = d.confidence();
        this.alongMin = d.alongMm() - d.lengthMm() / 2;
        this.alongMax = d.alongMm() + d.lengthMm() / 2;
        this.acrossMin = d.acrossMm() - d.widthMm() / 2;
        this.acrossMax = d.acrossMm() + d.widthMm() / 2;
        this.sightings = 1;
        this.firstSeenNanos = d.captureNanos();
    }

    /** Returns true when the object grew (a pulse planned for the old extent may need extending). */
    boolean absorb(final BeltDetection d) {
        sightings++;
        if (d.confidence() > confidence) {
            confidence = d.confidence();
            cls = d.cls();
            camera = d.camera();
        }
        final double a0 = Math.min(alongMin, d.alongMm() - d.lengthMm() / 2);
        final double a1 = Math.max(alongMax, d.alongMm() + d.lengthMm() / 2);
        final double c0 = Math.min(acrossMin, d.acrossMm() - d.widthMm() / 2);
        final double c1 = Math.max(acrossMax, d.acrossMm() + d.widthMm() / 2);
        final boolean grew = a0 < alongMin || a1 > alongMax || c0 < acrossMin || c1 > acrossMax;
        alongMin = a0;
        alongMax = a1;
        acrossMin = c0;
        acrossMax = c1;
        return grew;
    }

    boolean overlaps(final BeltDetection d, final double gateMm) {
        return d.alongMm() + d.lengthMm() / 2 + gateMm >= alongMin && d.alongMm() - d.lengthMm() / 2 - gateMm <= alongMax
                && d.acrossMm() + d.widthMm() / 2 + gateMm >= acrossMin
                && d.acrossMm() - d.widthMm() / 2 - gateMm <= acrossMax;
    }

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

    public double acrossMm() {
        return (acrossMin + acrossMax) / 2;
    }

    public double widthMm() {
        return acrossMax - acrossMin;
    }

    /** The largest absolute belt position the object covers: its upstream edge. */
    public double upstreamEdgeMm() {
        return alongMax;
    }

    public int sightings() {
        return sightings;
    }

    public long firstSeenNanos() {
        return firstSeenNanos;
    }

    public boolean decided() {
        return decided;
    }

    void markDecided() {
        decided = true;
    }
}
