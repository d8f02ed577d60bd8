package dev.winnow.server.design;

import java.util.Locale;

/**
 * A dyed yarn colour: display name, sRGB, the dye house reference and the dyed-yarn price. Carries
 * its CIELAB (D65) coordinates, computed once, for the critics.
 */
public record Colour(String name, int rgb, String dye, double costPerKg, double l, double a, double b) {

    public static Colour of(final String name, final String hex, final String dye, final double costPerKg) {
        final int rgb = parseHex(hex);
        final double[] lab = lab(rgb);
        return new Colour(name, rgb, dye, costPerKg, lab[0], lab[1], lab[2]);
    }

    public String hex() {
        return String.format(Locale.ROOT, "#%06x", rgb);
    }

    public int red() {
        return (rgb >> 16) & 0xff;
    }

    public int green() {
        return (rgb >> 8) & 0xff;
    }

    public int blue() {
        return rgb & 0xff;
    }

    /** LCh chroma. */
    public double chroma() {
        return Math.hypot(a, b);
    }

    /** LCh hue in degrees, 0..360. */
    public double hue() {
        final double h = Math.toDegrees(Math.atan2(b, a));
        return h < 0 ? h + 360 : h;
    }

    /** CIE76 colour difference. */
    public double deltaE(final Colour o) {
        final double dl = l - o.l;
        final double da = a - o.a;
        final double db = b - o.b;
        return Math.sqrt(dl * dl + da * da + db * db);
    }

    /** {@code #rrggbb} or {@code rrggbb}; throws IllegalArgumentException otherwise. */
    public static int parseHex(final String hex) {
        if (hex == null) {
            throw new IllegalArgumentException("colour is missing");
        }
        final String h = hex.startsWith("#") ? hex.substring(1) : hex;
        if (!h.matches("[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("'" + hex + "' is not a colour like #1f2a44");
        }
        return Integer.parseInt(h, 16);
    }

    /** sRGB (D65) to CIELAB. */
    public static double[] lab(final int rgb) {
        final double r = lin(((rgb >> 16) & 0xff) / 255.0);
        final double g = lin(((rgb >> 8) & 0xff) / 255.0);
        final double bl = lin((rgb & 0xff) / 255.0);
        final double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * bl) / 0.95047;
        final double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * bl;
        final double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * bl) / 1.08883;
        final double fx = f(x);
        final double fy = f(y);
        final double fz = f(z);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    private static double lin(final double c) {
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(final double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }
}
