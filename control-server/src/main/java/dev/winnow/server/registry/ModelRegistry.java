package dev.winnow.server.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.winnow.models.Detector;
import dev.winnow.models.card.ModelCard;
import dev.winnow.models.card.ModelPackage;
import dev.winnow.models.dataset.YoloDataset;
import dev.winnow.models.eval.EvalReport;
import dev.winnow.models.eval.ErrorSheet;
import dev.winnow.models.eval.Evaluator;
import dev.winnow.models.onnx.OnnxModel;
import dev.winnow.protocol.ModelSignature;
import dev.winnow.server.api.Web;
import dev.winnow.server.fleet.FleetWeb;
import dev.winnow.server.fleet.RoomHub;
import dev.winnow.server.line.Json;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import dev.winnow.server.users.Actor;
import dev.winnow.server.users.Auth;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The model registry: upload a model folder ({@code model.onnx} + {@code model.json}, the verifiers its card
 * names in {@code decision.verify}, optionally a labelled YOLO set as a zip), validate it in the background with
 * live progress, keep it immutable under {@code {data}/models/{id}/} with the SHA-256 of every file and an Ed25519
 * signature over them ({@link ModelSignature}).
 *
 * <pre>
 * GET  /models                           page
 * POST /api/models                       multipart: onnx, card, [verify.{folder}.onnx + verify.{folder}.card
 *                                        per verifier], [dataset zip]  -> 202 {id}; 413 when too big
 * GET  /api/models                       every version with state and validation report
 * GET  /api/models/{id}
 * GET  /api/models/{id}/mistakes.png    the model's mistakes on the labelled set it was validated with (ErrorSheet)
 * SSE  /api/models/live                  snapshot (list) + progress events {id, stage, percent, message}
 * GET  /api/models/signing-key           the Ed25519 public key (X.509 DER, Base64)
 * GET  /api/device/models/{id}/model.onnx | model.json   downloads for devices (device credentials)
 * GET  /api/device/models/{id}/{folder}/model.onnx | model.json   a verifier's files, likewise
 * </pre>
 */
public final class ModelRegistry implements AutoCloseable {

    public static final long MAX_ONNX = 256L * 1024 * 1024;
    public static final long MAX_CARD = 1024 * 1024;
    public static final long MAX_DATASET = 512L * 1024 * 1024;
    /** A verifier is a small classifier of a cut; all of a model's verifier files together. */
    public static final long MAX_VERIFIERS = 64L * 1024 * 1024;
    public static final long MAX_REQUEST = MAX_ONNX + MAX_CARD + MAX_DATASET + MAX_VERIFIERS;
    /** Multipart field names of a verifier's files: {@code verify.{folder}.onnx} and {@code verify.{folder}.card}. */
    static final Pattern VERIFIER_PART = Pattern.compile("verify\\.(.*)\\.(onnx|card)");
    /** Drawn at validation when a labelled set comes with the model; never sent to devices. */
    static final String MISTAKES_FILE = "mistakes.png";

    /**
     * A stored version. {@code state}: validating, valid or invalid. {@code sizeBytes}: every ONNX file together.
     * {@code verifiers}: the second-look models its card names, empty when none.
     */
    public record Version(String id, String name, String version, String sha256, String cardSha256, String signature,
                          long sizeBytes, String state, Map<String, Object> validation, String uploadedBy,
                          Instant uploadedAt, List<ModelSignature.Verifier> verifiers) {
        public Version {
            verifiers = List.copyOf(verifiers);
        }

        /** What the signature covers. */
        public String signedMessage() {
            return ModelSignature.message(name, version, sha256, cardSha256, verifiers);
        }
    }

    private final Database db;
    private final RoomHub hub;
    private final Auth auth;
    private final Clock clock;
    private final Path root;
    private final Signer signer;
    private final FleetWeb.DeviceGate devices;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "winnow-model-validation");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Map<String, Object>> progress = new java.util.concurrent.ConcurrentHashMap<>();
    private final String page = Web.resource("/web/models.html");

    public ModelRegistry(final Database db, final RoomHub hub, final Auth auth, final Clock clock, final Path dataDir,
                         final FleetWeb.DeviceGate devices) {
        this.db = db;
        this.hub = hub;
        this.auth = auth;
        this.clock = clock;
        this.root = dataDir.resolve("models");
        this.signer = Signer.open(dataDir.resolve("keys"));
        this.devices = devices;
    }

    public Signer signer() {
        return signer;
    }

    public void install(final Javalin app) {
        hub.snapshot("models", () -> Map.of("models", list(), "progress", progress));
        app.get("/models", ctx -> ctx.html(page));
        app.get("/api/models", ctx -> ctx.json(Map.of("models", list())));
        app.get("/api/models/signing-key", ctx -> ctx.json(Map.of("algorithm", "Ed25519", "format", "X.509",
                "publicKey", signer.publicKeyBase64())));
        app.sse("/api/models/live", client -> hub.watch("models", client));
        app.get("/api/models/{id}", ctx -> ctx.json(find(ctx.pathParam("id"))));
        app.get("/api/models/{id}/" + MISTAKES_FILE, ctx -> {
            final Version v = find(ctx.pathParam("id"));
            final Path png = root.resolve(v.id()).resolve(MISTAKES_FILE);
            if (!"valid".equals(v.state()) || !Files.isRegularFile(png)) {
                throw new Web.NotFound(v.name() + " " + v.version() + " was validated without a labelled set: "
                        + "no mistakes to draw");
            }
            ctx.contentType("image/png").result(Files.newInputStream(png));
        });
        app.post("/api/models", this::upload);
        app.get("/api/device/models/{id}/{file}", ctx -> {
            final String who = devices.authenticate(ctx);
            if (who == null) {
                ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "device credentials required"));
                return;
            }
            final Version v = find(ctx.pathParam("id"));
            serve(ctx, v, root.resolve(v.id()), ctx.pathParam("file"));
        });
        app.get("/api/device/models/{id}/{folder}/{file}", ctx -> {
            final String who = devices.authenticate(ctx);
            if (who == null) {
                ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "device credentials required"));
                return;
            }
            final Version v = find(ctx.pathParam("id"));
            final String folder = ctx.pathParam("folder");
            if (v.verifiers().stream().noneMatch(x -> x.folder().equals(folder))) {
                throw new Web.NotFound(v.name() + " " + v.version() + " has no verifier '" + Web.cut(folder) + "'");
            }
            serve(ctx, v, root.resolve(v.id()).resolve(folder), ctx.pathParam("file"));
        });
    }

    private static void serve(final Context ctx, final Version v, final Path dir, final String file) throws IOException {
        if (!"valid".equals(v.state()) || !(file.equals(ModelPackage.ONNX_FILE) || file.equals(ModelPackage.CARD_FILE))) {
            throw new Web.NotFound("no such file of a valid model");
        }
        ctx.contentType(file.endsWith(".json") ? "application/json" : "application/octet-stream")
                .result(Files.newInputStream(dir.resolve(file)));
    }

    private void upload(final Context ctx) throws IOException {
        final long length = ctx.contentLength();
        if (length > MAX_REQUEST) {
            throw new TooLarge("the upload has " + mib(length) + "; at most " + mib(MAX_ONNX) + " for model.onnx, "
                    + mib(MAX_CARD) + " for model.json, " + mib(MAX_VERIFIERS) + " for its verifiers and "
                    + mib(MAX_DATASET) + " for the labelled set");
        }
        final UploadedFile onnx = ctx.uploadedFile("onnx");
        final UploadedFile card = ctx.uploadedFile("card");
        final UploadedFile dataset = ctx.uploadedFile("dataset");
        if (onnx == null || card == null) {
            throw new Web.BadInput("send the model folder as two files: 'onnx' (model.onnx) and 'card' (model.json)");
        }
        if (onnx.size() > MAX_ONNX) {
            throw new TooLarge("model.onnx has " + mib(onnx.size()) + "; at most " + mib(MAX_ONNX));
        }
        if (card.size() > MAX_CARD) {
            throw new TooLarge("model.json has " + mib(card.size()) + "; at most " + mib(MAX_CARD));
        }
        if (dataset != null && dataset.size() > MAX_DATASET) {
            throw new TooLarge("the labelled set has " + mib(dataset.size()) + "; at most " + mib(MAX_DATASET));
        }
        final Map<String, Map<String, UploadedFile>> verifierParts = verifierParts(ctx);
        final String id = UUID.randomUUID().toString();
        final Path incoming = root.resolve(".incoming").resolve(id);
        Files.createDirectories(incoming);
        final ModelPackage pkg;
        final List<ModelSignature.Verifier> verifiers = new ArrayList<>();
        long size = onnx.size();
        try {
            copy(onnx, incoming.resolve(ModelPackage.ONNX_FILE));
            copy(card, incoming.resolve(ModelPackage.CARD_FILE));
            for (final Map.Entry<String, Map<String, UploadedFile>> e : verifierParts.entrySet()) {
                final Path sub = Files.createDirectories(incoming.resolve(e.getKey()));
                copy(e.getValue().get("onnx"), sub.resolve(ModelPackage.ONNX_FILE));
                copy(e.getValue().get("card"), sub.resolve(ModelPackage.CARD_FILE));
                size += e.getValue().get("onnx").size();
            }
            if (dataset != null) {
                copy(dataset, incoming.resolve("dataset.zip"));
            }
            try {
                pkg = ModelPackage.load(incoming);
            } catch (IOException | RuntimeException e) {
                throw new Web.BadInput("the model folder is not valid: " + e.getMessage());
            }
            final java.util.SortedSet<String> named = new java.util.TreeSet<>(pkg.card().verify().values());
            if (!named.equals(verifierParts.keySet())) {
                final java.util.SortedSet<String> missing = new java.util.TreeSet<>(named);
                missing.removeAll(verifierParts.keySet());
                final java.util.SortedSet<String> extra = new java.util.TreeSet<>(verifierParts.keySet());
                extra.removeAll(named);
                throw new Web.BadInput("model.json's decision.verify " + pkg.card().verify() + " names the verifier "
                        + "folders " + named + (missing.isEmpty() ? "" : "; not uploaded: " + missing)
                        + (extra.isEmpty() ? "" : "; uploaded but not named by the card: " + extra)
                        + ". Send each folder's files as 'verify.{folder}.onnx' and 'verify.{folder}.card'");
            }
            for (final Map.Entry<String, String> e : new java.util.TreeMap<>(pkg.card().verify()).entrySet()) {
                final Path sub = incoming.resolve(e.getValue());
                verifiers.add(new ModelSignature.Verifier(e.getKey(), e.getValue(),
                        ModelPackage.sha256(sub.resolve(ModelPackage.ONNX_FILE)),
                        ModelPackage.sha256(sub.resolve(ModelPackage.CARD_FILE))));
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(incoming);
            throw e;
        }
        final String name = pkg.card().name();
        final String version = pkg.card().version();
        if (exists(name, version)) {
            deleteTree(incoming);
            throw new Web.Conflict(name + " " + version + " is already in the registry; versions are immutable: "
                    + "give the new model another version in model.json");
        }
        final String cardSha = ModelPackage.sha256(incoming.resolve(ModelPackage.CARD_FILE));
        final String user = Actor.of(ctx).username();
        update("INSERT INTO model_versions (id, name, version, sha256, card_sha256, size_bytes, state, uploaded_by, "
                + "uploaded_at, verifiers_json) VALUES (?,?,?,?,?,?,?,?,?,?)", id, name, version, pkg.sha256(), cardSha,
                size, "validating", user, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
                verifiers.isEmpty() ? null : Json.write(verifiers));
        auth.audit(ctx, "model.upload", name + " " + version, "sha256 " + pkg.sha256()
                + (verifiers.isEmpty() ? "" : ", verifiers " + pkg.card().verify()));
        progress(id, "queued", 0, "waiting for the validator");
        jobs.execute(() -> validate(id, incoming, cardSha));
        ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", id, "name", name, "version", version, "sha256", pkg.sha256()));
    }

    /** Loads, checks the graph against the card, runs reference inputs, evaluates a labelled set, signs. */
    private void validate(final String id, final Path dir, final String cardSha) {
        final Map<String, Object> report = new LinkedHashMap<>();
        final List<Map<String, Object>> checks = new ArrayList<>();
        report.put("checks", checks);
        try {
            progress(id, "load", 5, "reading the model folder");
            final ModelPackage pkg = ModelPackage.load(dir);
            final StringBuilder rules = new StringBuilder();
            new java.util.TreeMap<>(pkg.card().minMeanConfidence()).forEach((cls, min) -> rules
                    .append(rules.length() == 0 ? "; the agent fires at a " : ", a ").append(cls)
                    .append(String.format(java.util.Locale.ROOT, " when its sightings average %.2f or more", min)));
            checks.add(check("card", true, "model.json is valid: " + pkg.card().classes().size() + " classes, input "
                    + pkg.card().input().width() + "x" + pkg.card().input().height() + rules));
            progress(id, "graph", 15, "loading the ONNX graph and checking it against the card");
            try (OnnxModel model = new OnnxModel(pkg, 1)) {
                checks.add(check("graph", true, "the graph loads and matches the card (input " + model.inputName()
                        + ", output " + java.util.Arrays.toString(model.outputShape()) + ")"));
                progress(id, "reference", 25, "running reference images");
                final FloatBuffer in = model.input();
                final Random r = new Random(1);
                final String[] refs = {"grey", "noise", "gradient"};
                long totalNs = 0;
                for (int k = 0; k < refs.length; k++) {
                    for (int i = 0; i < in.capacity(); i++) {
                        in.put(i, k == 0 ? 0.5f : k == 1 ? r.nextFloat() : (i % 640) / 640f);
                    }
                    final long t0 = System.nanoTime();
                    final FloatBuffer out = model.run();
                    totalNs += System.nanoTime() - t0;
                    for (int i = 0; i < out.capacity(); i++) {
                        if (!Float.isFinite(out.get(i))) {
                            throw new IllegalStateException("the model gives non-finite output on the " + refs[k]
                                    + " reference image");
                        }
                    }
                    progress(id, "reference", 25 + 10 * (k + 1), "reference image " + (k + 1) + "/" + refs.length);
                }
                report.put("referenceLatencyMs", totalNs / 1e6 / refs.length);
                checks.add(check("reference", true, refs.length + " reference images run with finite outputs, "
                        + String.format("%.1f", totalNs / 1e6 / refs.length) + " ms each on the server"));
            }
            if (!pkg.card().verify().isEmpty()) {
                progress(id, "verifiers", 55, "loading the verifiers the card names");
                // Detector opens each verifier and refuses one that is not a one-class classifier with one tile.
                try (Detector ignored = new Detector(pkg, 1)) {
                    final StringBuilder d = new StringBuilder();
                    for (final Map.Entry<String, String> e : new java.util.TreeMap<>(pkg.card().verify()).entrySet()) {
                        final var in = ModelCard.load(dir.resolve(e.getValue()).resolve(ModelPackage.CARD_FILE)).input();
                        d.append(d.length() == 0 ? "" : "; ").append("each ").append(e.getKey()).append(" is checked by ")
                                .append(e.getValue()).append(" on a ").append(in.width()).append("x").append(in.height())
                                .append(" cut");
                    }
                    checks.add(check("verifiers", true, d + "; its confidence becomes the geometric mean of both"));
                }
            }
            final Path zip = dir.resolve("dataset.zip");
            if (Files.exists(zip)) {
                progress(id, "metrics", 60, "unpacking the labelled set");
                final Path ds = dir.resolve("dataset");
                unzip(zip, ds);
                final YoloDataset set = YoloDataset.open(findDatasetRoot(ds));
                final ErrorSheet sheet = new ErrorSheet(pkg.card().classes(), pkg.card().thresholdArray(), 12);
                final EvalReport eval = Evaluator.evaluate(pkg, set, 1, (done, total) ->
                        progress(id, "metrics", 60 + (int) (35.0 * done / Math.max(1, total)),
                                "evaluating image " + done + "/" + total), sheet::add);
                sheet.write(dir.resolve(MISTAKES_FILE));
                report.put("metrics", Json.MAPPER.readValue(eval.toJson(), new TypeReference<Map<String, Object>>() { }));
                report.put("mistakes", "/api/models/" + id + "/" + MISTAKES_FILE);
                checks.add(check("metrics", true, String.format("mAP50 %.3f, mAP50-95 %.3f on %d labelled images",
                        eval.map50(), eval.map50to95(), eval.images())));
                deleteTree(ds);
                Files.delete(zip);
            } else {
                checks.add(check("metrics", true, "no labelled set attached: metrics not computed"));
            }
            progress(id, "sign", 97, "signing");
            final Version v = find(id);
            if (!v.cardSha256().equals(cardSha)) {
                throw new IllegalStateException("model.json changed while it was validated");
            }
            final String signature = signer.sign(v.signedMessage());
            final Path target = root.resolve(id);
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            try (Stream<Path> files = Files.walk(target)) {
                files.filter(Files::isRegularFile).forEach(f -> f.toFile().setReadOnly());
            }
            report.put("ok", true);
            update("UPDATE model_versions SET state = 'valid', signature = ?, validation_json = ? WHERE id = ?",
                    signature, Json.write(report), id);
            auth.users().audit("system", "model.valid", v.name() + " " + v.version(), "signed");
            progress(id, "done", 100, "valid and signed");
        } catch (Exception | LinkageError e) {
            final String why = e.getMessage() == null ? e.toString() : e.getMessage();
            checks.add(check("failed", false, why));
            report.put("ok", false);
            report.put("error", why);
            update("UPDATE model_versions SET state = 'invalid', validation_json = ? WHERE id = ?", Json.write(report), id);
            auth.users().audit("system", "model.invalid", id, why);
            progress(id, "failed", 100, why);
            deleteTree(dir);
        }
    }

    private void progress(final String id, final String stage, final int percent, final String message) {
        final Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("stage", stage);
        p.put("percent", percent);
        p.put("message", message);
        progress.put(id, p);
        hub.publish("models", "progress", p);
        if (percent >= 100) {
            hub.poke("models");
        }
    }

    private static Map<String, Object> check(final String name, final boolean ok, final String detail) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("check", name);
        m.put("ok", ok);
        m.put("detail", detail);
        return m;
    }

    public List<Version> list() {
        return query("", List.of());
    }

    public Version find(final String id) {
        final List<Version> l = query(" WHERE id = ?", List.of(id));
        if (l.isEmpty()) {
            throw new Web.NotFound("no model version '" + Web.cut(id) + "'");
        }
        return l.get(0);
    }

    private boolean exists(final String name, final String version) {
        return !query(" WHERE name = ? AND version = ? AND state <> 'invalid'", List.of(name, version)).isEmpty();
    }

    private List<Version> query(final String where, final List<Object> args) {
        final List<Version> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT id, name, version, sha256, "
                + "card_sha256, signature, size_bytes, state, validation_json, uploaded_by, uploaded_at, verifiers_json "
                + "FROM model_versions"
                + where + " ORDER BY uploaded_at DESC")) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> v = null;
                    if (rs.getString(9) != null) {
                        try {
                            v = Json.MAPPER.readValue(rs.getString(9), new TypeReference<Map<String, Object>>() { });
                        } catch (IOException e) {
                            v = Map.of("error", "unreadable report");
                        }
                    }
                    List<ModelSignature.Verifier> verifiers = List.of();
                    if (rs.getString(12) != null) {
                        try {
                            verifiers = Json.MAPPER.readValue(rs.getString(12),
                                    new TypeReference<List<ModelSignature.Verifier>>() { });
                        } catch (IOException e) {
                            throw new StoreException(new SQLException("model version " + rs.getString(1)
                                    + " has unreadable verifiers_json: " + e.getMessage(), e));
                        }
                    }
                    out.add(new Version(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getLong(7), rs.getString(8), v, rs.getString(10),
                            rs.getObject(11, OffsetDateTime.class).toInstant(), verifiers));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private void update(final String sql, final Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** 413 with a message. */
    public static final class TooLarge extends RuntimeException {
        public TooLarge(final String message) {
            super(message);
        }
    }

    private static String mib(final long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /**
     * The verifier files of an upload, by folder: each folder needs both {@code onnx} and {@code card}, a plain
     * folder name, and the files within their limits. Checked before anything is written.
     */
    private static Map<String, Map<String, UploadedFile>> verifierParts(final Context ctx) {
        final Map<String, Map<String, UploadedFile>> out = new java.util.TreeMap<>();
        long total = 0;
        for (final Map.Entry<String, List<UploadedFile>> e : ctx.uploadedFileMap().entrySet()) {
            if (!e.getKey().startsWith("verify.")) {
                continue;
            }
            final java.util.regex.Matcher m = VERIFIER_PART.matcher(e.getKey());
            if (!m.matches() || !ModelCard.TOKEN.matcher(m.group(1)).matches()) {
                throw new Web.BadInput("'" + Web.cut(e.getKey()) + "' is not a verifier file: name them "
                        + "'verify.{folder}.onnx' and 'verify.{folder}.card', the folder as in decision.verify");
            }
            if (e.getValue().size() != 1) {
                throw new Web.BadInput("'" + e.getKey() + "' was sent " + e.getValue().size() + " times");
            }
            final UploadedFile f = e.getValue().get(0);
            final long max = m.group(2).equals("onnx") ? MAX_VERIFIERS : MAX_CARD;
            if (f.size() > max) {
                throw new TooLarge(e.getKey() + " has " + mib(f.size()) + "; at most " + mib(max));
            }
            total += f.size();
            if (total > MAX_VERIFIERS) {
                throw new TooLarge("the verifiers have more than " + mib(MAX_VERIFIERS) + " together");
            }
            out.computeIfAbsent(m.group(1), k -> new java.util.TreeMap<>()).put(m.group(2), f);
        }
        for (final Map.Entry<String, Map<String, UploadedFile>> e : out.entrySet()) {
            for (final String kind : List.of("onnx", "card")) {
                if (!e.getValue().containsKey(kind)) {
                    throw new Web.BadInput("the verifier " + e.getKey() + " needs both files: 'verify." + e.getKey()
                            + ".onnx' (model.onnx) and 'verify." + e.getKey() + ".card' (model.json); "
                            + "'verify." + e.getKey() + "." + kind + "' is missing");
                }
            }
        }
        return out;
    }

    private static void copy(final UploadedFile f, final Path to) throws IOException {
        try (InputStream in = f.content()) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void unzip(final Path zip, final Path to) throws IOException {
        final Path base = to.toAbsolutePath().normalize();
        long total = 0;
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                final Path p = base.resolve(e.getName()).normalize();
                if (!p.startsWith(base)) {
                    throw new IOException("the labelled set's zip has an entry outside its folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                total += Files.copy(z, p);
                if (total > 4 * MAX_DATASET) {
                    throw new IOException("the labelled set unpacks to more than " + mib(4 * MAX_DATASET));
                }
            }
        }
    }

    private static Path findDatasetRoot(final Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("data.yaml")).map(Path::getParent)
                    .min(Comparator.comparingInt(Path::getNameCount))
                    .orElseThrow(() -> new IOException("the labelled set has no data.yaml"));
        }
    }

    private static void deleteTree(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                p.toFile().setWritable(true);
                p.toFile().delete();
            });
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void close() {
        jobs.shutdownNow();
    }
}
