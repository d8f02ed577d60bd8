package dev.winnow.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceClocksTest {

    private static final Topic PI = Topic.of("mill", "line-1", "pi-1", Kind.STATS);
    private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

    private final DeviceClocks clocks = new DeviceClocks();

    /** Stats of a 5-s interval ending at {@code to} on the device's clock. */
    private static Stats stats(final Instant to) {
        return new Stats(to.minusSeconds(5), to, Stats.Mode.RUNNING, 300, 0, 4, Map.of(), Map.of(), 0, 0, 10, 20, 0,
                60, 0, null, null);
    }

    /** Live stats every 5 s of server time from {@code from}, each arriving {@code delayMs} after it was sent. */
    private Alarm live(final Instant from, final int count, final Duration deviceBehind, final long delayMs) {
        Alarm last = null;
        for (int i = 0; i < count; i++) {
            final Instant sent = from.plusSeconds(5L * i);
            final Alarm a = clocks.observe(PI, stats(sent.minus(deviceBehind)), sent.plusMillis(delayMs));
            if (a != null) {
                assertThat(last).as("one alarm per change").isNull();
                last = a;
            }
        }
        return last;
    }

    @Test
    void aClockAnHourBehindRaisesAWarningOnceItsReadingsSpanSixIntervalsAndClearsWhenItIsSet() {
        final Duration behind = Duration.ofHours(1);
        for (int i = 0; i < 6; i++) {
            final Instant sent = T0.plusSeconds(5L * i);
            assertThat(clocks.observe(PI, stats(sent.minus(behind)), sent.plusMillis(30))).as("reading %d", i).isNull();
            assertThat(clocks.reading("mill", "line-1", "pi-1")).as("not judged within 30 s").isNull();
        }
        final Alarm raised = clocks.observe(PI, stats(T0.plusSeconds(30).minus(behind)), T0.plusMillis(30_030));
        assertThat(raised).isNotNull();
        assertThat(raised.state()).isEqualTo(Alarm.State.RAISED);
        assertThat(raised.severity()).isEqualTo(Alarm.Severity.WARNING);
        assertThat(raised.cause()).isEqualTo(DeviceClocks.CAUSE);
        assertThat(raised.time()).isEqualTo(T0.plusMillis(30_030));
        assertThat(raised.message()).startsWith("The device's clock is 1 h 0 min 0 s behind the server's.")
                .contains("file them 1 h 0 min 0 s early").contains("--time-server").contains("mqtt.httpUrl");
        assertThat(clocks.reading("mill", "line-1", "pi-1"))
                .isEqualTo(new DeviceClocks.Reading(3_600_030, T0.plusMillis(30_030), true));
        assertThat(live(T0.plusSeconds(35), 10, behind, 40)).as("raised once").isNull();

        // NTP sets the clock: the next live reading clears it
        final Alarm cleared = live(T0.plusSeconds(100), 3, Duration.ZERO, 25);
        assertThat(cleared.state()).isEqualTo(Alarm.State.CLEARED);
        assertThat(cleared.cause()).isEqualTo(DeviceClocks.CAUSE);
        assertThat(cleared.message()).isEqualTo("The device's clock is within 5 s of the server's again (0.0 s behind).");
        assertThat(clocks.reading("mill", "line-1", "pi-1").off()).isFalse();
        assertThat(clocks.reading("mill", "line-1", "pi-1").offsetMs()).isEqualTo(25);
    }

    @Test
    void aClockAheadRaisesItToo() {
        final Alarm raised = live(T0, 8, Duration.ofMinutes(-3), 15);
        assertThat(raised.message()).startsWith("The device's clock is 3 min 0 s ahead of the server's.")
                .contains("file them 3 min 0 s late");
        assertThat(clocks.reading("mill", "line-1", "pi-1").offsetMs()).isEqualTo(-179_985);
    }

    @Test
    void networkDelayIsNotTakenForAClockThatIsOff() {
        // a right clock, and messages that sometimes wait seconds in the network: the smallest reading counts
        final long[] delays = {40, 12_000, 30, 25_000, 18_000, 60, 11_000, 35, 14_000, 50};
        for (int i = 0; i < delays.length; i++) {
            final Instant sent = T0.plusSeconds(5L * i);
            assertThat(clocks.observe(PI, stats(sent), sent.plusMillis(delays[i]))).as("reading %d", i).isNull();
        }
        assertThat(clocks.reading("mill", "line-1", "pi-1").off()).isFalse();
    }

    @Test
    void statsFlushedAfterAnOutageAreNotReadings() {
        live(T0, 8, Duration.ZERO, 20);
        final DeviceClocks.Reading before = clocks.reading("mill", "line-1", "pi-1");
        // twenty stats queued on the device during a ten-minute outage arrive within a fraction of a second
        final Instant back = T0.plusSeconds(600);
        for (int i = 0; i < 20; i++) {
            final Instant to = back.minusSeconds(100).plusSeconds(5L * i);
            assertThat(clocks.observe(PI, stats(to), back.plusMillis(i))).isNull();
        }
        assertThat(clocks.reading("mill", "line-1", "pi-1")).as("the burst alone is not judged").isEqualTo(before);
        assertThat(live(back.plusSeconds(5), 8, Duration.ZERO, 20)).isNull();
        assertThat(clocks.reading("mill", "line-1", "pi-1").offsetMs()).isEqualTo(20);
    }

    @Test
    void anAlarmRaisedBeforeTheServerRestartedClearsOnTheFirstRightReading() {
        clocks.raisedBefore(List.of("mill/line-1/pi-1"));
        final Alarm cleared = live(T0, 7, Duration.ZERO, 10);
        assertThat(cleared.state()).isEqualTo(Alarm.State.CLEARED);
        // other devices are not affected
        assertThat(clocks.reading("mill", "line-2", "pi-2")).isNull();
    }

    @Test
    void aDeviceFloodingStatsKeepsABoundedWindow() {
        // a thousand stats a second, each 1 ms long, the clock right: judged on the last readings only
        for (int i = 0; i < 5_000; i++) {
            final Instant sent = T0.plusMillis(i);
            final Stats s = new Stats(sent.minusMillis(1), sent, Stats.Mode.RUNNING, 1, 0, 0, Map.of(), Map.of(), 0, 0,
                    1, 1, 0, 60, 0, null, null);
            assertThat(clocks.observe(PI, s, sent.plusMillis(2))).isNull();
        }
        assertThat(clocks.reading("mill", "line-1", "pi-1").offsetMs()).isEqualTo(2);
        // the flood's window is DeviceClocks.MAX_READINGS readings: an hour-behind clock shows within them
        Alarm raised = null;
        for (int i = 0; i < DeviceClocks.MAX_READINGS + 1 && raised == null; i++) {
            final Instant sent = T0.plusMillis(5_000 + i);
            raised = clocks.observe(PI, new Stats(sent.minusMillis(1).minusSeconds(3600), sent.minusSeconds(3600),
                    Stats.Mode.RUNNING, 1, 0, 0, Map.of(), Map.of(), 0, 0, 1, 1, 0, 60, 0, null, null), sent);
        }
        assertThat(raised).isNotNull();
        assertThat(raised.state()).isEqualTo(Alarm.State.RAISED);
    }

    @Test
    void offsetsAreWrittenForPeople() {
        assertThat(DeviceClocks.span(12_400)).isEqualTo("12.4 s");
        assertThat(DeviceClocks.span(185_000)).isEqualTo("3 min 5 s");
        assertThat(DeviceClocks.span(3_612_000)).isEqualTo("1 h 0 min 12 s");
        assertThat(DeviceClocks.span(90_061_000)).isEqualTo("1 d 1 h 1 min 1 s");
    }
}
