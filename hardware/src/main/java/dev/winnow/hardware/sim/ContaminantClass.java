package dev.winnow.hardware.sim;

import java.util.Arrays;
import java.util.Locale;

/**
 * The foreign matter a cotton mill finds in bales, with how each looks to the virtual cameras.
 * Sizes are for {@code sizeScale = 1}; {@code length} is along the object's major axis,
 * {@code thickness} across it. Palettes are sRGB {@code 0xRRGGBB}.
 */
public enum ContaminantClass {
    /** Translucent irregular polygon of packaging film; white plastics fluoresce under UV. */
    PLASTIC_FILM("plastic_film", Shape.FILM, 30, 110, 20, 70, true,
            0xECF0F2, 0xD8E6EE, 0xF4F4EA, 0xC8DCEC),
    /** Long thin bale twine, blue/white/red/orange; fluoresces under UV. */
    POLYPROPYLENE_TWINE("polypropylene_twine", Shape.LINE, 80, 300, 2, 5, true,
            0x1F5FBF, 0xF2F2F2, 0xC8202A, 0xF07A1A),
    /** Yellow-brown straight stick. */
    STRAW("straw", Shape.LINE, 30, 110, 3, 6, false,
            0xC8A050, 0xB08A3A, 0xD8B868),
    /** Thin dark or coloured curvy line. */
    STRING("string", Shape.LINE, 50, 180, 1.5, 3, false,
            0x303030, 0x5A3A2A, 0x2A4A8A, 0x8A2A2A),
    /** Light grey plume. */
    FEATHER("feather", Shape.PLUME, 20, 60, 8, 25, false,
            0xC8C8C8, 0xB0B0B0, 0xD8D4CC),
    /** Thin short red/blue/green squiggle. */
    COLOURED_FIBRE("coloured_fibre", Shape.LINE, 10, 30, 1, 2, false,
            0xD02020, 0x2040D0, 0x20A040);

    /** How the renderer draws a class. */
    public enum Shape {
        /** translucent irregular polygon */
        FILM,
        /** a thin stroke along a (possibly curved) centre line */
        LINE,
        /** a feather: a shaft with soft barbs */
        PLUME
    }

    private final String wireName;
    private final Shape shape;
    private final double minLengthMm;
    private final double maxLengthMm;
    private final double minThicknessMm;
    private final double maxThicknessMm;
    private final boolean fluoresces;
    private final int[] palette;

    ContaminantClass(final String wireName, final Shape shape, final double minLengthMm, final double maxLengthMm,
                     final double minThicknessMm, final double maxThicknessMm, final boolean fluoresces,
                     final int... palette) {
        this.wireName = wireName;
        this.shape = shape;
        this.minLengthMm = minLengthMm;
        this.maxLengthMm = maxLengthMm;
        this.minThicknessMm = minThicknessMm;
        this.maxThicknessMm = maxThicknessMm;
        this.fluoresces = fluoresces;
        this.palette = palette;
    }

    /** @return the name used in scenario files and on the wire, e.g. {@code plastic_film} */
    public String wireName() {
        return wireName;
    }

    /** @return how the renderer draws this class, never null */
    public Shape shape() {
        return shape;
    }

    /** @return shortest length in mm at size scale 1 */
    public double minLengthMm() {
        return minLengthMm;
    }

    /** @return longest length in mm at size scale 1 */
    public double maxLengthMm() {
        return maxLengthMm;
    }

    /** @return thinnest thickness in mm at size scale 1 */
    public double minThicknessMm() {
        return minThicknessMm;
    }

    /** @return thickest thickness in mm at size scale 1 */
    public double maxThicknessMm() {
        return maxThicknessMm;
    }

    /** @return true when the material glows under UV light (white plastics); cotton does not */
    public boolean fluorescesUnderUv() {
        return fluoresces;
    }

    /** @return the default colours as {@code 0xRRGGBB}, a fresh copy */
    public int[] palette() {
        return palette.clone();
    }

    /**
     * @param wire a wire name such as {@code straw}
     * @return the class
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static ContaminantClass fromWire(final String wire) {
        for (final ContaminantClass c : values()) {
            if (c.wireName.equals(wire)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown contaminant class '" + wire + "', allowed: "
                + Arrays.stream(values()).map(ContaminantClass::wireName).toList());
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
