package dev.winnow.server.room;

import static dev.winnow.server.room.FloorTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.fleet.DeviceClocks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device whose clock is an hour behind (a Pi without a time server after a power cut), against a real server:
 * the fleet shows how far off its clock is, the line carries a warning alarm until the clock is set, and an alarm
 * left raised when the server stopped clears after a restart once the clock is right.
 */
class DeviceClockTest {

    private static final Duration INTERVAL = Duration.ofMillis(400);

    @TempDir
    Path tmp;

    /** Eight stats intervals from each device, sent live: {@code behind} is how far its clock is behind. */
    private static void live(final SimDevice dev, final Duration behind, final SimDevice right) throws Exception {
        for (int i = 0; i < 8; i++) {
            final Instant now = Instant.now();
            dev.statsEnding(now.minus(behind), INTERVAL);
            if (right != null) {
                right.statsEnding(now, INTERVAL);
            }
            Thread.sleep(INTERVAL.toMillis());
        }
    }

    private static List<JsonNode> clockAlarms(final Http http, final String which) throws Exception {
        final List<JsonNode> out = new ArrayList<>();
        http.get("/api/alarms").json().get(which).forEach(a -> {
            if (DeviceClocks.CAUSE.equals(a.path("cause").asText())) {
                out.add(a);
            }
        });
        return out;
    }

    private static JsonNode device(final Http http, final String name) throws Exception {
        for (JsonNode d : http.get("/api/fleet").json().get("devices")) {
            if (d.get("device").asText().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no device " + name);
    }

    @Test
    void aDeviceClockAnHourBehindIsShownAndAlarmedUntilItIsSetEvenAcrossAServerRestart() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral(tmp);
        try (WinnowServer server = WinnowServer.start(config);
             SimDevice pi1 = new SimDevice(server.mqttUrl(), "mill", "line-1", "pi-1");
             SimDevice pi2 = new SimDevice(server.mqttUrl(), "mill", "line-1", "pi-2")) {
            final Http http = new Http(server.httpUrl());
            pi1.online("0.9.0", Map.of("colour-1", "cotton-colour@1"));
            pi2.online("0.9.0", Map.of("colour-1", "cotton-colour@1"));
            live(pi1, Duration.ofHours(1), pi2);
            await("the clock alarm", () -> clockAlarms(http, "active").size() == 1);
            final JsonNode alarm = clockAlarms(http, "active").get(0);
            assertThat(alarm.get("device").asText()).isEqualTo("pi-1");
            assertThat(alarm.get("severity").asText()).isEqualTo("warning");
            assertThat(alarm.get("message").asText()).startsWith("The device's clock is 1 h 0 min 0 s behind the server's.");

            final JsonNode off = device(http, "pi-1").get("clock");
            assertThat(off.get("off").asBoolean()).isTrue();
            assertThat(off.get("offsetMs").asLong()).isBetween(3_600_000L, 3_605_000L);
            final JsonNode right = device(http, "pi-2").get("clock");
            assertThat(right.get("off").asBoolean()).isFalse();
            assertThat(Math.abs(right.get("offsetMs").asLong())).isLessThan(2_000L);
            // a warning: the line keeps running and shows it
            final JsonNode line = FloorTest.lines(http).get("line-1");
            assertThat(line.get("state").asText()).isEqualTo("running");
            assertThat(line.get("alarms")).extracting(a -> a.get("cause").asText()).containsExactly(DeviceClocks.CAUSE);

            // NTP sets the clock: cleared, with the raise and the clear in the history
            live(pi1, Duration.ZERO, null);
            await("the clock alarm cleared", () -> clockAlarms(http, "active").isEmpty());
            assertThat(clockAlarms(http, "history")).extracting(a -> a.get("state").asText())
                    .containsExactlyInAnyOrder("raised", "cleared");
            assertThat(device(http, "pi-1").get("clock").get("off").asBoolean()).isFalse();

            // off again when the server stops
            live(pi1, Duration.ofMinutes(-5), null);
            await("raised again", () -> clockAlarms(http, "active").size() == 1);
            assertThat(clockAlarms(http, "active").get(0).get("message").asText())
                    .startsWith("The device's clock is 5 min 0 s ahead of the server's.");
        }
        try (WinnowServer server = WinnowServer.start(config);
             SimDevice pi1 = new SimDevice(server.mqttUrl(), "mill", "line-1", "pi-1")) {
            final Http http = new Http(server.httpUrl());
            assertThat(clockAlarms(http, "active")).as("still raised after the restart").hasSize(1);
            assertThat(device(http, "pi-1").get("clock").isNull()).as("not read since the restart").isTrue();
            live(pi1, Duration.ZERO, null);
            await("cleared after the restart", () -> clockAlarms(http, "active").isEmpty());
        }
    }
}
