package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.protocol.Alarm;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTimeTest {

    private static final long T0 = Instant.parse("2026-12-07T06:00:00Z").toEpochMilli();

    /**
     * A Pi's clocks against true time: the system clock is {@code behindMs} behind it, the monotonic clock follows it;
     * the server's clock is true time. Each request to the server takes the next round trip of {@code rtts}, and
     * the server answers {@code answerAt} of the way through it (0.5: in the middle).
     */
    private static final class Pi {
        long trueMs = T0;
        long behindMs;
        final List<long[]> requests = new ArrayList<>(); // {rtt ms, answer at per mille}
        int next;

        final Clock system = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(final ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(trueMs - behindMs);
            }
        };

        long nanos() {
            return (trueMs - T0) * 1_000_000L + 5_000_000_000L;
        }

        long ask() throws IOException {
            if (next >= requests.size()) {
                throw new IOException("connection refused");
            }
            final long[] r = requests.get(next++);
            final long before = r[0] * r[1] / 1000;
            trueMs += before;
            final long server = trueMs;
            trueMs += r[0] - before;
            return server;
        }

        void requests(final long[]... rs) {
            requests.clear();
            requests.addAll(List.of(rs));
            next = 0;
        }

        ServerTime clock() {
            return new ServerTime(system, this::nanos, this::ask);
        }
    }

    @Test
    void aPiAnHourBehindStampsWithTheServersTimeFromItsQuickestReadingAndSaysSo() throws Exception {
        final Pi pi = new Pi();
        pi.behindMs = 3_600_000;
        // slow requests answered early or late would misread by up to 200 ms; the 20-ms one is read in its middle
        pi.requests(new long[] {400, 0}, new long[] {20, 500}, new long[] {300, 1000}, new long[] {50, 900});
        final ServerTime t = pi.clock();
        final List<Alarm> alarms = new ArrayList<>();
        t.onChange(ServerTime.alarms(t, alarms::add));
        assertThat(alarms).as("nothing to say before the first reading").isEmpty();

        assertThat(t.measure()).isEqualTo(3_600_000);
        assertThat(t.instant()).isEqualTo(Instant.ofEpochMilli(pi.trueMs));
        assertThat(alarms).hasSize(1);
        assertThat(alarms.get(0).state()).isEqualTo(Alarm.State.RAISED);
        assertThat(alarms.get(0).severity()).isEqualTo(Alarm.Severity.INFO);
        assertThat(alarms.get(0).cause()).isEqualTo(ServerTime.CAUSE);
        assertThat(alarms.get(0).time()).as("stamped with the corrected clock").isEqualTo(Instant.ofEpochMilli(pi.trueMs));
        assertThat(alarms.get(0).message()).startsWith("This Pi's clock is 1 h 0 min 0 s behind the control server's");

        // a minute later, the same again: nothing new to say
        pi.trueMs += 60_000;
        pi.requests(new long[] {30, 500}, new long[] {30, 500}, new long[] {30, 500}, new long[] {30, 500});
        assertThat(t.measure()).isEqualTo(3_600_000);
        assertThat(alarms).hasSize(1);
    }

    @Test
    void aClockWithinTwoSecondsOfTheServersIsTrusted() throws Exception {
        final Pi pi = new Pi();
        pi.behindMs = 1_500;
        pi.requests(new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500});
        final ServerTime t = pi.clock();
        final List<Alarm> alarms = new ArrayList<>();
        t.onChange(ServerTime.alarms(t, alarms::add));
        assertThat(t.measure()).isZero();
        assertThat(t.instant()).isEqualTo(pi.system.instant());
        assertThat(alarms).isEmpty();
    }

    @Test
    void whenNtpStepsTheSystemClockStampsStaySmoothAndTheCorrectionEnds() throws Exception {
        final Pi pi = new Pi();
        pi.behindMs = -7_200_000; // two hours ahead
        pi.requests(new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500});
        final ServerTime t = pi.clock();
        final List<Alarm> alarms = new ArrayList<>();
        t.onChange(ServerTime.alarms(t, alarms::add));
        assertThat(t.measure()).isEqualTo(-7_200_000);
        assertThat(alarms.get(0).message()).startsWith("This Pi's clock is 2 h 0 min 0 s ahead of the control server's");
        pi.trueMs += 1_000;
        assertThat(t.instant()).isEqualTo(Instant.ofEpochMilli(pi.trueMs));

        // NTP reaches a time server and steps the system clock back two hours
        pi.behindMs = 0;
        pi.trueMs += 250;
        assertThat(t.instant()).as("no jump").isEqualTo(Instant.ofEpochMilli(pi.trueMs));
        assertThat(t.offsetMs()).isZero();
        pi.requests(new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500});
        assertThat(t.measure()).isZero();
        assertThat(alarms).extracting(Alarm::state).containsExactly(Alarm.State.RAISED, Alarm.State.CLEARED);
        assertThat(alarms.get(1).message()).isEqualTo(
                "This Pi's clock agrees with the control server's again; the agent stamps with it.");
    }

    @Test
    void aThreadDescheduledBetweenItsTwoClockReadingsIsNotTakenForAStep() throws Exception {
        final Pi pi = new Pi();
        pi.behindMs = 3_600_000;
        pi.requests(new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500});
        final long[] stall = {0};
        // each monotonic reading after the first of a pair comes 2 s late: the thread lost the CPU in between
        final ServerTime t = new ServerTime(pi.system, () -> {
            final long n = pi.nanos() + stall[0];
            if (stall[0] > 0) {
                pi.trueMs += 2_000;
            }
            return n;
        }, pi::ask);
        assertThat(t.measure()).isEqualTo(3_600_000);
        stall[0] = 1;
        t.instant();
        stall[0] = 0;
        assertThat(t.offsetMs()).as("no step taken off").isEqualTo(3_600_000);
        assertThat(t.instant()).isEqualTo(Instant.ofEpochMilli(pi.trueMs));
    }

    @Test
    void anUnreachableServerKeepsTheLastCorrection() throws Exception {
        final Pi pi = new Pi();
        pi.behindMs = 600_000;
        pi.requests(new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500}, new long[] {10, 500});
        final ServerTime t = pi.clock();
        assertThat(t.measure()).isEqualTo(600_000);
        pi.requests();
        assertThatThrownBy(t::measure).isInstanceOf(IOException.class).hasMessageContaining("connection refused");
        t.refresh(); // logs, keeps it
        assertThat(t.offsetMs()).isEqualTo(600_000);
        assertThat(t.instant()).isEqualTo(Instant.ofEpochMilli(pi.trueMs));
    }

    @Test
    void readsTheClockOfARealControlServer(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir))) {
            // a Pi whose clock is an hour behind, against the server's own
            final Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
            final ServerTime t = new ServerTime(behind, System::nanoTime,
                    ServerTime.http(URI.create(server.httpUrl()), null, null));
            assertThat(t.measure()).isBetween(3_600_000L - 1_000, 3_600_000L + 1_000);
            assertThat(Duration.between(t.instant(), Instant.now()).abs()).isLessThan(Duration.ofSeconds(1));
            // a Pi whose clock is right
            final ServerTime right = new ServerTime(Clock.systemUTC(), System::nanoTime,
                    ServerTime.http(URI.create(server.httpUrl()), null, null));
            assertThat(right.measure()).isZero();
            // a wrong address is an error that names it
            final ServerTime wrong = new ServerTime(Clock.systemUTC(), System::nanoTime,
                    ServerTime.http(URI.create(server.httpUrl() + "nothing-here/"), null, null));
            assertThatThrownBy(wrong::measure).isInstanceOf(IOException.class)
                    .hasMessageContaining("nothing-here/api/device/time").hasMessageContaining("404");
        }
    }
}
