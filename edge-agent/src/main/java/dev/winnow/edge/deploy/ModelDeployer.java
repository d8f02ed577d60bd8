package dev.winnow.edge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.OnnxFrameDetector;
import dev.winnow.edge.detect.SwappableDetector;
import dev.winnow.edge.inspect.FailSafe;
import dev.winnow.edge.link.LinkCredentials;
import dev.winnow.edge.link.Uplink;
import dev.winnow.models.card.ModelCard;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.ModelSignature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of model rollouts: {@code deploy-model} and {@code rollback-model}.
 *
 * <p>{@code deploy-model} is validated whole first (refused with a reason, nothing changed), answered
 * {@code accepted}, then on a background thread: both files, and both files of each verifier the command
 * lists, are downloaded (HTTP Basic with the device's credentials) into {@code {store}/.staging/}, their
 * SHA-256 checked against the command, the Ed25519 signature checked over the message the agent rebuilds
 * itself ({@link ModelSignature}) with the configured public key, the card's name, version and
 * {@code decision.verify} checked against the command, the folder
 * moved to {@code {store}/{name}/{version}/}, a detector opened per target camera, and only when every one
 * opened are they swapped in (between two frames; the pipelines keep running). The previous detectors are
 * kept for {@code rollback-model} and for the automatic fallback of {@link SwappableDetector}. The outcome
 * ({@code done} or {@code failed} with the reason) goes to the results sink.
 *
 * <p>Target cameras: those whose model has the deployed model's name; when none has, every camera the
 * deployer was given (cameras configured {@code classical: true} are never given). {@code audit: true}
 * (canary) puts the target cameras in audit mode (detect and report, never fire); {@code audit: false}
 * (promote) returns them to their configured audit setting.
 */
public final class ModelDeployer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDeployer.class);
    public static final long MAX_ONNX = 256L * 1024 * 1024;
    public static final long MAX_CARD = 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Set<String> DEPLOY_ARGS = Set.copyOf(Commands.arguments(Commands.DeployModel.NAME));
    private static final Set<String> ROLLBACK_ARGS = Set.copyOf(Commands.arguments(Commands.RollbackModel.NAME));

    /**
     * One camera a model may be deployed to.
     *
     * @param configured opens the camera's configured model again: what a rollback returns to after a restart took
     *                   the kept one from memory (nullable: such a rollback is refused, naming the camera)
     */
    public record Target(String camera, SwappableDetector detector, int threads, boolean configuredAudit,
                         ActiveModels.Configured configured) {

        /** A camera whose configured model is not opened again by a rollback. */
        public Target(final String camera, final SwappableDetector detector, final int threads,
                      final boolean configuredAudit) {
            this(camera, detector, threads, configuredAudit, null);
        }
    }

    private final Path store;
    private final PublicKey signingKey;
    private final String username;
    private final String password;
    private final List<Target> targets;
    private final BiConsumer<String, Boolean> cameraAudit;
    private final Consumer<CommandResult> results;
    private final Consumer<String> alarms;
    private final Clock wall;
    private final HttpClient http;
    private final ExecutorService worker;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile ActiveModels active;
    /** Per camera, the model last swapped in: the one a fallback abandons. */
    private final java.util.Map<String, String> swappedIn = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param store       the model store, {@code {stateDir}/models}
     * @param signingKey  the server's model-signing public key; null refuses every deployment
     * @param username    device user name for HTTP Basic (nullable: no authentication)
     * @param cameraAudit sets one camera's audit mode
     * @param results     where the later {@code accepted}/{@code done}/{@code failed} results go
     * @param alarms      told when a model fails to load or the agent falls back by itself
     */
    public ModelDeployer(final Path store, final PublicKey signingKey, final String username, final String password,
                         final List<Target> targets, final BiConsumer<String, Boolean> cameraAudit,
                         final Consumer<CommandResult> results, final Consumer<String> alarms, final Clock wall) {
        this.store = store;
        this.signingKey = signingKey;
        this.username = username;
        this.password = password;
        this.targets = List.copyOf(targets);
        this.cameraAudit = cameraAudit;
        this.results = results;
        this.alarms = alarms;
        this.wall = wall;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.worker = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "model-deploy");
            t.setDaemon(true);
            return t;
        });
        for (final Target t : this.targets) {
            t.detector().onFallback(reason -> {
                // Told on the inference thread: the record is written on the deployer's own thread.
                final String abandoned = swappedIn.get(t.camera());
                try {
                    worker.execute(() -> kept(t.camera(), false, abandoned));
                } catch (final java.util.concurrent.RejectedExecutionException e) {
                    // closing down: the next start reads the record as it was
                }
                alarms.accept(reason);
            });
        }
    }

    /**
     * Keeps every promotion and rollback in {@code active}, so a restart runs the promoted models (see
     * {@link ActiveModels}). Without it, a restart returns every camera to its configured model.
     */
    public void keepPromotions(final ActiveModels models) {
        this.active = models;
    }

    /**
     * Records a promotion of {@code model} ({@code name@version}, {@code live}) or a return from it to the previous
     * model; a failure to write is an alarm.
     */
    private void kept(final String camera, final boolean live, final String model) {
        final ActiveModels a = active;
        if (a == null) {
            return;
        }
        try {
            if (live) {
                final int at = model.indexOf('@');
                a.promoted(camera, model.substring(0, at), model.substring(at + 1));
            } else {
                a.rolledBack(camera, model);
            }
        } catch (final IOException e) {
            alarms.accept(camera + ": cannot record the model it runs in " + ActiveModels.FILE + " (" + e.getMessage()
                    + "): after a restart it will run another model");
        }
    }

    /**
     * A deployer on a line that reports to a control server: its results go out through {@code uplink}, a model
     * abandoned by itself raises the {@code model_fallback} warning, and {@code changed} runs after every change of
     * model (a deployment or rollback done, a fallback), so the device can announce what its cameras now run.
     */
    public static ModelDeployer reporting(final Path store, final PublicKey signingKey, final LinkCredentials creds,
                                          final List<Target> targets, final BiConsumer<String, Boolean> cameraAudit,
                                          final Uplink uplink, final FailSafe failSafe, final Runnable changed,
                                          final Clock wall) {
        return new ModelDeployer(store, signingKey, creds.username(), creds.password(), targets, cameraAudit, r -> {
            try {
                uplink.sendResult(r);
                if (r.outcome() == CommandResult.Outcome.DONE) {
                    changed.run();
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, reason -> {
            failSafe.warning("model_fallback", true, reason);
            changed.run();
        }, wall);
    }

    /**
     * Reads the model-signing public key: the JSON of {@code GET /api/models/signing-key}, a PEM
     * {@code PUBLIC KEY}, the Base64 of the X.509 DER, or the DER itself.
     */
    public static PublicKey readSigningKey(final Path file) throws IOException {
        final byte[] raw = Files.readAllBytes(file);
        byte[] der = raw;
        try {
            final String text = new String(raw, StandardCharsets.US_ASCII).trim();
            if (text.startsWith("{")) {
                final JsonNode n = new ObjectMapper().readTree(text);
                if (n.hasNonNull("algorithm") && !"Ed25519".equals(n.get("algorithm").asText())) {
                    throw new IOException(file + ": algorithm " + n.get("algorithm").asText() + " is not Ed25519");
                }
                der = Base64.getDecoder().decode(n.path("publicKey").asText());
            } else if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
                der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
            } else if (text.matches("[A-Za-z0-9+/=\\s]+")) {
                der = Base64.getMimeDecoder().decode(text);
            }
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 public key (X.509, Base64, PEM or the server's JSON): "
                    + e.getMessage(), e);
        }
    }

    /** The message the signature of a model without verifiers covers, rebuilt by the agent. */
    public static String signedMessage(final String name, final String version, final String sha256,
                                       final String cardSha256) {
        return ModelSignature.message(name, version, sha256, cardSha256);
    }

    /**
     * Handles {@code deploy-model} or {@code rollback-model}. A deployment is answered {@code accepted} through
     * the results sink and this returns null; its outcome follows through the sink. Otherwise returns the
     * result ({@code refused}, or {@code done}/{@code failed} of a rollback).
     */
    public CommandResult handle(final Command c) {
        return switch (c.name()) {
            case Commands.DeployModel.NAME -> deploy(c);
            case Commands.RollbackModel.NAME -> rollback(c);
            default -> result(c, CommandResult.Outcome.REFUSED, "not a model command: " + c.name());
        };
    }

    private CommandResult deploy(final Command c) {
        final Deploy d;
        try {
            d = Deploy.parse(c.args());
        } catch (final IllegalArgumentException e) {
            return result(c, CommandResult.Outcome.REFUSED, e.getMessage());
        }
        if (signingKey == null) {
            return result(c, CommandResult.Outcome.REFUSED,
                    "no model-signing key is configured on this agent (models.signingKey): it loads no unsigned model");
        }
        final List<Target> chosen;
        try {
            chosen = choose(d);
        } catch (final IllegalArgumentException e) {
            return result(c, CommandResult.Outcome.REFUSED, e.getMessage());
        }
        if (!busy.compareAndSet(false, true)) {
            return result(c, CommandResult.Outcome.REFUSED, "another model deployment or rollback is in progress");
        }
        results.accept(result(c, CommandResult.Outcome.ACCEPTED, null));
        worker.execute(() -> {
            CommandResult r;
            try {
                r = result(c, CommandResult.Outcome.DONE, apply(d, chosen));
            } catch (final DeployException e) {
                r = result(c, CommandResult.Outcome.FAILED, e.getMessage());
            } catch (final IOException | RuntimeException e) {
                r = result(c, CommandResult.Outcome.FAILED, d.label() + ": " + e);
            } finally {
                busy.set(false);
            }
            if (r.outcome() == CommandResult.Outcome.FAILED) {
                LOG.warn("deploy-model {} failed: {}", d.label(), r.reason());
            }
            results.accept(r);
        });
        return null;
    }

    private List<Target> choose(final Deploy d) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("this agent has no camera that runs a model");
        }
        if (d.cameras != null) {
            final List<Target> out = new ArrayList<>();
            for (final String cam : d.cameras) {
                out.add(targets.stream().filter(t -> t.camera().equals(cam)).findFirst().orElseThrow(() ->
                        new IllegalArgumentException("cameras: no model camera '" + cam + "' on this agent")));
            }
            return out;
        }
        final List<Target> same = targets.stream()
                .filter(t -> t.detector().version().startsWith(d.name + "@")).toList();
        return same.isEmpty() ? targets : same;
    }

    private String apply(final Deploy d, final List<Target> chosen) throws IOException {
        // A camera already running this version (a promotion after its canary) only changes audit mode.
        final List<Target> load = chosen.stream().filter(t -> !t.detector().version().equals(d.label())).toList();
        final Path dir = load.isEmpty() ? null : fetch(d);
        final List<FrameDetector> opened = new ArrayList<>();
        try {
            for (final Target t : load) {
                opened.add(OnnxFrameDetector.open(dir, t.threads()));
            }
        } catch (final IOException | RuntimeException e) {
            opened.forEach(FrameDetector::close);
            final String reason = d.label() + " failed to load: " + e.getMessage() + "; "
                    + load.stream().map(t -> t.camera() + " keeps " + t.detector().version()).toList();
            alarms.accept(reason);
            throw new DeployException(reason, e);
        }
        final List<String> what = new ArrayList<>();
        for (final Target t : chosen) {
            if (d.audit) {
                cameraAudit.accept(t.camera(), true);
            }
            final int i = load.indexOf(t);
            if (i >= 0) {
                swappedIn.put(t.camera(), d.label());
            }
            final String was = i < 0 ? "already running it" : "was " + t.detector().swap(opened.get(i));
            if (!d.audit) {
                cameraAudit.accept(t.camera(), t.configuredAudit());
                kept(t.camera(), true, d.label());
            }
            what.add(t.camera() + " (" + was + ")");
        }
        LOG.info("deploy-model: {} {} on {}", d.label(), d.audit ? "in audit (canary)" : "live", what);
        return d.label() + " " + (d.audit ? "in audit mode (canary)" : d.mode) + " on " + String.join(", ", what)
                + "; previous kept";
    }

    /** Downloads, verifies and stores the model; returns its folder in the store. */
    private Path fetch(final Deploy d) throws IOException {
        final Path staging = store.resolve(".staging").resolve(UUID.randomUUID().toString());
        Files.createDirectories(staging);
        try {
            final String onnxSha = download(d.onnxUrl, staging.resolve("model.onnx"), MAX_ONNX);
            if (!onnxSha.equals(d.sha256)) {
                throw new DeployException("sha256 mismatch: model.onnx from " + d.onnxUrl + " hashes to " + onnxSha
                        + ", the command says " + d.sha256);
            }
            final String cardSha = download(d.cardUrl, staging.resolve("model.json"), MAX_CARD);
            if (!cardSha.equals(d.cardSha256)) {
                throw new DeployException("cardSha256 mismatch: model.json from " + d.cardUrl + " hashes to " + cardSha
                        + ", the command says " + d.cardSha256);
            }
            final List<ModelSignature.Verifier> verifiers = new ArrayList<>();
            for (final VerifierSource v : d.verifiers) {
                final Path sub = Files.createDirectories(staging.resolve(v.folder()));
                final String vSha = download(v.onnxUrl(), sub.resolve("model.onnx"), MAX_ONNX);
                if (!vSha.equals(v.sha256())) {
                    throw new DeployException("verifiers." + v.folder() + ".sha256 mismatch: model.onnx from "
                            + v.onnxUrl() + " hashes to " + vSha + ", the command says " + v.sha256());
                }
                final String vCardSha = download(v.cardUrl(), sub.resolve("model.json"), MAX_CARD);
                if (!vCardSha.equals(v.cardSha256())) {
                    throw new DeployException("verifiers." + v.folder() + ".cardSha256 mismatch: model.json from "
                            + v.cardUrl() + " hashes to " + vCardSha + ", the command says " + v.cardSha256());
                }
                verifiers.add(new ModelSignature.Verifier(v.cls(), v.folder(), vSha, vCardSha));
            }
            final String message = ModelSignature.message(d.name, d.version, onnxSha, cardSha, verifiers);
            if (!verify(message, d.signature)) {
                throw new DeployException("signature: the Ed25519 signature of " + d.label()
                        + " does not verify with the configured model-signing key");
            }
            final ModelCard card;
            try {
                card = ModelCard.load(staging.resolve("model.json"));
            } catch (final RuntimeException e) {
                throw new DeployException(d.label() + ": invalid model card: " + e.getMessage(), e);
            }
            if (!card.name().equals(d.name) || !card.version().equals(d.version)) {
                throw new DeployException("the card describes " + card.name() + "@" + card.version() + ", not "
                        + d.label());
            }
            final java.util.Map<String, String> carried = new java.util.TreeMap<>();
            d.verifiers.forEach(v -> carried.put(v.cls(), v.folder()));
            if (!carried.equals(new java.util.TreeMap<>(card.verify()))) {
                throw new DeployException(d.label() + ": the card's decision.verify is " + new java.util.TreeMap<>(
                        card.verify()) + " but the command carries the verifiers " + carried);
            }
            final Path dir = store.resolve(d.name).resolve(d.version);
            Files.createDirectories(dir.getParent());
            if (Files.isDirectory(dir)) {
                deleteTree(dir);
            }
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
    }

    private boolean verify(final String message, final String signatureB64) {
        try {
            final Signature s = Signature.getInstance("Ed25519");
            s.initVerify(signingKey);
            s.update(message.getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signatureB64));
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Streams {@code url} to {@code file} (at most {@code max} bytes); returns its SHA-256 hex. */
    private String download(final String url, final Path file, final long max) throws IOException {
        final HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET();
        if (username != null) {
            rb.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)));
        }
        final HttpResponse<InputStream> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("download of " + url + " interrupted", e);
        } catch (final IOException e) {
            throw new DeployException("download of " + url + " failed: " + e, e);
        }
        try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(file)) {
            if (resp.statusCode() != 200) {
                throw new DeployException("download of " + url + " failed: HTTP " + resp.statusCode());
            }
            final MessageDigest md = MessageDigest.getInstance("SHA-256");
            final byte[] buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw new DeployException("download of " + url + " is larger than " + max + " bytes");
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Returns each camera to the model it ran before: the detector kept in memory since the deployment, or, after a
     * restart took that from memory, the model the promotion replaced (opened again from the store, or the configured
     * one). {@code to}, the models the device reported before the rollout (a text {@code name@version,...} or an
     * object camera → {@code name@version}), leaves alone a camera that already runs one of them: after a restart in
     * the middle of a canary, the camera is back on its live model, and must not lose an earlier promotion.
     * Everything needed is opened before anything changes; when a model has to be opened from disk the rollback is
     * answered {@code accepted} and finished on the deployer's thread (like a deployment), not the command thread.
     */
    private CommandResult rollback(final Command c) {
        final ObjectNode a = c.args();
        for (final Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            final String k = it.next();
            if (!ROLLBACK_ARGS.contains(k)) {
                return result(c, CommandResult.Outcome.REFUSED, k + ": unknown argument ("
                        + String.join(", ", Commands.arguments(Commands.RollbackModel.NAME)) + ")");
            }
        }
        final Set<String> before;
        try {
            before = rollbackTo(a.get(Commands.RollbackModel.TO));
        } catch (final IllegalArgumentException e) {
            return result(c, CommandResult.Outcome.REFUSED, e.getMessage());
        }
        if (!busy.compareAndSet(false, true)) {
            return result(c, CommandResult.Outcome.REFUSED, "a model deployment is in progress");
        }
        final List<String> already = new ArrayList<>();
        final List<Target> inMemory = new ArrayList<>();
        final List<Target> reopen = new ArrayList<>();
        final List<ActiveModels.Configured> openers = new ArrayList<>();
        final ActiveModels kept = active;
        for (final Target t : targets) {
            final String running = t.detector().version();
            if (before.contains(running)) {
                already.add(t.camera() + " " + running);
            } else if (t.detector().previousVersion() != null) {
                inMemory.add(t);
            } else if (kept != null && kept.promotedVersion(t.camera()).map(running::equals).orElse(false)) {
                final Path earlier = kept.previous(t.camera()).orElse(null);
                if (earlier == null && t.configured() == null) {
                    busy.set(false);
                    return result(c, CommandResult.Outcome.FAILED, t.camera() + ": runs " + running
                            + " since a restart; its configured model cannot be opened again here");
                }
                reopen.add(t);
                openers.add(earlier != null ? () -> OnnxFrameDetector.open(earlier, t.threads()) : t.configured());
            }
        }
        if (inMemory.isEmpty() && reopen.isEmpty() && already.isEmpty()) {
            busy.set(false);
            return result(c, CommandResult.Outcome.REFUSED, "no previous model is kept on this agent: nothing to roll back to");
        }
        if (reopen.isEmpty()) {
            try {
                return rollBack(c, inMemory, List.of(), List.of(), already);
            } finally {
                busy.set(false);
            }
        }
        // Models to open again from disk take a moment: answered like a deployment, on the deployer's thread.
        results.accept(result(c, CommandResult.Outcome.ACCEPTED, null));
        worker.execute(() -> {
            CommandResult r;
            final List<FrameDetector> opened = new ArrayList<>();
            try {
                for (int i = 0; i < reopen.size(); i++) {
                    try {
                        opened.add(openers.get(i).open());
                    } catch (final IOException | RuntimeException e) {
                        final Target t = reopen.get(i);
                        throw new DeployException(t.camera() + " keeps " + t.detector().version() + ": the model it "
                                + "ran before does not load (" + e.getMessage() + "); nothing was rolled back");
                    }
                }
                r = rollBack(c, inMemory, reopen, opened, already);
            } catch (final DeployException e) {
                opened.forEach(FrameDetector::close);
                alarms.accept(e.getMessage());
                r = result(c, CommandResult.Outcome.FAILED, e.getMessage());
            } finally {
                busy.set(false);
            }
            results.accept(r);
        });
        return null;
    }

    /** Applies a rollback once everything it needs is open: nothing changes before that. */
    private CommandResult rollBack(final Command c, final List<Target> inMemory, final List<Target> reopen,
                                   final List<FrameDetector> opened, final List<String> already) {
        final List<String> what = new ArrayList<>();
        for (final Target t : inMemory) {
            final String left = t.detector().version();
            final String now = t.detector().rollback();
            cameraAudit.accept(t.camera(), t.configuredAudit());
            kept(t.camera(), false, left);
            what.add(t.camera() + " → " + now);
        }
        for (int i = 0; i < reopen.size(); i++) {
            final Target t = reopen.get(i);
            final String left = t.detector().replace(opened.get(i));
            cameraAudit.accept(t.camera(), t.configuredAudit());
            kept(t.camera(), false, left);
            what.add(t.camera() + " → " + opened.get(i).version() + " (opened again: the agent restarted since " + left
                    + " was promoted)");
        }
        LOG.info("rollback-model: rolled back {}, already on their earlier models {}", what, already);
        final List<String> parts = new ArrayList<>();
        if (!what.isEmpty()) {
            parts.add("rolled back: " + String.join(", ", what));
        }
        if (!already.isEmpty()) {
            parts.add("already on the model they ran before: " + String.join(", ", already));
        }
        return result(c, CommandResult.Outcome.DONE, String.join("; ", parts));
    }

    /** The model versions of {@code rollback-model}'s {@code to}: absent, a comma-separated text, or an object. */
    static Set<String> rollbackTo(final JsonNode to) {
        if (to == null || to.isNull()) {
            return Set.of();
        }
        final Set<String> out = new java.util.LinkedHashSet<>();
        if (to.isTextual()) {
            for (final String v : to.asText().split(",")) {
                if (!v.isBlank()) {
                    out.add(v.trim());
                }
            }
        } else if (to.isObject()) {
            for (final Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("to." + e.getKey() + ": must be a model name@version, got "
                            + e.getValue());
                }
                out.add(e.getValue().asText());
            }
        } else {
            throw new IllegalArgumentException("to: must be the models run before (name@version, comma-separated, "
                    + "or an object camera → name@version), got " + to.getNodeType().toString().toLowerCase());
        }
        for (final String v : out) {
            if (v.indexOf('@') <= 0 || v.length() > 160) {
                throw new IllegalArgumentException("to: '" + (v.length() > 40 ? v.substring(0, 40) + "…" : v)
                        + "' is not a model name@version");
            }
        }
        return out;
    }

    private CommandResult result(final Command c, final CommandResult.Outcome o, final String reason) {
        return new CommandResult(c.id(), c.name(), o, reason, wall.instant());
    }

    private static void deleteTree(final Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (final Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    /** A failure whose message is the reason reported. */
    static final class DeployException extends IOException {
        DeployException(final String message) {
            super(message);
        }

        DeployException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    /** One entry of {@code verifiers}: where a verifier's files are and what they hash to. */
    record VerifierSource(String cls, String folder, String onnxUrl, String cardUrl, String sha256,
                          String cardSha256) {
    }

    /** Validated {@code deploy-model} arguments. */
    record Deploy(String rolloutId, String name, String version, String onnxUrl, String cardUrl, String sha256,
                  String cardSha256, String signature, String mode, boolean audit, List<String> cameras,
                  List<VerifierSource> verifiers) {

        String label() {
            return name + "@" + version;
        }

        static Deploy parse(final ObjectNode a) {
            for (final Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                final String k = it.next();
                if (!DEPLOY_ARGS.contains(k)) {
                    throw new IllegalArgumentException(k + ": unknown argument");
                }
            }
            final String rolloutId = text(a, "rolloutId", ID);
            if (a.has("modelId")) {
                text(a, "modelId", ID);
            }
            final String name = text(a, "name", NAME);
            final String version = text(a, "version", VERSION);
            final String onnxUrl = url(a, "onnxUrl");
            final String cardUrl = url(a, "cardUrl");
            final String sha = text(a, "sha256", HEX);
            final String cardSha = text(a, "cardSha256", HEX);
            final String sig = text(a, "signature", Pattern.compile("[A-Za-z0-9+/]{80,100}={0,2}"));
            try {
                if (Base64.getDecoder().decode(sig).length != 64) {
                    throw new IllegalArgumentException("signature: an Ed25519 signature is 64 bytes");
                }
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("signature: not Base64 of a 64-byte Ed25519 signature");
            }
            if (!"Ed25519".equals(a.path("signatureAlgorithm").asText(null))) {
                throw new IllegalArgumentException("signatureAlgorithm: only Ed25519 is accepted");
            }
            final List<VerifierSource> verifiers = verifiers(a.get(Commands.DeployModel.VERIFIERS));
            final String expected = ModelSignature.message(name, version, sha, cardSha, verifiers.stream()
                    .map(v -> new ModelSignature.Verifier(v.cls(), v.folder(), v.sha256(), v.cardSha256())).toList());
            if (a.has("signedMessage") && !expected.equals(a.get("signedMessage").asText())) {
                throw new IllegalArgumentException("signedMessage: does not match name, version, sha256, cardSha256"
                        + " and verifiers (the agent verifies the message it rebuilds itself)");
            }
            final String mode = a.path("mode").asText("");
            if (!mode.equals("canary") && !mode.equals("live")) {
                throw new IllegalArgumentException("mode: canary or live is required");
            }
            final JsonNode au = a.get("audit");
            if (au != null && !au.isBoolean()) {
                throw new IllegalArgumentException("audit: must be true or false");
            }
            final boolean audit = au == null ? mode.equals("canary") : au.asBoolean();
            if (mode.equals("canary") && !audit) {
                throw new IllegalArgumentException("audit: a canary runs in audit mode (audit: true)");
            }
            List<String> cameras = null;
            final JsonNode cams = a.get("cameras");
            if (cams != null) {
                if (!cams.isArray() || cams.isEmpty()) {
                    throw new IllegalArgumentException("cameras: a non-empty list of camera ids");
                }
                cameras = new ArrayList<>();
                for (final JsonNode n : cams) {
                    cameras.add(n.asText());
                }
            }
            return new Deploy(rolloutId, name, version, onnxUrl, cardUrl, sha, cardSha, sig, mode, audit, cameras,
                    verifiers);
        }

        /** {@code verifiers}: absent, or a non-empty list of complete entries with distinct classes and folders. */
        private static List<VerifierSource> verifiers(final JsonNode list) {
            if (list == null) {
                return List.of();
            }
            if (!list.isArray() || list.isEmpty()) {
                throw new IllegalArgumentException("verifiers: a non-empty list of {" + String.join(", ",
                        Commands.DeployModel.VERIFIER_KEYS) + "}");
            }
            final List<VerifierSource> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                final String at = "verifiers[" + i + "]";
                if (!list.get(i).isObject()) {
                    throw new IllegalArgumentException(at + ": an object is required");
                }
                final ObjectNode v = (ObjectNode) list.get(i);
                for (final Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                    final String k = it.next();
                    if (!Commands.DeployModel.VERIFIER_KEYS.contains(k)) {
                        throw new IllegalArgumentException(at + "." + k + ": unknown key");
                    }
                }
                final VerifierSource s;
                try {
                    s = new VerifierSource(text(v, "class", NAME), text(v, "folder", ModelCard.TOKEN),
                            url(v, "onnxUrl"), url(v, "cardUrl"), text(v, "sha256", HEX), text(v, "cardSha256", HEX));
                } catch (final IllegalArgumentException e) {
                    throw new IllegalArgumentException(at + "." + e.getMessage(), e);
                }
                if (out.stream().anyMatch(o -> o.cls().equals(s.cls()) || o.folder().equals(s.folder()))) {
                    throw new IllegalArgumentException(at + ": class " + s.cls() + " or folder " + s.folder()
                            + " is listed twice");
                }
                out.add(s);
            }
            return List.copyOf(out);
        }

        private static String text(final ObjectNode a, final String key, final Pattern p) {
            final JsonNode n = a.get(key);
            if (n == null || !n.isTextual()) {
                throw new IllegalArgumentException(key + ": required (text)");
            }
            if (!p.matcher(n.asText()).matches()) {
                throw new IllegalArgumentException(key + ": '" + abbreviate(n.asText()) + "' is not valid (" + p.pattern()
                        + ")");
            }
            return n.asText();
        }

        private static String url(final ObjectNode a, final String key) {
            final JsonNode n = a.get(key);
            if (n == null || !n.isTextual() || !n.asText().matches("(?i)https?://[^\\s]+")) {
                throw new IllegalArgumentException(key + ": an http(s) URL is required");
            }
            try {
                URI.create(n.asText());
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": not a valid URL: " + e.getMessage());
            }
            return n.asText();
        }

        private static String abbreviate(final String s) {
            return s.length() > 80 ? s.substring(0, 80) + "…" : s;
        }
    }
}
