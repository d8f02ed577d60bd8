package dev.winnow.edge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.store.Rejection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator answers the control room's commands like a real agent (the demo runs simulators): an
 * operator sets the lot over HTTP, the simulated device applies it, and the events after it carry the lot;
 * a snapshot comes back as a JPEG of the camera's size; set-config is refused (no configuration file).
 */
final class SimulatorCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anOperatorSetsTheLotOfASimulatedLineAndLaterEventsCarryIt(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir.resolve("server")))) {
            final Simulation simulation = new Simulation(new Simulation.Options(
                    Scenario.named("demo").withSeed(11), 0, true, server.mqttUrl(), "sim-mill", "line-1", "pi-1",
                    dir.resolve("agent"), 1, false, true));
            final AtomicReference<Throwable> failed = new AtomicReference<>();
            final Thread runner = new Thread(() -> {
                try {
                    simulation.run();
                } catch (final Throwable e) {
                    failed.set(e);
                }
            }, "simulation");
            runner.start();
            try {
                final HttpClient http = HttpClient.newHttpClient();
                final String base = "http://127.0.0.1:" + server.httpPort();
                await("the simulated device reports", () -> http.send(HttpRequest.newBuilder(URI.create(base + "/api/fleet"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body().contains("pi-1"));

                final HttpResponse<String> set = http.send(HttpRequest.newBuilder(
                                URI.create(base + "/api/lines/sim-mill/line-1/lot"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"lot\":\"BALE-2026-117\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                final JsonNode answer = JSON.readTree(set.body());
                assertThat(answer.path("ok").asBoolean()).as(set.body()).isTrue();
                assertThat(answer.path("devices").get(0).path("state").asText()).isEqualTo("done");

                await("a rejection tagged with the lot", () -> server.store().latestRejections("sim-mill", "line-1", 500)
                        .stream().map(Rejection::lot).anyMatch("BALE-2026-117"::equals));

                // a snapshot: the simulator uploads the camera's last frame, the server serves the JPEG
                final String device = base + "/api/devices/sim-mill/line-1/pi-1";
                final HttpResponse<String> snap = http.send(HttpRequest.newBuilder(URI.create(device + "/snapshot"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"camera\":\"uv-1\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(snap.statusCode()).as(snap.body()).isEqualTo(200);
                final JsonNode shot = JSON.readTree(snap.body());
                assertThat(shot.path("reason").asText()).startsWith("uv-1: 320x240 JPEG");
                final HttpResponse<byte[]> jpeg = http.send(HttpRequest.newBuilder(URI.create(device + "/snapshots/"
                        + shot.path("id").asText() + ".jpg")).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(jpeg.statusCode()).isEqualTo(200);
                final java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(
                        new java.io.ByteArrayInputStream(jpeg.body()));
                assertThat(img.getWidth()).isEqualTo(320);
                assertThat(img.getHeight()).isEqualTo(240);

                // set-config: the simulator has no configuration file and says so
                final HttpResponse<String> cfg = http.send(HttpRequest.newBuilder(URI.create(device + "/config"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"yaml\":\"site: sim-mill\\nline: line-1\\n\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(cfg.statusCode()).isEqualTo(502);
                assertThat(JSON.readTree(cfg.body()).path("state").asText()).isEqualTo("refused");
                assertThat(JSON.readTree(cfg.body()).path("reason").asText()).contains("without a configuration file");
                assertThat(failed.get()).isNull();
            } finally {
                simulation.stop();
                runner.join(30_000);
            }
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(final String what, final Check check) throws Exception {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
