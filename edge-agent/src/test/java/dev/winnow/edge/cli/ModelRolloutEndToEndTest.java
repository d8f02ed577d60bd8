package dev.winnow.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.room.Http;
import dev.winnow.server.room.ModelUploads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose card names a verifier goes from an upload to the registry to the real agent
 * ({@code winnow-agent run} on the virtual line, device credentials and MQTT authentication on): the
 * server validates and signs every file, the rollout's command lists the verifier, the agent downloads
 * and checks each file, runs the model with its verifier in audit mode, and goes live on promotion.
 */
final class ModelRolloutEndToEndTest {

    private static final Path MODELS = Path.of("..", "models", "src", "test", "resources", "models").toAbsolutePath()
            .normalize();

    @Test
    void aModelAndItsVerifierAreRolledOutToTheRealAgent(@TempDir final Path dir) throws Exception {
        final ServerConfig sc = ServerConfig.ephemeral(dir.resolve("server")).withSecurity(SecurityConfig.production());
        try (WinnowServer server = WinnowServer.start(sc)) {
            final Http http = new Http("http://127.0.0.1:" + server.httpPort());
            final Credentials creds = server.devices().enrol("e2e-mill", "line-1", "pi-1");
            final Path agentDir = Files.createDirectories(dir.resolve("agent"));
            final Path key = agentDir.resolve("model-signing.json");
            Files.writeString(key, http.get("/api/models/signing-key").body());
            final Path file = agentDir.resolve("agent.yaml");
            // the other end-to-end test's line, its colour camera running a model and trusting the server's models
            final String base = AgentCommandsEndToEndTest.config(server.mqttUrl(), creds);
            final String colour = "source: {type: virtual, scenario: demo}\n    classical: true\n  - id: uv-1";
            assertThat(base).contains(colour);
            Files.writeString(file, base.replace(colour, "source: {type: virtual, scenario: demo}\n    model: "
                    + MODELS.resolve("yolo-tiny") + "\n  - id: uv-1") + "models: {signingKey: " + key + "}\n");

            // the detector with its verifier, as a new version of the model the camera runs
            final Path model = MODELS.resolve("yolo-verified");
            final byte[] card = Files.readString(model.resolve("model.json")).replace("\"1.0.0\"", "\"1.1.0\"")
                    .getBytes(StandardCharsets.UTF_8);
            final Http.Reply up = ModelUploads.upload(http, Files.readAllBytes(model.resolve("model.onnx")), card, null,
                    Map.of("verify.twine-check.onnx", Files.readAllBytes(model.resolve("twine-check/model.onnx")),
                            "verify.twine-check.card", Files.readAllBytes(model.resolve("twine-check/model.json"))));
            assertThat(up.status()).as(up.body()).isEqualTo(202);
            final String id = up.json().get("id").asText();

            final RunCommand agent = new RunCommand();
            agent.config = file;
            final AtomicReference<Throwable> failed = new AtomicReference<>();
            final Thread runner = new Thread(() -> {
                try {
                    agent.call();
                } catch (final Throwable e) {
                    failed.set(e);
                }
            }, "agent");
            runner.start();
            final String rollout;
            try {
                AgentCommandsEndToEndTest.await("the model is valid and the agent reports its first model", () ->
                        http.get("/api/models/" + id).json().get("state").asText().equals("valid")
                                && cameraModel(http).equals("yolo-tiny@1.0.0"), failed);
                final Http.Reply started = http.post("/api/rollouts", Map.of("modelId", id, "devices",
                        List.of(Map.of("site", "e2e-mill", "line", "line-1", "device", "pi-1"))));
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                rollout = started.json().get("id").asText();
                AgentCommandsEndToEndTest.await("the canary runs on the agent", () -> deviceState(http, rollout).equals("canary"), failed);
                AgentCommandsEndToEndTest.await("the agent reports the new model", () -> cameraModel(http).equals("yolo-tiny@1.1.0"), failed);
                AgentCommandsEndToEndTest.await("the canary's camera is in audit", () -> auditCameras(http)
                        .equals("[\"colour-1\"]"), failed);
                final Path stored = agentDir.resolve("state/models/yolo-tiny/1.1.0");
                assertThat(stored.resolve("twine-check/model.onnx")).hasSameBinaryContentAs(
                        model.resolve("twine-check/model.onnx"));
                assertThat(http.get("/api/rollouts/" + rollout).json().get("steps").toString())
                        .contains("pi-1 runs the model in audit mode");

                assertThat(http.post("/api/rollouts/" + rollout + "/promote", Map.of()).status()).isEqualTo(200);
                AgentCommandsEndToEndTest.await("promoted", () -> http.get("/api/rollouts/" + rollout).json().get("state").asText()
                        .equals("promoted"), failed);
                assertThat(cameraModel(http)).isEqualTo("yolo-tiny@1.1.0");
                AgentCommandsEndToEndTest.await("the promoted camera fires again", () -> auditCameras(http).equals("[]"),
                        failed);
                assertThat(failed.get()).isNull();
            } finally {
                agent.stop();
                runner.join(30_000);
            }
            assertThat(runner.isAlive()).isFalse();
            assertThat(failed.get()).isNull();

            // the agent restarts (a power cut, an update): the promoted model is what it runs, not the configured one
            final String before = device(http).path("statusTime").asText();
            final RunCommand again = new RunCommand();
            again.config = file;
            final Thread second = run(again, "agent-restarted", failed);
            try {
                AgentCommandsEndToEndTest.await("the restarted agent's status", () -> device(http).path("online")
                        .asBoolean() && !device(http).path("statusTime").asText().equals(before), failed);
                assertThat(cameraModel(http)).isEqualTo("yolo-tiny@1.1.0");
                assertThat(auditCameras(http)).isEqualTo("[]");
                assertThat(device(http).path("boot").asLong()).as("the agent's second start").isEqualTo(2);
                assertThat(Files.readString(agentDir.resolve("state/starts")).strip()).isEqualTo("2");

                // rolled back after the restart: the agent opens its configured model again
                assertThat(http.post("/api/rollouts/" + rollout + "/rollback", Map.of()).status()).isEqualTo(200);
                AgentCommandsEndToEndTest.await("the restarted agent rolled back", () ->
                        deviceState(http, rollout).equals("rolled_back"), failed);
                AgentCommandsEndToEndTest.await("the fleet shows the configured model again", () ->
                        cameraModel(http).equals("yolo-tiny@1.0.0"), failed);
                assertThat(Files.readString(agentDir.resolve("state/models/active.json"))).doesNotContain("1.1.0");

                // a new canary of the same model, cut short by a restart
                final String canary = http.post("/api/rollouts", Map.of("modelId", id, "devices",
                        List.of(Map.of("site", "e2e-mill", "line", "line-1", "device", "pi-1")))).json().get("id")
                        .asText();
                AgentCommandsEndToEndTest.await("the second canary runs", () -> deviceState(http, canary)
                        .equals("canary") && cameraModel(http).equals("yolo-tiny@1.1.0"), failed);
            } finally {
                again.stop();
                second.join(30_000);
            }
            assertThat(failed.get()).isNull();
            final RunCommand third = new RunCommand();
            third.config = file;
            final Thread thirdRun = run(third, "agent-restarted-again", failed);
            try {
                final String canary = http.get("/api/rollouts").json().get("rollouts").get(0).get("id").asText();
                AgentCommandsEndToEndTest.await("the canary cut short by the restart is halted and rolled back", () ->
                        deviceState(http, canary).equals("rolled_back"), failed);
                final JsonNode r = http.get("/api/rollouts/" + canary).json();
                assertThat(r.get("state").asText()).isEqualTo("rolled_back");
                assertThat(r.get("steps").toString()).contains("canary.lost")
                        .contains("e2e-mill/line-1/pi-1 no longer runs yolo-tiny@1.1.0")
                        .contains("the agent restarted (start 3; the canary ran in start 2, and a canary is not "
                                + "kept across a restart)");
                assertThat(r.get("devices").get(0).get("detail").asText()).startsWith("back on");
                assertThat(cameraModel(http)).isEqualTo("yolo-tiny@1.0.0");
            } finally {
                third.stop();
                thirdRun.join(30_000);
            }
            assertThat(failed.get()).isNull();
        }
    }

    /** Runs the agent on its own thread, as a service would start it; what it throws goes to {@code failed}. */
    private static Thread run(final RunCommand agent, final String name, final AtomicReference<Throwable> failed) {
        final Thread t = new Thread(() -> {
            try {
                agent.call();
            } catch (final Throwable e) {
                failed.set(e);
            }
        }, name);
        t.start();
        return t;
    }

    private static JsonNode device(final Http http) throws Exception {
        for (final JsonNode d : http.get("/api/fleet").json().path("devices")) {
            if (d.path("device").asText().equals("pi-1")) {
                return d;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String cameraModel(final Http http) throws Exception {
        return device(http).path("models").path("colour-1").asText();
    }

    private static String auditCameras(final Http http) throws Exception {
        return device(http).path("auditCameras").toString();
    }

    private static String deviceState(final Http http, final String rollout) throws Exception {
        return http.get("/api/rollouts/" + rollout).json().get("devices").get(0).get("state").asText();
    }
}
