package dev.winnow.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.protocol.Stats;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.registry.Signer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model registry (upload, validation with the models module, immutable signed versions, size limits)
 * and rollouts (canary in audit mode, promote, automatic rollback on a failed load and on an error rate
 * above the threshold) against simulated devices answering over MQTT; OpenAPI and /metrics.
 */
class RegistryRolloutTest {

    static final Path MODELS = Path.of("..", "models", "src", "test", "resources", "models");

    @TempDir
    Path tmp;

    @Test
    void uploadValidateSignDeployPromoteAndRollBack() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")));
             SimDevice a = new SimDevice(server.mqttUrl(), "mill", "line-1", "pi-1");
             SimDevice b = new SimDevice(server.mqttUrl(), "mill", "line-2", "pi-2")) {
            final Http http = new Http(server.httpUrl());
            a.online("0.4.0", Map.of("cam-rgb", "colour-1.0.0"));
            b.online("0.4.0", Map.of("cam-rgb", "colour-1.0.0"));
            FloorTest.await("devices", () -> http.get("/api/fleet").json().get("devices").size() == 2);

            final byte[] onnx = Files.readAllBytes(MODELS.resolve("yolo-tiny/model.onnx"));
            final byte[] card = Files.readAllBytes(MODELS.resolve("yolo-tiny/model.json"));
            final Http.Reply up = upload(http, onnx, card);
            assertThat(up.status()).as(up.body()).isEqualTo(202);
            final String id = up.json().get("id").asText();
            final JsonNode v = awaitState(http, id);
            assertThat(v.get("state").asText()).as(v.toString()).isEqualTo("valid");
            assertThat(v.get("validation").get("checks").toString()).contains("matches the card")
                    .contains("reference images")
                    .as("the card's decision rule, which travels with the model to the line")
                    .contains("fires at a pp_twine when its sightings average 0.65 or more");
            // the signature verifies with the published key over the documented message
            final String pub = http.get("/api/models/signing-key").json().get("publicKey").asText();
            final Signature sig = Signature.getInstance("Ed25519");
            sig.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(pub))));
            sig.update(Signer.message("yolo-tiny", "1.0.0", v.get("sha256").asText(), v.get("cardSha256").asText())
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(sig.verify(Base64.getDecoder().decode(v.get("signature").asText()))).isTrue();
            assertThat(upload(http, onnx, card).status()).as("immutable versions").isEqualTo(409);

            // a graph that does not match its card is refused with the models module's message
            final Http.Reply bad = upload(http, Files.readAllBytes(MODELS.resolve("yolo-mismatch/model.onnx")),
                    Files.readAllBytes(MODELS.resolve("yolo-mismatch/model.json")));
            if (bad.status() == 202) {
                final JsonNode b2 = awaitState(http, bad.json().get("id").asText());
                assertThat(b2.get("state").asText()).isEqualTo("invalid");
                assertThat(b2.get("validation").get("error").asText()).isNotBlank();
            } else {
                assertThat(bad.status()).as(bad.body()).isEqualTo(400);
            }
            final Http.Reply tooBig = upload(http, onnx, new byte[1_600_000]);
            assertThat(tooBig.status()).isEqualTo(413);
            assertThat(tooBig.json().get("error").asText()).contains("model.json has 1.5 MiB");
            assertThat(upload(http, onnx, "{\"name\":".getBytes()).status()).isEqualTo(400);

            // canary to pi-1 in audit mode, then promote
            final Http.Reply started = http.post("/api/rollouts", Map.of("modelId", id, "maxErrorRate", 0.05,
                    "devices", List.of(Map.of("site", "mill", "line", "line-1", "device", "pi-1"))));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            final String r1 = started.json().get("id").asText();
            FloorTest.await("canary loaded", () -> deviceState(http, r1).equals("canary"));
            final var deploy = a.received.stream().filter(c -> c.name().equals("deploy-model")).findFirst().orElseThrow();
            assertThat(deploy.args().get("mode").asText()).isEqualTo("canary");
            assertThat(deploy.args().get("audit").asBoolean()).isTrue();
            assertThat(deploy.args().get("sha256").asText()).isEqualTo(v.get("sha256").asText());
            assertThat(deploy.args().get("signature").asText()).isEqualTo(v.get("signature").asText());
            final byte[] fetched = http.bytes(URI.create(deploy.args().get("onnxUrl").asText()).getPath());
            assertThat(fetched).isEqualTo(onnx);
            assertThat(http.post("/api/rollouts/" + r1 + "/promote", Map.of()).status()).isEqualTo(200);
            FloorTest.await("promoted", () -> http.get("/api/rollouts/" + r1).json().get("state").asText()
                    .equals("promoted"));
            assertThat(http.get("/api/rollouts/" + r1).json().get("steps").toString()).contains("\"by\":\"local\"")
                    .contains("\"action\":\"start\"").contains("\"action\":\"promote\"");

            // a device that cannot load the model: automatic halt and rollback of all canaries
            b.answer = c -> c.name().equals("deploy-model") ? "failed:signature does not verify" : null;
            final String r2 = http.post("/api/rollouts", Map.of("modelId", id, "devices", List.of(
                    Map.of("site", "mill", "line", "line-1", "device", "pi-1"),
                    Map.of("site", "mill", "line", "line-2", "device", "pi-2")))).json().get("id").asText();
            FloorTest.await("auto rollback", () -> http.get("/api/rollouts/" + r2).json().get("steps").toString()
                    .contains("device.rolled_back"));
            final JsonNode d2 = http.get("/api/rollouts/" + r2).json();
            assertThat(d2.get("state").asText()).isEqualTo("rolled_back");
            assertThat(d2.get("steps").toString()).contains("auto-halt").contains("signature does not verify");
            assertThat(a.received).anySatisfy(c -> assertThat(c.name()).isEqualTo("rollback-model"));

            // error rate above the threshold during the canary: automatic halt
            b.answer = c -> null;
            // the device's own record before the canary: 3 % of its frames dropped
            b.publish(dev.winnow.protocol.Topic.of("mill", "line-2", "pi-2", dev.winnow.protocol.Kind.STATS).toString(),
                    dev.winnow.protocol.WireCodec.encode(new Stats(java.time.Instant.now().minusSeconds(60),
                            java.time.Instant.now().minusSeconds(50), Stats.Mode.RUNNING, 1000, 30, 10, Map.of(),
                            Map.of(), 0, 0, 10, 20, 0, 30, 0, 50.0, null)), false);
            FloorTest.await("the earlier stats stored", () -> http.get("/api/fleet").json().toString().contains("pi-2"));
            Thread.sleep(500);
            final String r3 = http.post("/api/rollouts", Map.of("modelId", id, "maxErrorRate", 0.02, "devices",
                    List.of(Map.of("site", "mill", "line", "line-2", "device", "pi-2")))).json().get("id").asText();
            FloorTest.await("canary", () -> deviceState(http, r3).equals("canary"));
            final java.time.Instant t0 = java.time.Instant.now();
            final String statsTopic = dev.winnow.protocol.Topic.of("mill", "line-2", "pi-2",
                    dev.winnow.protocol.Kind.STATS).toString();
            // the device stalls while it loads the model: not judged (the first 10 s after the canary started) ...
            b.publish(statsTopic, dev.winnow.protocol.WireCodec.encode(new Stats(t0.plusMillis(200), t0.plusSeconds(5),
                    Stats.Mode.AUDIT, 100, 90, 10, Map.of("straw", 3L), Map.of(), 0, 2, 10, 20, 0, 30, 0, 50.0, null)),
                    false);
            // ... nor is a bad second once it settled, too few frames to judge the model by
            b.publish(statsTopic, dev.winnow.protocol.WireCodec.encode(new Stats(t0.plusSeconds(11), t0.plusSeconds(12),
                    Stats.Mode.AUDIT, 100, 50, 10, Map.of("straw", 3L), Map.of(), 0, 0, 10, 20, 0, 30, 0, 50.0, null)),
                    false);
            Thread.sleep(4500); // two passes of the error-rate watch
            assertThat(http.get("/api/rollouts/" + r3).json().get("state").asText()).isEqualTo("canary");
            assertThat(http.get("/api/rollouts/" + r3).json().get("devices").get(0).get("errorRateFrames").asLong())
                    .isEqualTo(100);
            // 2,000 more frames at 2 %: 4.3 % since it settled, above 2 % but not 2 points above the device's own 3 %
            b.publish(statsTopic, dev.winnow.protocol.WireCodec.encode(new Stats(t0.plusSeconds(12), t0.plusSeconds(22),
                    Stats.Mode.AUDIT, 2000, 30, 10, Map.of("straw", 3L), Map.of(), 0, 10, 10, 20, 0, 30, 0, 50.0, null)),
                    false);
            FloorTest.await("the longer stats counted", () -> http.get("/api/rollouts/" + r3).json().get("devices")
                    .get(0).get("errorRateFrames").asLong() == 2100);
            Thread.sleep(4500); // two passes of the error-rate watch
            assertThat(http.get("/api/rollouts/" + r3).json().get("state").asText())
                    .as("judged against the device's own rate before the canary").isEqualTo("canary");
            // 1,900 frames at 9 %: 6.5 % since it settled, 3.5 points above its own: halted
            b.publish(statsTopic, dev.winnow.protocol.WireCodec.encode(new Stats(t0.plusSeconds(22), t0.plusSeconds(32),
                    Stats.Mode.AUDIT, 1900, 160, 10, Map.of("straw", 3L), Map.of(), 0, 10, 10, 20, 0, 30, 0, 50.0, null)),
                    false);
            FloorTest.await("error-rate halt", () -> http.get("/api/rollouts/" + r3).json().get("steps").toString()
                    .contains("error rate 6.5 %"));
            assertThat(http.get("/api/rollouts/" + r3).json().get("steps").toString())
                    .as("the device's rate before the canary, for comparison")
                    .contains("error rate 6.5 % > 5.0 % (2.0 points above its own 3.0 % in the 30 min before the canary)");
            assertThat(http.post("/api/rollouts/" + r3 + "/promote", Map.of()).status()).isEqualTo(409);

            // a canary whose model fails on the device: the agent falls back by itself, raises model_fallback and
            // reports its old model; the rollout is halted, naming why
            final String r4 = http.post("/api/rollouts", Map.of("modelId", id, "devices",
                    List.of(Map.of("site", "mill", "line", "line-2", "device", "pi-2")))).json().get("id").asText();
            FloorTest.await("canary", () -> deviceState(http, r4).equals("canary"));
            assertThat(http.get("/api/rollouts/" + r4).json().get("devices").get(0).get("loadedDeviceTime").isNull())
                    .as("the device's own time of its answer is kept").isFalse();
            b.online("0.4.0", Map.of("cam-rgb", "yolo-tiny@1.0.0"));
            Thread.sleep(2500); // a pass of the monitor with the canary running: nothing to do
            assertThat(http.get("/api/rollouts/" + r4).json().get("state").asText()).isEqualTo("canary");
            b.alarm("fb-1", Alarm.State.RAISED, Alarm.Severity.WARNING, "model_fallback",
                    "camera cam-rgb: model yolo-tiny@1.0.0 failed 3 frames in a row (boom); fell back to colour-1.0.0");
            b.online("0.4.0", Map.of("cam-rgb", "colour-1.0.0"));
            FloorTest.await("canary lost", () -> http.get("/api/rollouts/" + r4).json().get("steps").toString()
                    .contains("canary.lost"));
            final JsonNode d4 = http.get("/api/rollouts/" + r4).json();
            assertThat(d4.get("state").asText()).isEqualTo("rolled_back");
            assertThat(d4.get("steps").toString()).contains("mill/line-2/pi-2 no longer runs yolo-tiny@1.0.0")
                    .contains("it fell back from the model by itself (camera cam-rgb: model yolo-tiny@1.0.0 failed 3 "
                            + "frames in a row (boom); fell back to colour-1.0.0)");

            // a canary cut short by a restart after which the device's clock reads an hour earlier (a Pi that
            // started before NTP): its start count, not its clock, says the status is newer
            b.online("0.5.0", Map.of("cam-rgb", "colour-1.0.0"), Instant.now(), 3);
            FloorTest.await("start 3 stored", () -> device(http, "pi-2").path("boot").asLong() == 3);
            final String r5 = http.post("/api/rollouts", Map.of("modelId", id, "devices",
                    List.of(Map.of("site", "mill", "line", "line-2", "device", "pi-2")))).json().get("id").asText();
            FloorTest.await("canary", () -> deviceState(http, r5).equals("canary"));
            assertThat(http.get("/api/rollouts/" + r5).json().get("devices").get(0).get("loadedBoot").asLong())
                    .as("the device's start count when it answered").isEqualTo(3);
            b.online("0.5.0", Map.of("cam-rgb", "yolo-tiny@1.0.0"), Instant.now(), 3);
            Thread.sleep(2500);
            assertThat(http.get("/api/rollouts/" + r5).json().get("state").asText()).isEqualTo("canary");
            final Instant early = Instant.now().minus(java.time.Duration.ofHours(1))
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            b.online("0.5.0", Map.of("cam-rgb", "colour-1.0.0"), early, 4);
            FloorTest.await("start 4 stored although its time is earlier",
                    () -> device(http, "pi-2").path("boot").asLong() == 4);
            assertThat(device(http, "pi-2").get("models").get("cam-rgb").asText()).isEqualTo("colour-1.0.0");
            FloorTest.await("canary lost", () -> http.get("/api/rollouts/" + r5).json().get("steps").toString()
                    .contains("canary.lost"));
            assertThat(http.get("/api/rollouts/" + r5).json().get("steps").toString())
                    .contains("the agent restarted (start 4; the canary ran in start 3");
            // the last will of start 3, arriving late, is older than start 4: the device stays online
            b.publish(Topic.of("mill", "line-2", "pi-2", Kind.STATUS).toString(),
                    WireCodec.encode(dev.winnow.protocol.Status.offline(Instant.now()).withBoot(3)), true);
            b.online("0.5.0", Map.of("cam-rgb", "colour-1.0.0"), early.plusSeconds(5), 4);
            FloorTest.await("start 4's next status stored", () -> Instant.parse(device(http, "pi-2")
                    .path("statusTime").asText()).equals(early.plusSeconds(5)));
            assertThat(device(http, "pi-2").get("online").asBoolean()).as("start 3's will came late").isTrue();

            // manual rollback of the promoted one, and the docs
            assertThat(http.post("/api/rollouts/" + r1 + "/rollback", Map.of()).status()).isEqualTo(200);
            assertThat(http.get("/api/openapi.json").json().get("paths").has("/api/rollouts/{id}/promote")).isTrue();
            final String metrics = http.get("/metrics").body();
            assertThat(metrics).contains("winnow_device_up{site=\"mill\",line=\"line-1\",device=\"pi-1\"} 1")
                    .contains("winnow_models{state=\"valid\"} 1").contains("# TYPE winnow_ingest_stored_total counter");
        }
    }

    /** A device as the fleet shows it. */
    static JsonNode device(final Http http, final String name) throws Exception {
        for (final JsonNode d : http.get("/api/fleet").json().path("devices")) {
            if (d.path("device").asText().equals(name)) {
                return d;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    static String deviceState(final Http http, final String id) throws Exception {
        return http.get("/api/rollouts/" + id).json().get("devices").get(0).get("state").asText();
    }

    @Test
    void aLabelledSetGivesMetricsAndAPictureOfTheMistakes() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")))) {
            final Http http = new Http(server.httpUrl());
            final byte[] onnx = Files.readAllBytes(MODELS.resolve("yolo-tiny/model.onnx"));
            final byte[] card = Files.readAllBytes(MODELS.resolve("yolo-tiny/model.json"));
            // The test graph finds plastic_film on a red image at (12,12)-(20,20) and pp_twine on a blue one at
            // (35,35)-(45,45): the red label is found, the blue one is elsewhere (a miss and a false alarm).
            final Http.Reply up = upload(http, onnx, card, ModelUploads.labelledSet());
            assertThat(up.status()).as(up.body()).isEqualTo(202);
            final String id = up.json().get("id").asText();
            final JsonNode v = awaitState(http, id);
            assertThat(v.get("state").asText()).as(v.toString()).isEqualTo("valid");
            assertThat(v.get("validation").get("checks").toString()).contains("mAP50 0.500").contains("on 2 labelled images");
            assertThat(v.get("validation").get("metrics").get("per_class").get("pp_twine").get("recall").asDouble())
                    .isZero();
            final String mistakes = v.get("validation").get("mistakes").asText();
            assertThat(mistakes).isEqualTo("/api/models/" + id + "/mistakes.png");
            final java.awt.image.BufferedImage sheet = javax.imageio.ImageIO.read(
                    new java.io.ByteArrayInputStream(http.bytes(mistakes)));
            assertThat(sheet.getHeight()).as("a band per class").isEqualTo(2 * (36 + 2 * (128 + 14 + 4)));

            // without a labelled set there is nothing to draw, and the answer says so
            final String card2 = new String(card, StandardCharsets.UTF_8).replace("\"1.0.0\"", "\"1.0.1\"");
            final String plain = upload(http, onnx, card2.getBytes(StandardCharsets.UTF_8)).json().get("id").asText();
            assertThat(awaitState(http, plain).get("state").asText()).isEqualTo("valid");
            final Http.Reply none = http.get("/api/models/" + plain + "/mistakes.png");
            assertThat(none.status()).isEqualTo(404);
            assertThat(none.json().get("error").asText()).contains("validated without a labelled set");
        }
    }

    @Test
    void aModelWithAVerifierIsStoredSignedAndDeployedWithIt() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")));
             SimDevice a = new SimDevice(server.mqttUrl(), "mill", "line-1", "pi-1")) {
            final Http http = new Http(server.httpUrl());
            a.online("0.4.0", Map.of("cam-rgb", "colour-1.0.0"));
            FloorTest.await("device", () -> http.get("/api/fleet").json().get("devices").size() == 1);
            final Path dir = MODELS.resolve("yolo-verified");
            final byte[] onnx = Files.readAllBytes(dir.resolve("model.onnx"));
            final byte[] card = Files.readAllBytes(dir.resolve("model.json"));
            final byte[] vOnnx = Files.readAllBytes(dir.resolve("twine-check/model.onnx"));
            final byte[] vCard = Files.readAllBytes(dir.resolve("twine-check/model.json"));

            // one negative answer per rule, each naming what is wrong; none stores anything
            final Http.Reply missing = ModelUploads.upload(http, onnx, card, null, Map.of());
            assertThat(missing.status()).as(missing.body()).isEqualTo(400);
            assertThat(missing.json().get("error").asText()).contains("not uploaded: [twine-check]")
                    .contains("'verify.{folder}.onnx'");
            final Http.Reply half = ModelUploads.upload(http, onnx, card, null, Map.of("verify.twine-check.onnx", vOnnx));
            assertThat(half.status()).isEqualTo(400);
            assertThat(half.json().get("error").asText()).contains("'verify.twine-check.card' is missing");
            final Http.Reply extra = ModelUploads.upload(http, onnx, card, null, Map.of("verify.twine-check.onnx", vOnnx,
                    "verify.twine-check.card", vCard, "verify.straw-check.onnx", vOnnx, "verify.straw-check.card", vCard));
            assertThat(extra.status()).isEqualTo(400);
            assertThat(extra.json().get("error").asText()).contains("uploaded but not named by the card: [straw-check]");
            final Http.Reply path = ModelUploads.upload(http, onnx, card, null, Map.of("verify.../x.onnx", vOnnx));
            assertThat(path.status()).isEqualTo(400);
            assertThat(path.json().get("error").asText()).contains("is not a verifier file");
            final Http.Reply notOneClass = ModelUploads.upload(http, onnx, card, null, Map.of(
                    "verify.twine-check.onnx", onnx, "verify.twine-check.card", card));
            if (notOneClass.status() == 202) {
                final JsonNode bad = awaitState(http, notOneClass.json().get("id").asText());
                assertThat(bad.get("state").asText()).isEqualTo("invalid");
                assertThat(bad.get("validation").get("error").asText()).contains("decision.verify.pp_twine");
            } else {
                assertThat(notOneClass.status()).isEqualTo(400);
            }
            assertThat(http.get("/api/models").json().get("models").toString()).doesNotContain("\"valid\"");

            final byte[] card2 = new String(card, StandardCharsets.UTF_8).replace("\"1.0.0\"", "\"1.1.0\"")
                    .getBytes(StandardCharsets.UTF_8);
            final Http.Reply up = ModelUploads.upload(http, onnx, card2, null, Map.of("verify.twine-check.onnx", vOnnx,
                    "verify.twine-check.card", vCard));
            assertThat(up.status()).as(up.body()).isEqualTo(202);
            final String id = up.json().get("id").asText();
            final JsonNode v = awaitState(http, id);
            assertThat(v.get("state").asText()).as(v.toString()).isEqualTo("valid");
            assertThat(v.get("validation").get("checks").toString())
                    .contains("each pp_twine is checked by twine-check on a 8x8 cut");
            assertThat(v.get("sizeBytes").asLong()).isEqualTo(onnx.length + vOnnx.length);
            final JsonNode stored = v.get("verifiers").get(0);
            assertThat(stored.get("class").asText()).isEqualTo("pp_twine");
            assertThat(stored.get("folder").asText()).isEqualTo("twine-check");
            assertThat(stored.get("sha256").asText()).isEqualTo(sha256(vOnnx));
            assertThat(stored.get("cardSha256").asText()).isEqualTo(sha256(vCard));

            // the signature covers every file: the v2 message with the verifier's hashes
            final String message = dev.winnow.protocol.ModelSignature.message("yolo-tiny", "1.1.0", sha256(onnx),
                    sha256(card2), List.of(new dev.winnow.protocol.ModelSignature.Verifier("pp_twine", "twine-check",
                            sha256(vOnnx), sha256(vCard))));
            assertThat(message).startsWith("winnow-model-v2\n");
            final String pub = http.get("/api/models/signing-key").json().get("publicKey").asText();
            final Signature sig = Signature.getInstance("Ed25519");
            sig.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(pub))));
            sig.update(message.getBytes(StandardCharsets.UTF_8));
            assertThat(sig.verify(Base64.getDecoder().decode(v.get("signature").asText()))).isTrue();

            // the rollout's command lists the verifier, and its files download from where it says
            final Http.Reply started = http.post("/api/rollouts", Map.of("modelId", id,
                    "devices", List.of(Map.of("site", "mill", "line", "line-1", "device", "pi-1"))));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            FloorTest.await("deploy sent", () -> a.received.stream().anyMatch(c -> c.name().equals("deploy-model")));
            final var deploy = a.received.stream().filter(c -> c.name().equals("deploy-model")).findFirst().orElseThrow();
            assertThat(deploy.args().get("signedMessage").asText()).isEqualTo(message);
            final JsonNode carried = deploy.args().get("verifiers").get(0);
            assertThat(carried.get("class").asText()).isEqualTo("pp_twine");
            assertThat(carried.get("sha256").asText()).isEqualTo(sha256(vOnnx));
            assertThat(http.bytes(URI.create(carried.get("onnxUrl").asText()).getPath())).isEqualTo(vOnnx);
            assertThat(http.bytes(URI.create(carried.get("cardUrl").asText()).getPath())).isEqualTo(vCard);
            assertThat(http.get("/api/device/models/" + id + "/other/model.onnx").status()).isEqualTo(404);
        }
    }

    static String sha256(final byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    static JsonNode awaitState(final Http http, final String id) throws Exception {
        final JsonNode[] last = new JsonNode[1];
        FloorTest.await("validation of " + id, () -> {
            last[0] = http.get("/api/models/" + id).json();
            return !last[0].get("state").asText().equals("validating");
        });
        return last[0];
    }

    static Http.Reply upload(final Http http, final byte[] onnx, final byte[] card) throws Exception {
        return ModelUploads.upload(http, onnx, card, null);
    }

    static Http.Reply upload(final Http http, final byte[] onnx, final byte[] card, final byte[] datasetZip)
            throws Exception {
        return ModelUploads.upload(http, onnx, card, datasetZip);
    }
}
