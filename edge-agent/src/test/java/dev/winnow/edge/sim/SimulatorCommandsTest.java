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
            // the server's model-signing key where the simulated agent looks for it, as the demo puts it there
            java.nio.file.Files.createDirectories(dir.resolve("agent"));
            java.nio.file.Files.writeString(dir.resolve("agent").resolve(Simulation.SIGNING_KEY_FILE),
                    new dev.winnow.server.room.Http(server.httpUrl()).get("/api/models/signing-key").body());
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

                // a model rollout: the shipped colour model as a new version, with its feather verifier, goes to the
                // colour camera (the one running that model) in audit mode, and the fleet shows it at once
                final dev.winnow.server.room.Http h = new dev.winnow.server.room.Http(server.httpUrl());
                final Path shipped = Path.of("..", "models", "cotton-colour");
                final JsonNode card = JSON.readTree(shipped.resolve("model.json").toFile());
                final String was = card.path("name").asText() + "@" + card.path("version").asText();
                assertThat(cameraModel(h, "colour-1")).isEqualTo(was);
                final byte[] next = java.nio.file.Files.readString(shipped.resolve("model.json"))
                        .replace(card.path("version").asText(), card.path("version").asText() + "-rollout")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                final dev.winnow.server.room.Http.Reply up = dev.winnow.server.room.ModelUploads.upload(h,
                        java.nio.file.Files.readAllBytes(shipped.resolve("model.onnx")), next, null, java.util.Map.of(
                                "verify.feather-verifier.onnx",
                                java.nio.file.Files.readAllBytes(shipped.resolve("feather-verifier/model.onnx")),
                                "verify.feather-verifier.card",
                                java.nio.file.Files.readAllBytes(shipped.resolve("feather-verifier/model.json"))));
                assertThat(up.status()).as(up.body()).isEqualTo(202);
                final String id = up.json().get("id").asText();
                await("the model is valid", () -> h.get("/api/models/" + id).json().get("state").asText().equals("valid"));
                final dev.winnow.server.room.Http.Reply started = h.post("/api/rollouts", java.util.Map.of("modelId", id,
                        "devices", java.util.List.of(java.util.Map.of("site", "sim-mill", "line", "line-1", "device", "pi-1"))));
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                final String rollout = started.json().get("id").asText();
                await("the canary runs", () -> h.get("/api/rollouts/" + rollout).json().get("devices").get(0).get("state")
                        .asText().equals("canary"));
                await("the fleet shows the new model", () -> cameraModel(h, "colour-1").equals(was + "-rollout"));
                assertThat(cameraModel(h, "uv-1")).as("the UV camera runs another model").doesNotContain("cotton-colour");
                assertThat(dir.resolve("agent/models/cotton-colour").resolve(card.path("version").asText() + "-rollout")
                        .resolve("feather-verifier/model.onnx")).isRegularFile();

                // promoted, it outlives the simulated agent's restart (the demo restarts a line that crashed)
                assertThat(h.post("/api/rollouts/" + rollout + "/promote", java.util.Map.of()).status()).isEqualTo(200);
                await("promoted", () -> h.get("/api/rollouts/" + rollout).json().get("state").asText().equals("promoted"));
                simulation.stop();
                runner.join(30_000);
                final String before = device(h).path("statusTime").asText();
                final Simulation again = new Simulation(new Simulation.Options(
                        Scenario.named("demo").withSeed(12), 0, true, server.mqttUrl(), "sim-mill", "line-1", "pi-1",
                        dir.resolve("agent"), 1, false, true));
                final Thread second = new Thread(() -> {
                    try {
                        again.run();
                    } catch (final Throwable e) {
                        failed.set(e);
                    }
                }, "simulation-restarted");
                second.start();
                try {
                    await("the restarted line's status", () -> device(h).path("online").asBoolean()
                            && !device(h).path("statusTime").asText().equals(before));
                    assertThat(cameraModel(h, "colour-1")).isEqualTo(was + "-rollout");
                } finally {
                    again.stop();
                    second.join(30_000);
                }
                assertThat(failed.get()).isNull();
            } finally {
                simulation.stop();
                runner.join(30_000);
            }
        }
    }

    private static String cameraModel(final dev.winnow.server.room.Http h, final String camera) throws Exception {
        return device(h).path("models").path(camera).asText();
    }

    private static JsonNode device(final dev.winnow.server.room.Http h) throws Exception {
        for (final JsonNode d : h.get("/api/fleet").json().path("devices")) {
            if (d.path("device").asText().equals("pi-1")) {
                return d;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
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
