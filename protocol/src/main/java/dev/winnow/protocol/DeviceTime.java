package dev.winnow.protocol;

/**
 * The control server's clock, as devices read it over HTTP: {@code GET {server}/}{@value #PATH} with the device's
 * credentials answers {@code {"epochMs": <the server's time, ms since 1970>}}.
 *
 * <p>A Raspberry Pi has no battery-backed clock. One that cannot reach a time server after a power cut runs on the
 * time it last saved, and everything it sends carries that time; an agent that knows the server's address reads the
 * server's clock instead and stamps with it.
 */
public final class DeviceTime {

    /** The route, relative to the server's base address (which ends in {@code /}). */
    public static final String PATH = "api/device/time";
    /** The answer's one field. */
    public static final String EPOCH_MS = "epochMs";

    private DeviceTime() {
    }

    /** How far apart two clocks are, for people: "12.4 s", "3 min 5 s", "1 h 0 min 12 s", "1 d 1 h 1 min 1 s". */
    public static String span(final long ms) {
        final long abs = Math.abs(ms);
        if (abs < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", abs / 1000.0);
        }
        final long s = Math.round(abs / 1000.0);
        final long d = s / 86_400;
        final long h = s % 86_400 / 3600;
        final long m = s % 3600 / 60;
        final StringBuilder out = new StringBuilder();
        if (d > 0) {
            out.append(d).append(" d ");
        }
        if (d > 0 || h > 0) {
            out.append(h).append(" h ");
        }
        return out.append(m).append(" min ").append(s % 60).append(" s").toString();
    }
}
