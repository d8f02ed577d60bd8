package dev.winnow.server.fleet;

import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.DeviceTime;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far each device's clock is from the server's, read from the stats it sends live.
 *
 * <p>Devices stamp everything they send with their own clock, and a Raspberry Pi has no battery-backed clock: after
 * a power cut it starts from the time it last saved, and on a mill network without a time server it never catches
 * up. Its rejections and stats are then filed at the wrong minutes, on the line page and in the daily report, and
 * nothing else would show it. So the server compares: a stats message is sent when its interval ends
 * ({@link Stats#to()}), so its arrival minus {@code to} is the clock's offset plus however long it took to arrive.
 * That only adds, so the smallest reading of the last eight stats intervals (20 s at least) is the estimate. Stats
 * kept on the device during an outage arrive together when it reconnects, late by up to the outage, and a flaky link
 * delivers them late for a while; the estimate is judged only when its readings span six intervals (30 s at the
 * agents' 5-s interval), so several of them were sent live.
 *
 * <p>When the estimate is beyond {@link #RAISE} either way the server raises a warning alarm ({@link #CAUSE}) on the
 * device's line, stored beside the stats like a device's own alarm; it clears below {@link #CLEAR}. Thread-safe.
 */
public final class DeviceClocks {

    /** The cause of the server's alarm about a device's clock. */
    public static final String CAUSE = "clock_off";
    /** A clock this far from the server's, either way, raises the alarm. */
    public static final Duration RAISE = Duration.ofSeconds(10);
    /** ... and it clears once the clock is this close again (less than {@link #RAISE}, so it does not flap). */
    public static final Duration CLEAR = Duration.ofSeconds(5);
    /** Readings the estimate needs before it judges the clock. */
    static final int READINGS = 3;
    /** ... and the stats intervals they must span (30 s at the agents' 5-s interval). */
    static final int JUDGED_INTERVALS = 6;
    /** Readings kept at most, whatever the window: a device that floods stats costs no more. */
    static final int MAX_READINGS = 64;
    /** The estimate is the smallest reading of this long (or of eight stats intervals, when longer). */
    static final Duration WINDOW = Duration.ofSeconds(20);

    /**
     * A device's clock as last read.
     *
     * @param offsetMs the server's time minus the device's, ms: positive when the device's clock is behind
     * @param at       when the server last read it (server time)
     * @param off      whether the alarm is raised
     */
    public record Reading(long offsetMs, Instant at, boolean off) {
    }

    /** One stats message: when it arrived, and its arrival minus its end on the device's clock. */
    private record Sample(Instant arrivedAt, long offsetMs) {
    }

    private static final class Watch {
        private final ArrayDeque<Sample> readings = new ArrayDeque<>();
        private Reading reading;
        private boolean off;
    }

    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    /**
     * Marks devices whose clock alarm is raised in the store (at start), so the alarm clears when their clock is
     * right again instead of staying raised for good.
     *
     * @param devices keys as {@code site/line/device}
     */
    public void raisedBefore(final Collection<String> devices) {
        for (String d : devices) {
            final Watch w = watches.computeIfAbsent(d, k -> new Watch());
            synchronized (w) {
                w.off = true;
            }
        }
    }

    /**
     * Reads a device's clock from a stats message.
     *
     * @param device    the stats message's topic
     * @param stats     the message
     * @param arrivedAt when it reached the server (server time)
     * @return the alarm to store beside the stats when this reading raises or clears it, else null
     */
    public Alarm observe(final Topic device, final Stats stats, final Instant arrivedAt) {
        final Watch w = watches.computeIfAbsent(key(device.site(), device.line(), device.device()), k -> new Watch());
        synchronized (w) {
            final Duration interval = Duration.between(stats.from(), stats.to());
            final Duration window = max(WINDOW, interval.multipliedBy(8));
            w.readings.addLast(new Sample(arrivedAt, Duration.between(stats.to(), arrivedAt).toMillis()));
            while (w.readings.size() > MAX_READINGS
                    || Duration.between(w.readings.peekFirst().arrivedAt(), arrivedAt).compareTo(window) > 0) {
                w.readings.removeFirst();
            }
            final long estimate = w.readings.stream().mapToLong(Sample::offsetMs).min().orElseThrow();
            // stats kept during an outage arrive together, late by up to the outage, and a flaky link delivers
            // them late for a while: judge only once the readings span six intervals, so several were sent live
            final boolean judged = w.readings.size() >= READINGS && Duration.between(w.readings.peekFirst()
                    .arrivedAt(), arrivedAt).compareTo(interval.multipliedBy(JUDGED_INTERVALS)) >= 0;
            final long size = Math.abs(estimate);
            Alarm alarm = null;
            if (judged && !w.off && size > RAISE.toMillis()) {
                w.off = true;
                alarm = new Alarm("server-clock-" + UUID.randomUUID(), arrivedAt, Alarm.State.RAISED,
                        Alarm.Severity.WARNING, CAUSE, raised(estimate), null);
            } else if (judged && w.off && size < CLEAR.toMillis()) {
                w.off = false;
                alarm = new Alarm("server-clock-" + UUID.randomUUID(), arrivedAt, Alarm.State.CLEARED,
                        Alarm.Severity.WARNING, CAUSE, "The device's clock is within " + CLEAR.toSeconds()
                        + " s of the server's again (" + span(size) + " " + side(estimate) + ").", null);
            }
            if (judged) {
                w.reading = new Reading(estimate, arrivedAt, w.off);
            }
            return alarm;
        }
    }

    private static Duration max(final Duration a, final Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The device's clock as last read; null before the server has read it. */
    public Reading reading(final String site, final String line, final String device) {
        final Watch w = watches.get(key(site, line, device));
        if (w == null) {
            return null;
        }
        synchronized (w) {
            return w.reading;
        }
    }

    static String key(final String site, final String line, final String device) {
        return site + "/" + line + "/" + device;
    }

    private static String raised(final long estimate) {
        final String by = span(Math.abs(estimate));
        return "The device's clock is " + by + " " + (estimate > 0 ? "behind" : "ahead of") + " the server's. Its rejections, stats and alarms "
                + "carry its own time, so the line page and the daily report file them " + by + " "
                + (estimate > 0 ? "early" : "late") + " until its clock is set. Give it a time server "
                + "(hardware/setup-pi.sh --time-server HOST), or give its agent this server's web address "
                + "(mqtt.httpUrl): the agent then stamps with this server's time.";
    }

    private static String side(final long estimate) {
        return estimate > 0 ? "behind" : "ahead";
    }

    static String span(final long ms) {
        return DeviceTime.span(ms);
    }
}
