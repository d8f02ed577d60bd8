package dev.winnow.edge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.edge.camera.CameraPipeline;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.camera.Jpeg;
import dev.winnow.edge.config.AgentConfig;
import dev.winnow.edge.config.ConfigException;
import dev.winnow.edge.config.ConfigLoader;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.edge.inspect.FailSafe;
import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.Schema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the commands in {@link Commands} (names and arguments are taken from there, the
 * server uses the same): {@code test-fire {valve, ms?}}, {@code audit {enabled, camera?}},
 * {@code set-lot {lot}}, {@code snapshot {upload, camera?}}, {@code set-config {yaml}}, and
 * {@code deploy-model}/{@code rollback-model} (handed to the {@link dev.winnow.edge.deploy.ModelDeployer}).
 * Every argument is validated before anything changes, so a command is either applied whole or refused
 * with a reason that starts with the argument's name; an argument the command does not take is refused.
 *
 * <p>{@code snapshot}: the last frame of the named camera — when none is named, the first configured
 * camera, since the server keeps one image per command — is encoded as JPEG and PUT to the {@code upload}
 * URL with the device's credentials (HTTP Basic, the same ones model downloads use). With a results sink
 * ({@link #setResults}) the command is answered {@code accepted} at once and {@code done}/{@code failed}
 * after the upload, on a worker thread, so a slow server never holds up the MQTT callback thread; without
 * one it is answered when the upload ends. Nothing is kept on the device.
 *
 * <p>{@code set-config}: checked with the agent's own strict {@link ConfigLoader} (a refusal names the key;
 * nothing changes), and it may not change the device's site, line or device (its credentials and topics
 * belong to those). Then written next to the configuration file, flushed to disk and moved over it in one
 * step, the previous file kept as {@code {file}.previous}. It takes effect when the agent next starts (the
 * running agent is not reconfigured live: cameras, valves and the MQTT link are built at start). Without a
 * configuration file (the simulator) it is refused.
 */
public final class CommandHandler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHandler.class);
    /** How long a snapshot upload may take; below the server's wait for the final answer. */
    static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(8);

    private final LineInspector inspector;
    private final ValveScheduler scheduler;
    private final FailSafe failSafe;
    private final int valves;
    private final Clock wall;
    private final LineClock clock;
    private final List<CameraPipeline> pipelines;
    private volatile dev.winnow.edge.deploy.ModelDeployer models;
    private volatile Consumer<CommandResult> results;
    private volatile Runnable statusChange = () -> { };
    private volatile String username;
    private volatile String password;
    private volatile Path configFile;
    private volatile AgentConfig running;
    private volatile HttpClient http;
    private volatile ExecutorService worker;

    public CommandHandler(final LineInspector inspector, final ValveScheduler scheduler, final FailSafe failSafe,
                          final int valves, final Clock wall, final LineClock clock, final List<CameraPipeline> pipelines) {
        this.inspector = inspector;
        this.scheduler = scheduler;
        this.failSafe = failSafe;
        this.valves = valves;
        this.wall = wall;
        this.clock = clock;
        this.pipelines = List.copyOf(pipelines);
    }

    /**
     * Told after a command changed what the device announces in its status (an audit command done, a rollback done),
     * so it can announce it again. Deployments tell their own listener when they finish.
     */
    public void onStatusChange(final Runnable listener) {
        this.statusChange = listener;
    }

    /** Enables {@code deploy-model} and {@code rollback-model} (refused without it). */
    public void setModelDeployer(final dev.winnow.edge.deploy.ModelDeployer deployer) {
        this.models = deployer;
    }

    /**
     * Where results that come later go ({@code snapshot}: {@code accepted} at once, then {@code done} or
     * {@code failed} after the upload); without a sink a snapshot is answered when its upload ends.
     */
    public void setResults(final Consumer<CommandResult> sink) {
        this.results = sink;
    }

    /** The device's HTTP Basic credentials for snapshot uploads (both nullable: no authentication). */
    public void setDeviceCredentials(final String user, final String pass) {
        this.username = user;
        this.password = pass;
    }

    /**
     * Enables {@code set-config}: the file the agent was started from and the configuration read from it
     * (whose site, line and device a new configuration must keep). Without it {@code set-config} is refused.
     */
    public void setConfigFile(final Path file, final AgentConfig current) {
        this.configFile = file;
        this.running = current;
    }

    /**
     * @return the result to send, or null when the command answers by itself later through the results
     *         sink ({@code deploy-model}; {@code snapshot} when a sink is set)
     */
    public CommandResult handle(final Command c) {
        final CommandResult r = dispatch(c);
        if (r != null && r.outcome() == CommandResult.Outcome.DONE
                && (c.name().equals(Commands.Audit.NAME) || c.name().equals(Commands.RollbackModel.NAME))) {
            statusChange.run();
        }
        return r;
    }

    private CommandResult dispatch(final Command c) {
        try {
            final ObjectNode a = c.args();
            switch (c.name()) {
                case Commands.TestFire.NAME -> {
                    only(c.name(), a);
                    final int valve = integer(a, Commands.TestFire.VALVE, 0, valves - 1, null);
                    final double ms = number(a, Commands.TestFire.MS, 1, 1000, 50.0);
                    if (inspector.audit()) {
                        return refuse(c, "the line is in audit mode: valves never fire");
                    }
                    if (failSafe != null && failSafe.faulted()) {
                        return refuse(c, "the line is faulted: " + failSafe.activeFaults().keySet());
                    }
                    final long now = clock.nanos();
                    if (!scheduler.schedule(valve, valve, now + 1_000_000, now + 1_000_000 + Math.round(ms * 1e6))) {
                        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.FAILED,
                                "valve " + valve + " has too many pulses pending", wall.instant());
                    }
                    return done(c, "valve " + valve + " fired for " + fmt(ms) + " ms");
                }
                case Commands.Audit.NAME -> {
                    only(c.name(), a);
                    final JsonNode enabled = a.get(Commands.Audit.ENABLED);
                    if (enabled == null || !enabled.isBoolean()) {
                        return refuse(c, Commands.Audit.ENABLED + ": true or false is required");
                    }
                    final boolean on = enabled.asBoolean();
                    if (a.has(Commands.Audit.CAMERA)) {
                        final CameraPipeline p = camera(a, Commands.Audit.CAMERA);
                        inspector.setCameraAudit(p.cameraId(), on);
                    } else {
                        inspector.setAudit(on);
                        if (failSafe != null) {
                            failSafe.setAudit(on);
                        }
                    }
                    return done(c, null);
                }
                case Commands.SetLot.NAME -> {
                    only(c.name(), a);
                    final JsonNode lot = a.get(Commands.SetLot.LOT);
                    if (lot == null || !(lot.isNull() || lot.isTextual() && lot.asText().matches("[A-Za-z0-9._/-]{1,64}"))) {
                        return refuse(c, Commands.SetLot.LOT
                                + ": 1..64 characters of A-Z a-z 0-9 . _ / -, or null to clear");
                    }
                    inspector.setLot(lot.isNull() ? null : lot.asText());
                    return done(c, null);
                }
                case Commands.Snapshot.NAME -> {
                    return snapshot(c, a);
                }
                case Commands.SetConfig.NAME -> {
                    return setConfig(c, a);
                }
                case Commands.DeployModel.NAME, Commands.RollbackModel.NAME -> {
                    final dev.winnow.edge.deploy.ModelDeployer d = models;
                    if (d == null) {
                        return refuse(c, "model deployment is not enabled on this agent (needs mqtt and a camera"
                                + " running a model)");
                    }
                    return d.handle(c);
                }
                default -> {
                    return refuse(c, "unknown command '" + c.name() + "' (" + String.join(", ", Commands.names()) + ")");
                }
            }
        } catch (final IllegalArgumentException e) {
            return refuse(c, e.getMessage());
        } catch (final IOException | RuntimeException e) {
            return failed(c, String.valueOf(e.getMessage()));
        }
    }

    // ------------------------------------------------------------------ snapshot

    private CommandResult snapshot(final Command c, final ObjectNode a) {
        only(c.name(), a);
        final String upload = url(a, Commands.Snapshot.UPLOAD);
        final CameraPipeline p;
        if (a.has(Commands.Snapshot.CAMERA)) {
            p = camera(a, Commands.Snapshot.CAMERA);
        } else if (pipelines.isEmpty()) {
            return refuse(c, "this agent has no camera");
        } else {
            p = pipelines.get(0);
        }
        final Frame f = p.lastFrame();
        if (f == null) {
            return failed(c, "camera " + p.cameraId() + " has no frame yet");
        }
        final Consumer<CommandResult> sink = results;
        if (sink == null) {
            return upload(c, f, upload);
        }
        sink.accept(new CommandResult(c.id(), c.name(), CommandResult.Outcome.ACCEPTED, null, wall.instant()));
        worker().execute(() -> sink.accept(upload(c, f, upload)));
        return null;
    }

    private CommandResult upload(final Command c, final Frame f, final String url) {
        try {
            final byte[] jpeg = Jpeg.encode(f);
            final HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(UPLOAD_TIMEOUT)
                    .header("Content-Type", "image/jpeg").PUT(HttpRequest.BodyPublishers.ofByteArray(jpeg));
            final String user = username;
            if (user != null) {
                rb.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)));
            }
            final HttpResponse<String> r = client().send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                final String body = r.body() == null ? "" : r.body().strip();
                return failed(c, "upload of " + f.camera() + " to " + url + " failed: HTTP " + r.statusCode()
                        + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) + "…" : body)));
            }
            return done(c, f.camera() + ": " + f.width() + "x" + f.height() + " JPEG of " + jpeg.length
                    + " bytes uploaded");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(c, "upload of " + f.camera() + " interrupted");
        } catch (final IOException | RuntimeException e) {
            LOG.warn("snapshot {} failed: {}", c.id(), e.toString());
            return failed(c, "upload of " + f.camera() + " to " + url + " failed: " + e);
        }
    }

    private HttpClient client() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                }
                h = http;
            }
        }
        return h;
    }

    private ExecutorService worker() {
        ExecutorService w = worker;
        if (w == null) {
            synchronized (this) {
                if (worker == null) {
                    worker = Executors.newSingleThreadExecutor(r -> {
                        final Thread t = new Thread(r, "snapshot-upload");
                        t.setDaemon(true);
                        return t;
                    });
                }
                w = worker;
            }
        }
        return w;
    }

    // ------------------------------------------------------------------ set-config

    private CommandResult setConfig(final Command c, final ObjectNode a) throws IOException {
        only(c.name(), a);
        final Path file = configFile;
        if (file == null) {
            return refuse(c, "this agent runs without a configuration file (simulate builds its settings from the"
                    + " scenario and options): set-config only applies to 'winnow-agent run --config FILE'");
        }
        final JsonNode y = a.get(Commands.SetConfig.YAML);
        if (y == null || !y.isTextual() || y.asText().isBlank()) {
            return refuse(c, Commands.SetConfig.YAML + ": the whole configuration, as YAML text, is required");
        }
        final String yaml = y.asText();
        if (yaml.length() > Commands.SetConfig.MAX_CHARS) {
            return refuse(c, Commands.SetConfig.YAML + ": " + yaml.length() + " characters; at most "
                    + Commands.SetConfig.MAX_CHARS);
        }
        final Path abs = file.toAbsolutePath();
        final AgentConfig next;
        try {
            next = ConfigLoader.parse(yaml, abs.getParent());
        } catch (final ConfigException e) {
            return refuse(c, "the configuration was not saved: " + e.getMessage());
        }
        final AgentConfig now = running;
        if (now != null) {
            for (final String[] k : new String[][] {{"site", now.site(), next.site()}, {"line", now.line(), next.line()},
                    {"device", now.device(), next.device()}}) {
                if (!k[1].equals(k[2])) {
                    return refuse(c, "the configuration was not saved: " + k[0] + ": '" + k[2] + "' is not this device's '"
                            + k[1] + "' (a device's identity comes with its credentials: enrol it again instead)");
                }
            }
        }
        save(abs, yaml);
        LOG.info("set-config: saved {} ({} characters); takes effect on the next start", abs, yaml.length());
        return done(c, "saved to " + abs + " (the previous kept as " + abs.getFileName() + ".previous); it takes"
                + " effect when the agent next restarts");
    }

    /** Writes {@code yaml} over {@code file} in one step, keeping the old file as {@code file.previous}. */
    static void save(final Path file, final String yaml) throws IOException {
        final Path dir = file.getParent();
        final String name = file.getFileName().toString();
        final Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(yaml.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            if (Files.exists(file)) {
                final PosixFileAttributeView perms = Files.getFileAttributeView(file, PosixFileAttributeView.class);
                if (perms != null) {
                    Files.setPosixFilePermissions(tmp, perms.readAttributes().permissions());
                }
                final Path previous = dir.resolve(name + ".previous");
                final Path prevTmp = Files.createTempFile(dir, "." + name + ".previous.", ".tmp");
                Files.copy(file, prevTmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                Files.move(prevTmp, previous, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ------------------------------------------------------------------ helpers

    private CameraPipeline camera(final ObjectNode a, final String key) {
        final JsonNode n = a.get(key);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(key + ": a camera id (text) is required");
        }
        return pipelines.stream().filter(p -> p.cameraId().equals(n.asText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(key + ": no camera '" + cut(n.asText())
                        + "' on this line (" + String.join(", ", pipelines.stream().map(CameraPipeline::cameraId)
                        .toList()) + ")"));
    }

    private static String url(final ObjectNode a, final String key) {
        final JsonNode n = a.get(key);
        if (n == null || !n.isTextual() || !n.asText().matches("(?i)https?://[^\\s]+")) {
            throw new IllegalArgumentException(key + ": an http(s) URL is required");
        }
        try {
            final URI u = URI.create(n.asText());
            if (u.getHost() == null) {
                throw new IllegalArgumentException(key + ": '" + cut(n.asText()) + "' has no host");
            }
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(key) ? e.getMessage()
                    : key + ": not a valid URL: " + e.getMessage());
        }
        return n.asText();
    }

    private static String cut(final String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    private static String fmt(final double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public void close() {
        final ExecutorService w = worker;
        if (w != null) {
            w.shutdownNow();
        }
    }

    private CommandResult done(final Command c, final String reason) {
        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.DONE, fit(reason), wall.instant());
    }

    private CommandResult failed(final Command c, final String reason) {
        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.FAILED, fit(reason), wall.instant());
    }

    private CommandResult refuse(final Command c, final String reason) {
        return new CommandResult(c.id(), c.name(), CommandResult.Outcome.REFUSED, fit(reason), wall.instant());
    }

    /** A reason the server can read: longer texts than {@link Schema#MAX_TEXT_LENGTH} would be dropped whole. */
    private static String fit(final String reason) {
        return reason == null || reason.length() <= Schema.MAX_TEXT_LENGTH ? reason
                : reason.substring(0, Schema.MAX_TEXT_LENGTH - 1) + "…";
    }

    /** Refuses an argument {@link Commands} does not list for the command. */
    private static void only(final String command, final ObjectNode a) {
        Commands.unknownArgument(command, a).ifPresent(k -> {
            throw new IllegalArgumentException(k + ": unknown argument (" + command + " takes "
                    + String.join(", ", Commands.arguments(command)) + ")");
        });
    }

    private static double number(final ObjectNode a, final String key, final double min, final double max,
                                 final Double dflt) {
        final JsonNode n = a.get(key);
        if (n == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(key + ": required");
            }
            return dflt;
        }
        if (!n.isNumber() || !(n.asDouble() >= min && n.asDouble() <= max)) {
            throw new IllegalArgumentException(key + ": must be a number in [" + min + ", " + max + "]");
        }
        return n.asDouble();
    }

    private static int integer(final ObjectNode a, final String key, final int min, final int max, final Integer dflt) {
        final JsonNode n = a.get(key);
        if (n != null && !n.isIntegralNumber()) {
            throw new IllegalArgumentException(key + ": must be a whole number in [" + min + ", " + max + "]");
        }
        if (n == null && dflt == null) {
            throw new IllegalArgumentException(key + ": required");
        }
        final int v = n == null ? dflt : n.asInt();
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": must be a whole number in [" + min + ", " + max + "]");
        }
        return v;
    }
}
