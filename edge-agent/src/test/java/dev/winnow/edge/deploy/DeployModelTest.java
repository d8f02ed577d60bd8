package dev.winnow.edge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.edge.detect.SwappableDetector;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.ModelSignature;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy-model / rollback-model against a stub server holding the models module's test models. */
class DeployModelTest {

    private static final Path MODELS = Path.of("..", "models", "src", "test", "resources", "models");
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            "pi-dev:secret".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path state;

    private HttpServer server;
    private KeyPair keys;
    private final AtomicInteger unauthorised = new AtomicInteger();
    private final LinkedBlockingQueue<CommandResult> results = new LinkedBlockingQueue<>();
    private final List<String> alarms = new CopyOnWriteArrayList<>();
    private final Map<String, Boolean> audit = new ConcurrentHashMap<>();
    private SwappableDetector camera;
    private ModelDeployer deployer;

    /** Stands for the model the camera ran before. */
    private static final class Baseline implements FrameDetector {
        boolean closed;

        @Override
        public List<PixelDetection> detect(final Frame frame) {
            return List.of();
        }

        @Override
        public String version() {
            return "cotton-colour@1.0.0";
        }

        @Override
        public Map<String, Double> minMeanConfidenceByClass() {
            return Map.of("feather", 0.6);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final Baseline baseline = new Baseline();

    @BeforeEach
    void start() throws Exception {
        keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        final Path keyFile = state.resolve("model-signing.json");
        Files.writeString(keyFile, "{\"algorithm\":\"Ed25519\",\"format\":\"X.509\",\"publicKey\":\""
                + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()) + "\"}");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/device/models/", ex -> {
            final Path file = MODELS.resolve(ex.getRequestURI().getPath().substring("/api/device/models/".length()))
                    .normalize();
            if (!AUTH.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                unauthorised.incrementAndGet();
                ex.sendResponseHeaders(401, -1);
            } else if (!Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
            } else {
                final byte[] body = Files.readAllBytes(file);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        camera = new SwappableDetector("cam-a", baseline);
        deployer = new ModelDeployer(state.resolve("models"), ModelDeployer.readSigningKey(keyFile), "pi-dev", "secret",
                List.of(new ModelDeployer.Target("cam-a", camera, 1, false)), audit::put, results::add, alarms::add,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        deployer.close();
        server.stop(0);
        camera.close();
    }

    private ObjectNode args(final String model, final String mode) throws Exception {
        final Path dir = MODELS.resolve(model);
        final String sha = ModelPackage.sha256(dir.resolve("model.onnx"));
        final String cardSha = ModelPackage.sha256(dir.resolve("model.json"));
        final var card = new ObjectMapper().readTree(dir.resolve("model.json").toFile());
        final String name = card.get("name").asText();
        final String version = card.get("version").asText();
        final String message = ModelDeployer.signedMessage(name, version, sha, cardSha);
        final Signature s = Signature.getInstance("Ed25519");
        s.initSign(keys.getPrivate());
        s.update(message.getBytes(StandardCharsets.UTF_8));
        final String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/device/models/" + model;
        final ObjectNode a = new ObjectMapper().createObjectNode();
        a.put("rolloutId", "r-1").put("modelId", "m-" + model).put("name", name).put("version", version)
                .put("onnxUrl", base + "/model.onnx").put("cardUrl", base + "/model.json").put("sha256", sha)
                .put("cardSha256", cardSha).put("signature", Base64.getEncoder().encodeToString(s.sign()))
                .put("signatureAlgorithm", "Ed25519").put("signedMessage", message).put("mode", mode)
                .put("audit", mode.equals("canary"));
        return a;
    }

    /** The arguments of a model whose card names verifiers, listing each and signed over every file. */
    private ObjectNode argsWithVerifiers(final String model, final String mode) throws Exception {
        final ObjectNode a = args(model, mode);
        final Path dir = MODELS.resolve(model);
        final var verify = new ObjectMapper().readTree(dir.resolve("model.json").toFile()).path("decision").path("verify");
        final List<ModelSignature.Verifier> signed = new java.util.ArrayList<>();
        final var list = a.putArray("verifiers");
        for (final var it = verify.fields(); it.hasNext(); ) {
            final var e = it.next();
            final String folder = e.getValue().asText();
            final String sha = ModelPackage.sha256(dir.resolve(folder).resolve("model.onnx"));
            final String cardSha = ModelPackage.sha256(dir.resolve(folder).resolve("model.json"));
            signed.add(new ModelSignature.Verifier(e.getKey(), folder, sha, cardSha));
            final String base = a.get("onnxUrl").asText().replace("/model.onnx", "/" + folder + "/");
            list.addObject().put("class", e.getKey()).put("folder", folder).put("onnxUrl", base + "model.onnx")
                    .put("cardUrl", base + "model.json").put("sha256", sha).put("cardSha256", cardSha);
        }
        return resign(a, signed);
    }

    /** Signs {@code a} again over its own fields and the given verifiers. */
    private ObjectNode resign(final ObjectNode a, final List<ModelSignature.Verifier> verifiers) throws Exception {
        final String message = ModelSignature.message(a.get("name").asText(), a.get("version").asText(),
                a.get("sha256").asText(), a.get("cardSha256").asText(), verifiers);
        final Signature s = Signature.getInstance("Ed25519");
        s.initSign(keys.getPrivate());
        s.update(message.getBytes(StandardCharsets.UTF_8));
        a.put("signature", Base64.getEncoder().encodeToString(s.sign())).put("signedMessage", message);
        return a;
    }

    @Test
    void aModelWithAVerifierArrivesWithItAndRunsIt() throws Exception {
        final CommandResult r = deploy(argsWithVerifiers("yolo-verified", "canary"));
        assertEquals(CommandResult.Outcome.DONE, r.outcome(), r.reason());
        assertEquals("yolo-tiny@1.0.0", camera.version());
        assertTrue(Files.isRegularFile(state.resolve("models/yolo-tiny/1.0.0/twine-check/model.onnx")));
        assertTrue(Files.isRegularFile(state.resolve("models/yolo-tiny/1.0.0/twine-check/model.json")));
        assertNotNull(camera.detect(frame()));
        assertTrue(alarms.isEmpty(), alarms.toString());
    }

    @Test
    void aVerifierThatIsNotTheSignedOneIsNeverLoaded() throws Exception {
        // the file on the server differs from the hash in the (signed) command
        final ObjectNode a = argsWithVerifiers("yolo-verified", "canary");
        final ObjectNode v = (ObjectNode) a.get("verifiers").get(0);
        v.put("sha256", "1".repeat(64));
        resign(a, List.of(new ModelSignature.Verifier("pp_twine", "twine-check", "1".repeat(64),
                v.get("cardSha256").asText())));
        final CommandResult r = deploy(a);
        assertEquals(CommandResult.Outcome.FAILED, r.outcome());
        assertTrue(r.reason().startsWith("verifiers.twine-check.sha256 mismatch"), r.reason());
        assertEquals("cotton-colour@1.0.0", camera.version());
        assertFalse(Files.exists(state.resolve("models/yolo-tiny")), "nothing stored");

        // a verifier signed over v1 (the server did not cover it): the signature does not verify
        final ObjectNode unsigned = argsWithVerifiers("yolo-verified", "canary");
        resign(unsigned, List.of());
        unsigned.remove("signedMessage");
        final CommandResult u = deploy(unsigned);
        assertEquals(CommandResult.Outcome.FAILED, u.outcome());
        assertTrue(u.reason().startsWith("signature"), u.reason());

        // the card names a verifier the command does not carry
        final CommandResult missing = deploy(args("yolo-verified", "canary"));
        assertEquals(CommandResult.Outcome.FAILED, missing.outcome());
        assertTrue(missing.reason().contains("the card's decision.verify is {pp_twine=twine-check} but the command "
                + "carries the verifiers {}"), missing.reason());
        assertEquals("cotton-colour@1.0.0", camera.version());
        assertFalse(Files.exists(state.resolve("models/yolo-tiny")), "nothing stored");
    }

    @Test
    void malformedVerifierListsAreRefusedNamingTheEntry() throws Exception {
        final ObjectNode good = argsWithVerifiers("yolo-verified", "canary");
        final Map<String, java.util.function.Consumer<ObjectNode>> breaks = new java.util.LinkedHashMap<>();
        breaks.put("verifiers: a non-empty list", a -> a.putArray("verifiers"));
        breaks.put("verifiers: a non-empty list ", a -> a.put("verifiers", "twine-check"));
        breaks.put("verifiers[0]: an object", a -> ((com.fasterxml.jackson.databind.node.ArrayNode) a.get("verifiers"))
                .set(0, a.textNode("x")));
        breaks.put("verifiers[0].extra: unknown key", a -> ((ObjectNode) a.get("verifiers").get(0)).put("extra", 1));
        breaks.put("verifiers[0].folder: '../up' is not valid",
                a -> ((ObjectNode) a.get("verifiers").get(0)).put("folder", "../up"));
        breaks.put("verifiers[0].sha256: required", a -> ((ObjectNode) a.get("verifiers").get(0)).remove("sha256"));
        breaks.put("verifiers[0].onnxUrl: an http(s) URL",
                a -> ((ObjectNode) a.get("verifiers").get(0)).put("onnxUrl", "file:///etc/passwd"));
        breaks.put("verifiers[1]: class pp_twine or folder twine-check is listed twice",
                a -> ((com.fasterxml.jackson.databind.node.ArrayNode) a.get("verifiers")).add(a.get("verifiers").get(0)
                        .deepCopy()));
        for (final Map.Entry<String, java.util.function.Consumer<ObjectNode>> b : breaks.entrySet()) {
            final ObjectNode a = good.deepCopy();
            a.remove("signedMessage");
            b.getValue().accept(a);
            final CommandResult r = deployer.handle(cmd("deploy-model", a));
            assertNotNull(r, b.getKey());
            assertEquals(CommandResult.Outcome.REFUSED, r.outcome(), b.getKey());
            assertTrue(r.reason().startsWith(b.getKey().strip()), b.getKey() + " -> " + r.reason());
        }
        assertEquals("cotton-colour@1.0.0", camera.version());
    }

    private static Command cmd(final String name, final ObjectNode args) {
        return new Command(UUID.randomUUID().toString(), name, Instant.now(), args);
    }

    /** Sends a deploy and returns its final result after checking it was accepted first. */
    private CommandResult deploy(final ObjectNode args) throws Exception {
        return await(cmd("deploy-model", args));
    }

    /** The command's final result: returned at once, or answered {@code accepted} first and sent later. */
    private CommandResult await(final Command c) throws Exception {
        final CommandResult immediate = deployer.handle(c);
        if (immediate != null) {
            return immediate;
        }
        final CommandResult accepted = results.poll(10, TimeUnit.SECONDS);
        assertNotNull(accepted);
        assertEquals(CommandResult.Outcome.ACCEPTED, accepted.outcome());
        final CommandResult last = results.poll(60, TimeUnit.SECONDS);
        assertNotNull(last, "no final result");
        assertEquals(c.id(), last.id());
        return last;
    }

    private static Frame frame() {
        return new Frame("cam-a", 1, 0, 0, 64, 48, new byte[64 * 48 * 3]);
    }

    @Test
    void goodCanaryDeploySwapsTheDetectorAndKeepsThePrevious() throws Exception {
        final CommandResult r = deploy(args("yolo-tiny", "canary"));
        assertEquals(CommandResult.Outcome.DONE, r.outcome(), r.reason());
        assertEquals("yolo-tiny@1.0.0", camera.version());
        assertEquals("cotton-colour@1.0.0", camera.previousVersion());
        assertEquals(Map.of("pp_twine", 0.65), camera.minMeanConfidenceByClass(),
                "the deployed model's card brings its decision rule");
        assertFalse(baseline.closed, "the previous model is kept");
        assertEquals(Boolean.TRUE, audit.get("cam-a"), "a canary runs its camera in audit mode");
        assertNotNull(camera.detect(frame()));
        assertTrue(Files.isRegularFile(state.resolve("models/yolo-tiny/1.0.0/model.onnx")));
        assertEquals(0, unauthorised.get());
        assertTrue(alarms.isEmpty(), alarms.toString());

        // promote: live leaves audit mode with the same model
        final CommandResult live = deploy(args("yolo-tiny", "live"));
        assertEquals(CommandResult.Outcome.DONE, live.outcome(), live.reason());
        assertEquals(Boolean.FALSE, audit.get("cam-a"));
        assertEquals("yolo-tiny@1.0.0", camera.version());
        assertEquals("cotton-colour@1.0.0", camera.previousVersion(), "promotion keeps the model before the canary");
    }

    @Test
    void wrongHashIsRefusedOrFailedNamingTheHash() throws Exception {
        final ObjectNode a = args("yolo-tiny", "canary");
        a.put("sha256", "0".repeat(64));
        a.remove("signedMessage");
        final CommandResult r = deploy(a);
        assertTrue(r.outcome() == CommandResult.Outcome.FAILED || r.outcome() == CommandResult.Outcome.REFUSED);
        assertTrue(r.reason().contains("sha256") && r.reason().contains("0".repeat(64)), r.reason());
        assertEquals("cotton-colour@1.0.0", camera.version());
        assertFalse(Files.exists(state.resolve("models/yolo-tiny/1.0.0")), "nothing stored");

        final ObjectNode b = args("yolo-tiny", "canary");
        b.put("sha256", "not-a-hash");
        final CommandResult refused = deploy(b);
        assertEquals(CommandResult.Outcome.REFUSED, refused.outcome());
        assertTrue(refused.reason().startsWith("sha256"), refused.reason());
    }

    @Test
    void badSignatureFails() throws Exception {
        final ObjectNode a = args("yolo-tiny", "canary");
        final KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        final Signature s = Signature.getInstance("Ed25519");
        s.initSign(other.getPrivate());
        s.update(a.get("signedMessage").asText().getBytes(StandardCharsets.UTF_8));
        a.put("signature", Base64.getEncoder().encodeToString(s.sign()));
        final CommandResult r = deploy(a);
        assertEquals(CommandResult.Outcome.FAILED, r.outcome());
        assertTrue(r.reason().contains("signature"), r.reason());
        assertEquals("cotton-colour@1.0.0", camera.version());

        // a payload message that differs from what the agent rebuilds is refused outright
        final ObjectNode b = args("yolo-tiny", "canary");
        b.put("signedMessage", "winnow-model-v1\nsomething\nelse\n");
        assertEquals(CommandResult.Outcome.REFUSED, deploy(b).outcome());
    }

    @Test
    void mismatchedModelFailsAndThePreviousStaysInUse() throws Exception {
        final CommandResult r = deploy(args("yolo-mismatch", "canary"));
        assertEquals(CommandResult.Outcome.FAILED, r.outcome());
        assertTrue(r.reason().contains("failed to load") && r.reason().contains("cam-a keeps cotton-colour@1.0.0"),
                r.reason());
        System.out.println("mismatch reason: " + r.reason());
        assertEquals("cotton-colour@1.0.0", camera.version());
        assertNull(camera.previousVersion());
        assertEquals(1, alarms.size(), "a load failure raises an alarm");
        assertNull(audit.get("cam-a"), "audit untouched");
    }

    @Test
    void onlyPromotionsAreKeptForTheNextStart() throws Exception {
        final ActiveModels kept = ActiveModels.open(state.resolve("models"));
        deployer.keepPromotions(kept);
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "canary")).outcome());
        assertTrue(ActiveModels.open(state.resolve("models")).live("cam-a").isEmpty(), "a canary is not kept");
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "live")).outcome());
        assertEquals(java.util.Optional.of(state.resolve("models/yolo-tiny/1.0.0")),
                ActiveModels.open(state.resolve("models")).live("cam-a"));
        final CommandResult back = deployer.handle(cmd("rollback-model",
                new ObjectMapper().createObjectNode().put("rolloutId", "r-1")));
        assertEquals(CommandResult.Outcome.DONE, back.outcome(), back.reason());
        assertTrue(ActiveModels.open(state.resolve("models")).live("cam-a").isEmpty(),
                "rolled back to the configured model");
    }

    /** The agent as a restart leaves it: the camera runs what active.json names, nothing kept in memory. */
    private SwappableDetector restart(final Baseline configured) throws Exception {
        deployer.close();
        final ActiveModels kept = ActiveModels.open(state.resolve("models"));
        final SwappableDetector restarted = new SwappableDetector("cam-a",
                kept.detectorFor("cam-a", 1, "the configured model", () -> configured));
        deployer = new ModelDeployer(state.resolve("models"), ModelDeployer.readSigningKey(
                state.resolve("model-signing.json")), "pi-dev", "secret",
                List.of(new ModelDeployer.Target("cam-a", restarted, 1, false, () -> configured)), audit::put,
                results::add, alarms::add, Clock.systemUTC());
        deployer.keepPromotions(kept);
        return restarted;
    }

    private CommandResult rollbackTo(final Object to) throws Exception {
        final ObjectNode a = new ObjectMapper().createObjectNode().put("rolloutId", "r-1");
        if (to instanceof String text) {
            a.put("to", text);
        } else if (to instanceof Integer n) {
            a.put("to", n);
        }
        return await(cmd("rollback-model", a));
    }

    @Test
    void aPromotionIsRolledBackAfterARestart() throws Exception {
        deployer.keepPromotions(ActiveModels.open(state.resolve("models")));
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "canary")).outcome());
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "live")).outcome());
        final Baseline configured = new Baseline();
        final SwappableDetector restarted = restart(configured);
        assertEquals("yolo-tiny@1.0.0", restarted.version(), "the promotion outlived the restart");
        assertNull(restarted.previousVersion(), "nothing is kept in memory after a restart");

        final CommandResult r = rollbackTo("cotton-colour@1.0.0,cotton-uv@1.0.0");
        assertEquals(CommandResult.Outcome.DONE, r.outcome(), r.reason());
        assertTrue(r.reason().contains("cam-a → cotton-colour@1.0.0 (opened again"), r.reason());
        assertEquals("cotton-colour@1.0.0", restarted.version());
        assertEquals(Map.of("feather", 0.6), restarted.minMeanConfidenceByClass());
        assertTrue(ActiveModels.open(state.resolve("models")).live("cam-a").isEmpty(),
                "the next start runs the configured model too");
        restarted.close();
    }

    @Test
    void aRollbackAfterARestartWhoseEarlierModelDoesNotLoadChangesNothing() throws Exception {
        deployer.keepPromotions(ActiveModels.open(state.resolve("models")));
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "live")).outcome());
        deployer.close();
        final ActiveModels kept = ActiveModels.open(state.resolve("models"));
        final SwappableDetector restarted = new SwappableDetector("cam-a",
                kept.detectorFor("cam-a", 1, "the configured model", Baseline::new));
        deployer = new ModelDeployer(state.resolve("models"), ModelDeployer.readSigningKey(
                state.resolve("model-signing.json")), "pi-dev", "secret",
                List.of(new ModelDeployer.Target("cam-a", restarted, 1, false, () -> {
                    throw new java.io.IOException("model.onnx is missing");
                })), audit::put, results::add, alarms::add, Clock.systemUTC());
        deployer.keepPromotions(kept);
        final CommandResult r = rollbackTo("cotton-colour@1.0.0");
        assertEquals(CommandResult.Outcome.FAILED, r.outcome());
        assertEquals("cam-a keeps yolo-tiny@1.0.0: the model it ran before does not load (model.onnx is missing); "
                + "nothing was rolled back", r.reason());
        assertEquals("yolo-tiny@1.0.0", restarted.version());
        assertEquals(java.util.Optional.of(state.resolve("models/yolo-tiny/1.0.0")),
                ActiveModels.open(state.resolve("models")).live("cam-a"), "the record is unchanged");
        assertTrue(alarms.contains(r.reason()), alarms.toString());
        restarted.close();
    }

    @Test
    void aCanaryCutShortByARestartLeavesTheEarlierPromotionInPlace() throws Exception {
        deployer.keepPromotions(ActiveModels.open(state.resolve("models")));
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "live")).outcome());
        // a later rollout's canary on this camera, then a power cut: the camera comes back on its promoted model
        final SwappableDetector restarted = restart(new Baseline());
        assertEquals("yolo-tiny@1.0.0", restarted.version());
        // the rollout's automatic rollback names what the device ran before it: the promoted model
        final CommandResult r = rollbackTo("yolo-tiny@1.0.0");
        assertEquals(CommandResult.Outcome.DONE, r.outcome(), r.reason());
        assertTrue(r.reason().contains("already on the model they ran before: cam-a yolo-tiny@1.0.0"), r.reason());
        assertEquals("yolo-tiny@1.0.0", restarted.version(), "the earlier promotion is not undone");
        assertEquals(java.util.Optional.of(state.resolve("models/yolo-tiny/1.0.0")),
                ActiveModels.open(state.resolve("models")).live("cam-a"));
        restarted.close();
    }

    @Test
    void aRollbackWithAMalformedToIsRefused() throws Exception {
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "canary")).outcome());
        final CommandResult number = rollbackTo(7);
        assertEquals(CommandResult.Outcome.REFUSED, number.outcome());
        assertTrue(number.reason().startsWith("to: must be the models run before"), number.reason());
        final CommandResult noVersion = rollbackTo("cotton-colour");
        assertEquals(CommandResult.Outcome.REFUSED, noVersion.outcome());
        assertEquals("to: 'cotton-colour' is not a model name@version", noVersion.reason());
        final ObjectNode a = new ObjectMapper().createObjectNode().put("rolloutId", "r-1");
        a.putObject("to").put("cam-a", 5);
        final CommandResult notText = deployer.handle(cmd("rollback-model", a));
        assertEquals(CommandResult.Outcome.REFUSED, notText.outcome());
        assertEquals("to.cam-a: must be a model name@version, got 5", notText.reason());
        assertEquals("yolo-tiny@1.0.0", camera.version(), "nothing changed");
    }

    @Test
    void rollbackReturnsToThePreviousModel() throws Exception {
        assertEquals(CommandResult.Outcome.REFUSED, deployer.handle(cmd("rollback-model",
                new ObjectMapper().createObjectNode().put("rolloutId", "r-1"))).outcome(), "nothing kept yet");
        assertEquals(CommandResult.Outcome.DONE, deploy(args("yolo-tiny", "canary")).outcome());
        final ObjectNode a = new ObjectMapper().createObjectNode().put("rolloutId", "r-1");
        a.putObject("to").put("cam-a", "cotton-colour@1.0.0");
        final CommandResult r = deployer.handle(cmd("rollback-model", a));
        assertEquals(CommandResult.Outcome.DONE, r.outcome(), r.reason());
        assertEquals("cotton-colour@1.0.0", camera.version());
        assertEquals(Map.of("feather", 0.6), camera.minMeanConfidenceByClass(), "and the old model's rule with it");
        assertEquals(Boolean.FALSE, audit.get("cam-a"), "back to the configured audit setting");
        assertNull(camera.previousVersion());
    }

    @Test
    void aNewModelThatKeepsThrowingFallsBackByItself() {
        final SwappableDetector d = new SwappableDetector("cam-b", baseline);
        final List<String> fell = new CopyOnWriteArrayList<>();
        d.onFallback(fell::add);
        d.swap(new FrameDetector() {
            @Override
            public List<PixelDetection> detect(final Frame frame) {
                throw new IllegalStateException("boom");
            }

            @Override
            public String version() {
                return "broken@2";
            }
        });
        for (int i = 1; i < SwappableDetector.FAILURES_BEFORE_FALLBACK; i++) {
            try {
                d.detect(frame());
            } catch (final IllegalStateException expected) {
                // counted
            }
        }
        assertEquals("broken@2", d.version());
        assertNotNull(d.detect(frame()));
        assertEquals("cotton-colour@1.0.0", d.version());
        assertEquals(1, fell.size());
        assertTrue(fell.get(0).contains("broken@2"), fell.get(0));
    }
}
