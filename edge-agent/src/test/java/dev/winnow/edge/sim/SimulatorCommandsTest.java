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
 * operator sets the lot over HTTP, the simulated device applies it, and the events after it carry the lot.
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
