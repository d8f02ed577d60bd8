package dev.winnow.hardware.sim;

/**
 * One object lying on the belt: a cotton tuft or a contaminant. Positions are fixed to the belt
 * surface: {@code alongMm} is the item centre's belt coordinate, and its world position at time t
 * is {@code line.travelMm(t) - alongMm} (see {@link VirtualLine}).
 *
 * <p>Shape: an oriented rectangle {@code lengthMm x widthMm} whose major axis makes
 * {@code orientationRad} with the downstream direction, turning towards increasing {@code across}.
 * For stroke-like contaminants the rectangle is the envelope of a (possibly wavy) centre line of
 * {@code thicknessMm}.
 *
 * @param id             unique, deterministic for a seed
 * @param kind           tuft or contaminant, never null
 * @param cls            the contaminant class; null for a tuft
 * @param acrossMm       centre across the belt, 0 = the belt edge where valve 0 sits
 * @param alongMm        centre's belt-surface coordinate
 * @param widthMm        envelope width (minor axis)
 * @param lengthMm       envelope length (major axis)
 * @param orientationRad major axis angle from the downstream direction, [0, pi)
 * @param thicknessMm    stroke thickness for line shapes, = widthMm otherwise
 * @param colourRgb      base colour {@code 0xRRGGBB} in white light
 * @param variant        which pre-computed sprite or wave pattern to use
 * @param waves          number of waves along a line shape (0 = straight)
 * @param phase          wave phase in radians
 * @param opacity        0..1 overall opacity (cotton density, film translucency)
 */
public record BeltItem(
        long id,
        Kind kind,
        ContaminantClass cls,
        double acrossMm,
        double alongMm,
        double widthMm,
        double lengthMm,
        double orientationRad,
        double thicknessMm,
        int colourRgb,
        int variant,
        double waves,
        double phase,
        double opacity) {

    /** What an item is. */
    public enum Kind {
        /** clean cotton */
        TUFT,
        /** foreign matter; {@link BeltItem#cls()} says which */
        CONTAMINANT
    }

    /** @return true for foreign matter */
    public boolean isContaminant() {
        return kind == Kind.CONTAMINANT;
    }

    /**
     * @param s arc position along the major axis from the item's centre, mm, within +- length / 2
     * @return how far a wavy line (string, twine, fibre) lies off its major axis there, in mm, as the cameras draw it
     *         and the air jets meet it; 0 for straight lines and other shapes
     */
    public double waveOffsetMm(final double s) {
        if (waves == 0 || cls == null || cls.shape() != ContaminantClass.Shape.LINE) {
            return 0;
        }
        final double amp = (widthMm - thicknessMm) / 2;
        return amp * Math.sin(2 * Math.PI * waves * (s / lengthMm + 0.5) + phase);
    }

    /** @return half the axis-aligned extent across the belt */
    public double halfAcrossExtent() {
        return (lengthMm * Math.abs(Math.sin(orientationRad)) + widthMm * Math.abs(Math.cos(orientationRad))) / 2;
    }

    /** @return half the axis-aligned extent along the belt */
    public double halfAlongExtent() {
        return (lengthMm * Math.abs(Math.cos(orientationRad)) + widthMm * Math.abs(Math.sin(orientationRad))) / 2;
    }

    /** @return world position of the item centre when the belt has travelled {@code travelMm} */
    public double worldMm(final double travelMm) {
        return travelMm - alongMm;
    }
}
