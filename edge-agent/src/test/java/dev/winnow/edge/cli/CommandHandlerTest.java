package dev.winnow.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.winnow.edge.belt.Homography;
import dev.winnow.edge.camera.CameraPipeline;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.camera.FrameSource;
import dev.winnow.edge.config.ConfigLoader;
import dev.winnow.edge.detect.FrameDetector;
import dev.winnow.edge.detect.PixelDetection;
import dev.winnow.edge.eject.EjectionPlanner;
import dev.winnow.edge.eject.NozzleBar;
import dev.winnow.edge.eject.TimingLog;
import dev.winnow.edge.eject.ValveScheduler;
import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.valve.ValveBank;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Commands;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The agent's command handler on its own: every malformed argument of every command is refused with a
 * reason naming the argument and changes nothing; a snapshot is a JPEG PUT with the device's credentials;
 * set-config saves atomically, keeps the previous file, and refuses what the agent's loader refuses.
 */
final class CommandHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CONFIG = """
            site: mill-a
            line: line-1
            device: pi-1
            hardware: virtual
            nozzleBar: {positionMm: 2400, count: 4, pitchMm: 250}
            cameras:
              - id: colour-1
                source: {type: virtual, scenario: demo}
                classical: true
              - id: uv-1
                kind: uv
                source: {type: virtual, scenario: demo}
                classical: true
            """;

    @TempDir
    Path dir;

    private final Bank bank = new Bank();
    private final LineClock clock = LineClock.system();
    private ValveScheduler scheduler;
    private LineInspector inspector;
    private CameraPipeline colour;
    private CameraPipeline uv;
    private CommandHandler handler;
    private Path config;

    /** Valves that remember being opened. */
    static final class Bank implements ValveBank {
        final AtomicInteger opened = new AtomicInteger();
        final boolean[] open = new boolean[4];

        @Override
        public int size() {
            return open.length;
        }

        @Override
        public synchronized void open(final int v) {
            open[v] = true;
            opened.incrementAndGet();
        }

        @Override
        public synchronized void close(final int v) {
            open[v] = false;
        }

        @Override
        public synchronized void closeAll() {
            java.util.Arrays.fill(open, false);
        }

        @Override
        public synchronized boolean isOpen(final int v) {
            return open[v];
        }

        @Override
        public void close() {
            closeAll();
        }
    }

    /** A frame of a gradient: blue grows left to right, green top to bottom. */
    static Frame gradient(final String camera, final int width, final int height) {
        final byte[] bgr = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                final int i = (y * width + x) * 3;
                bgr[i] = (byte) (x * 255 / width);
                bgr[i + 1] = (byte) (y * 255 / height);
                bgr[i + 2] = (byte) 128;
            }
        }
        return new Frame(camera, 0, 0, 0, width, height, bgr);
    }

    private static final FrameDetector NOTHING = new FrameDetector() {
        @Override
        public List<PixelDetection> detect(final Frame frame) {
            return List.of();
        }

        @Override
        public String version() {
            return "none";
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        scheduler = new ValveScheduler(bank, clock, 250_000_000L, 2_000_000L, new TimingLog(1024));
        final BeltEncoder encoder = new BeltEncoder() {
            @Override
            public long count() {
                return 0;
            }

            @Override
            public double mmPerCount() {
                return 0.1;
            }
        };
        final Homography h = Homography.fromFourPoints(new double[] {0, 0, 64, 0, 64, 48, 0, 48},
                new double[] {0, 225, 1000, 225, 1000, 975, 0, 975});
        inspector = new LineInspector(new LineInspector.Settings("pi-1", 0.5, 10, false),
                Map.of("colour-1", h, "uv-1", h), new EjectionPlanner(new NozzleBar(2400, 4, 250, 0, 5, 3, 8, 250)),
                scheduler, clock, Clock.systemUTC(), encoder, () -> 1000, e -> { });
        colour = pipeline("colour-1", 64, 48);
        uv = pipeline("uv-1", 32, 24);
        handler = new CommandHandler(inspector, scheduler, null, 4, Clock.systemUTC(), clock, List.of(colour, uv));
        config = dir.resolve("agent.yaml");
        Files.writeString(config, CONFIG);
        handler.setConfigFile(config, ConfigLoader.load(config));
    }

    private CameraPipeline pipeline(final String id, final int w, final int h) {
        final Frame f = gradient(id, w, h);
        // one frame, then the camera ends (its last frame stays)
        final FrameSource once = new FrameSource() {
            private boolean sent;

            @Override
            public String cameraId() {
                return id;
            }

            @Override
            public Frame next() {
                if (sent) {
                    return null;
                }
                sent = true;
                return f;
            }

            @Override
            public void close() {
            }
        };
        return new CameraPipeline(once, NOTHING, inspector, reason -> { }, clock);
    }

    @AfterEach
    void tearDown() {
        handler.close();
        colour.close();
        uv.close();
        scheduler.close();
    }

    private static Command cmd(final String name, final String argsJson) throws Exception {
        return new Command(UUID.randomUUID().toString(), name, Instant.now(), (ObjectNode) JSON.readTree(argsJson));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "test-fire|{\"valve\": 1, \"pulseMs\": 20}|pulseMs: unknown argument (test-fire takes valve, ms)",
        "test-fire|{}|valve: required",
        "test-fire|{\"valve\": 4}|valve: must be a whole number in [0, 3]",
        "test-fire|{\"valve\": -1}|valve: must be a whole number in [0, 3]",
        "test-fire|{\"valve\": 1.5}|valve: must be a whole number",
        "test-fire|{\"valve\": \"2\"}|valve: must be a whole number",
        "test-fire|{\"valve\": 1, \"ms\": 0}|ms: must be a number in [1.0, 1000.0]",
        "test-fire|{\"valve\": 1, \"ms\": 1001}|ms: must be a number in [1.0, 1000.0]",
        "test-fire|{\"valve\": 1, \"ms\": \"20\"}|ms: must be a number",
        "audit|{\"on\": true}|on: unknown argument (audit takes enabled, camera)",
        "audit|{}|enabled: true or false is required",
        "audit|{\"enabled\": \"yes\"}|enabled: true or false is required",
        "audit|{\"enabled\": true, \"camera\": \"nope\"}|camera: no camera 'nope' on this line (colour-1, uv-1)",
        "audit|{\"enabled\": true, \"camera\": 7}|camera: a camera id (text) is required",
        "set-lot|{}|lot: 1..64 characters",
        "set-lot|{\"lot\": \"bad lot!\"}|lot: 1..64 characters",
        "set-lot|{\"lot\": \"L-1\", \"line\": 2}|line: unknown argument",
        "snapshot|{}|upload: an http(s) URL is required",
        "snapshot|{\"camera\": \"colour-1\"}|upload: an http(s) URL is required",
        "snapshot|{\"upload\": \"ftp://server/x\"}|upload: an http(s) URL is required",
        "snapshot|{\"upload\": 12}|upload: an http(s) URL is required",
        "snapshot|{\"upload\": \"http://server/x\", \"camera\": \"nope\"}|camera: no camera 'nope' on this line",
        "snapshot|{\"upload\": \"http://server/x\", \"format\": \"png\"}|format: unknown argument (snapshot takes upload, camera)",
        "set-config|{}|yaml: the whole configuration, as YAML text, is required",
        "set-config|{\"yaml\": 5}|yaml: the whole configuration, as YAML text, is required",
        "set-config|{\"yaml\": \"  \"}|yaml: the whole configuration, as YAML text, is required",
        "set-config|{\"yaml\": \"site: a\", \"restart\": true}|restart: unknown argument (set-config takes yaml)",
        "set-config|{\"yaml\": \"cameras: [unclosed\"}|the configuration was not saved: not valid YAML",
        "set-config|{\"yaml\": \"- a\\n- b\\n\"}|the configuration was not saved: the configuration must be a YAML mapping",
        "fire|{}|unknown command 'fire' (test-fire, audit, set-lot, snapshot, set-config, deploy-model, rollback-model)",
    })
    void aMalformedArgumentIsRefusedNamingItAndChangesNothing(final String name, final String args,
                                                              final String reason) throws Exception {
        final CommandResult r = handler.handle(cmd(name, args));
        assertThat(r.outcome()).as(r.reason()).isEqualTo(CommandResult.Outcome.REFUSED);
        assertThat(r.reason()).startsWith(reason);
        assertNothingChanged();
    }

    /** Keys the agent's own loader refuses, each named in the refusal; the file is left as it was. */
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "count: 4|count: 0|nozzleBar.count: value 0 is out of range [1, 512]",
        "classical: true\\n  - id: uv-1|classical: maybe\\n  - id: uv-1|cameras[0].classical: must be true or false",
        "device: pi-1|device: pi-1\\ncolour: red|colour: unknown key",
        "hardware: virtual|hardware: mock|hardware: 'virtual' goes with virtual cameras only",
        "site: mill-a|site: mill-b|site: 'mill-b' is not this device's 'mill-a'",
        "device: pi-1|device: pi-9|device: 'pi-9' is not this device's 'pi-1'",
    })
    void aConfigurationTheAgentsLoaderRefusesIsNotSaved(final String from, final String to, final String reason)
            throws Exception {
        final String yaml = CONFIG.replace(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        assertThat(yaml).isNotEqualTo(CONFIG);
        final ObjectNode a = JSON.createObjectNode().put(Commands.SetConfig.YAML, yaml);
        final CommandResult r = handler.handle(new Command("c-1", Commands.SetConfig.NAME, Instant.now(), a));
        assertThat(r.outcome()).as(r.reason()).isEqualTo(CommandResult.Outcome.REFUSED);
        assertThat(r.reason()).startsWith("the configuration was not saved: " + reason);
        assertNothingChanged();
    }

    private void assertNothingChanged() throws Exception {
        assertThat(bank.opened.get()).isZero();
        assertThat(scheduler.idle()).isTrue();
        assertThat(inspector.audit()).isFalse();
        assertThat(inspector.cameraAudit("colour-1")).isFalse();
        assertThat(Files.readString(config)).isEqualTo(CONFIG);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("agent.yaml");
        }
    }

    @Test
    void aValidConfigurationIsSavedAtomicallyKeepingThePreviousAndTakesEffectOnRestart() throws Exception {
        final String next = CONFIG.replace("count: 4, pitchMm: 250", "count: 4, pitchMm: 240");
        final CommandResult r = handler.handle(new Command("c-2", Commands.SetConfig.NAME, Instant.now(),
                JSON.createObjectNode().put(Commands.SetConfig.YAML, next)));
        assertThat(r.outcome()).as(r.reason()).isEqualTo(CommandResult.Outcome.DONE);
        assertThat(r.reason()).contains("saved to " + config.toAbsolutePath()).contains("next restarts");
        assertThat(Files.readString(config)).isEqualTo(next);
        assertThat(Files.readString(dir.resolve("agent.yaml.previous"))).isEqualTo(CONFIG);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("agent.yaml",
                    "agent.yaml.previous");
        }
        assertThat(ConfigLoader.load(config).lineSettings().nozzleBar().pitchMm()).isEqualTo(240);
    }

    @Test
    void withoutAConfigurationFileSetConfigIsRefused() throws Exception {
        handler.setConfigFile(null, null);
        final CommandResult r = handler.handle(new Command("c-3", Commands.SetConfig.NAME, Instant.now(),
                JSON.createObjectNode().put(Commands.SetConfig.YAML, CONFIG)));
        assertThat(r.outcome()).isEqualTo(CommandResult.Outcome.REFUSED);
        assertThat(r.reason()).contains("without a configuration file");
    }

    @Test
    void testFireAndAuditWithTheSharedArgumentNames() throws Exception {
        scheduler.start();
        final ObjectNode fire = JSON.createObjectNode().put(Commands.TestFire.VALVE, 2).put(Commands.TestFire.MS, 20);
        final CommandResult r = handler.handle(new Command("f-1", Commands.TestFire.NAME, Instant.now(), fire));
        assertThat(r.outcome()).as(r.reason()).isEqualTo(CommandResult.Outcome.DONE);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bank.opened.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(bank.opened.get()).isEqualTo(1);

        final ObjectNode on = JSON.createObjectNode().put(Commands.Audit.ENABLED, true).put(Commands.Audit.CAMERA, "uv-1");
        assertThat(handler.handle(new Command("a-1", Commands.Audit.NAME, Instant.now(), on)).outcome())
                .isEqualTo(CommandResult.Outcome.DONE);
        assertThat(inspector.cameraAudit("uv-1")).isTrue();
        assertThat(inspector.audit()).isFalse();
        assertThat(handler.handle(new Command("a-2", Commands.Audit.NAME, Instant.now(),
                JSON.createObjectNode().put(Commands.Audit.ENABLED, true))).outcome()).isEqualTo(CommandResult.Outcome.DONE);
        assertThat(inspector.audit()).isTrue();
        final CommandResult refused = handler.handle(new Command("f-2", Commands.TestFire.NAME, Instant.now(), fire));
        assertThat(refused.outcome()).isEqualTo(CommandResult.Outcome.REFUSED);
        assertThat(refused.reason()).contains("audit mode");
    }

    @Test
    void aSnapshotIsAJpegPutWithTheDeviceCredentialsOnePerCommand() throws Exception {
        final String auth = "Basic " + Base64.getEncoder().encodeToString("mill-a.line-1.pi-1:s3cret"
                .getBytes(StandardCharsets.UTF_8));
        final List<byte[]> uploads = new CopyOnWriteArrayList<>();
        final List<String> paths = new CopyOnWriteArrayList<>();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/device/snapshots/", ex -> {
            if (!ex.getRequestMethod().equals("PUT") || !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
            } else {
                paths.add(ex.getRequestURI().getPath());
                uploads.add(ex.getRequestBody().readAllBytes());
                ex.sendResponseHeaders(201, -1);
            }
            ex.close();
        });
        server.start();
        try {
            colour.start();
            uv.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((colour.lastFrame() == null || uv.lastFrame() == null) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            final String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/device/snapshots/";
            // without credentials: failed, with the server's answer
            final CommandResult anon = handler.handle(new Command("s-0", Commands.Snapshot.NAME, Instant.now(),
                    JSON.createObjectNode().put(Commands.Snapshot.UPLOAD, base + "s-0")));
            assertThat(anon.outcome()).isEqualTo(CommandResult.Outcome.FAILED);
            assertThat(anon.reason()).contains("HTTP 401");

            handler.setDeviceCredentials("mill-a.line-1.pi-1", "s3cret");
            // no camera named: the first configured camera
            final CommandResult first = handler.handle(new Command("s-1", Commands.Snapshot.NAME, Instant.now(),
                    JSON.createObjectNode().put(Commands.Snapshot.UPLOAD, base + "s-1")));
            assertThat(first.outcome()).as(first.reason()).isEqualTo(CommandResult.Outcome.DONE);
            assertThat(first.reason()).startsWith("colour-1: 64x48 JPEG");
            // with a results sink: accepted at once, done after the upload
            final LinkedBlockingQueue<CommandResult> sink = new LinkedBlockingQueue<>();
            handler.setResults(sink::add);
            assertThat(handler.handle(new Command("s-2", Commands.Snapshot.NAME, Instant.now(), JSON.createObjectNode()
                    .put(Commands.Snapshot.UPLOAD, base + "s-2").put(Commands.Snapshot.CAMERA, "uv-1")))).isNull();
            assertThat(sink.poll(10, TimeUnit.SECONDS).outcome()).isEqualTo(CommandResult.Outcome.ACCEPTED);
            final CommandResult second = sink.poll(10, TimeUnit.SECONDS);
            assertThat(second.outcome()).as(second.reason()).isEqualTo(CommandResult.Outcome.DONE);
            assertThat(second.reason()).startsWith("uv-1: 32x24 JPEG");

            assertThat(paths).containsExactly("/api/device/snapshots/s-1", "/api/device/snapshots/s-2");
            final BufferedImage a = ImageIO.read(new ByteArrayInputStream(uploads.get(0)));
            final BufferedImage b = ImageIO.read(new ByteArrayInputStream(uploads.get(1)));
            assertThat(a.getWidth()).isEqualTo(64);
            assertThat(a.getHeight()).isEqualTo(48);
            assertThat(b.getWidth()).isEqualTo(32);
            assertThat(b.getHeight()).isEqualTo(24);
            // the gradient survives: blue grows left to right (BGR order kept)
            assertThat(a.getRGB(60, 24) & 0xff).isGreaterThan((a.getRGB(3, 24) & 0xff) + 150);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aSnapshotOfACameraWithoutAFrameFails() throws Exception {
        final CommandResult r = handler.handle(new Command("s-9", Commands.Snapshot.NAME, Instant.now(),
                JSON.createObjectNode().put(Commands.Snapshot.UPLOAD, "http://127.0.0.1:9/x")));
        assertThat(r.outcome()).isEqualTo(CommandResult.Outcome.FAILED);
        assertThat(r.reason()).isEqualTo("camera colour-1 has no frame yet");
    }
}
