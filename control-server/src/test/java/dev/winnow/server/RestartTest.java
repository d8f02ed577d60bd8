package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored data and device state survive a restart on the same data folder. */
class RestartTest {

    @Test
    void dataSurvivesARestart(@TempDir final Path data) throws Exception {
        final ServerConfig config = ServerConfig.ephemeral(data);
        try (WinnowServer server = WinnowServer.start(config); Devices d = new Devices(server.mqttUrl(), "dev-a")) {
            d.publish("mill", "r1", "pi-1", Devices.online());
            for (int i = 0; i < 20; i++) {
                d.publish("mill", "r1", "pi-1", Devices.reject("restart-" + i, "straw"));
            }
            Await.until("stored", Duration.ofSeconds(15), () -> server.store().countRejections() == 20);
        }
        try (WinnowServer server = WinnowServer.start(config); Devices d = new Devices(server.mqttUrl(), "dev-a")) {
            assertThat(server.store().countRejections()).isEqualTo(20);
            assertThat(server.store().lines(java.time.Instant.now())).singleElement()
                    .satisfies(l -> assertThat(l.online()).isEqualTo(1));
            // a replay of old ids after the restart is recognised
            d.publish("mill", "r1", "pi-1", Devices.reject("restart-3", "straw"));
            d.publish("mill", "r1", "pi-1", Devices.reject("restart-new", "straw"));
            Await.until("new one stored", Duration.ofSeconds(15), () -> server.store().countRejections() == 21);
            Await.until("replay counted", Duration.ofSeconds(15), () -> server.ingestCounters().duplicates() >= 1);
            assertThat(server.store().summary("mill", "r1", 5, java.time.Instant.now()).total()).isEqualTo(21);
        }
    }
}
