package dev.winnow.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control room's commissioning commands reach the real agent ({@code winnow-agent run --config} on
 * the virtual line, device credentials on, MQTT authentication on) through the server's HTTP API, and
 * the agent does what each asks: test-fire, audit on and off, a snapshot the agent uploads and the
 * server serves as a JPEG of the camera's size, and set-config saved over the agent's file (or refused
 * naming the key, the file unchanged).
 */
final class AgentCommandsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEVICE = "/api/devices/e2e-mill/line-1/pi-1";

    /** The test line's agent configuration: two virtual cameras, neither running a model, and the server's broker. */
    static String config(final String mqttUrl, final Credentials c) {
        return """
                site: e2e-mill
                line: line-1
                device: pi-1
                hardware: virtual
                belt: {speedMps: 1.0}
                nozzleBar: {positionMm: 2400, count: 32}
                stallTimeoutMs: 20000
                statsIntervalSeconds: 1
                realtimeTimer: false
                cameras:
                  - id: colour-1
                    source: {type: virtual, scenario: demo}
                    classical: true
                  - id: uv-1
                    kind: uv
                    source: {type: virtual, scenario: demo}
                    classical: true
                mqtt:
                  url: %s
                  username: %s
                  password: %s
                  stateDir: state
                """.formatted(mqttUrl, c.username(), c.password());
    }

    @Test
    void everyCommissioningCommandIsCarriedOutByTheRealAgent(@TempDir final Path dir) throws Exception {
        final ServerConfig sc = ServerConfig.ephemeral(dir.resolve("server")).withSecurity(SecurityConfig.production());
        try (WinnowServer server = WinnowServer.start(sc)) {
            final Credentials creds = server.devices().enrol("e2e-mill", "line-1", "pi-1");
            final Path file = dir.resolve("agent").resolve("agent.yaml");
            Files.createDirectories(file.getParent());
            final String original = config(server.mqttUrl(), creds);
            Files.writeString(file, original);

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
            final HttpClient http = HttpClient.newHttpClient();
            final String base = "http://127.0.0.1:" + server.httpPort();
            try {
                await("the agent reports its stats", () -> {
                    for (final JsonNode d : get(http, base + "/api/fleet").path("devices")) {
                        if (d.path("device").asText().equals("pi-1") && d.path("online").asBoolean()
                                && d.hasNonNull("statsTime")) {
                            return true;
                        }
                    }
                    return false;
                }, failed);

                // test-fire: the server's {valve, pulseMs} reaches the agent as {valve, ms}
                final Reply fire = post(http, base + DEVICE + "/test-fire", Map.of("valve", 5, "pulseMs", 30));
                assertThat(fire.status()).as(fire.body()).isEqualTo(200);
                assertThat(fire.json().path("state").asText()).isEqualTo("done");
                assertThat(fire.json().path("reason").asText()).isEqualTo("valve 5 fired for 30 ms");

                // audit on: the agent stops firing and reports audit mode; off again: it fires again
                final Reply on = post(http, base + DEVICE + "/audit", Map.of("on", true));
                assertThat(on.status()).as(on.body()).isEqualTo(200);
                final Reply refusedFire = post(http, base + DEVICE + "/test-fire", Map.of("valve", 5));
                assertThat(refusedFire.status()).isEqualTo(502);
                assertThat(refusedFire.json().path("state").asText()).isEqualTo("refused");
                assertThat(refusedFire.json().path("reason").asText()).contains("audit mode");
                await("the agent reports audit mode", () -> "audit".equalsIgnoreCase(mode(http, base)), failed);
                final Reply off = post(http, base + DEVICE + "/audit", Map.of("on", false));
                assertThat(off.status()).as(off.body()).isEqualTo(200);
                await("the agent reports running again", () -> "running".equalsIgnoreCase(mode(http, base)), failed);
                assertThat(post(http, base + DEVICE + "/test-fire", Map.of("valve", 6, "pulseMs", 10)).status())
                        .isEqualTo(200);

                // one camera in audit: the device runs on, and the fleet and the overview name the camera that fires
                // nothing; back on, they no longer do
                final Reply uvAudit = post(http, base + DEVICE + "/audit", Map.of("on", true, "camera", "uv-1"));
                assertThat(uvAudit.status()).as(uvAudit.body()).isEqualTo(200);
                await("the fleet names the camera in audit", () -> auditCameras(http, base).equals("[\"uv-1\"]"), failed);
                assertThat(get(http, base + "/api/lines/overview").path("lines").get(0).path("auditCameras").toString())
                        .isEqualTo("[\"uv-1\"]");
                assertThat(get(http, base + "/api/lines/e2e-mill/line-1/summary").path("auditCameras").toString())
                        .as("the line page's wall screen says it too").isEqualTo("[\"uv-1\"]");
                assertThat(mode(http, base)).isEqualToIgnoringCase("running");
                assertThat(post(http, base + DEVICE + "/audit", Map.of("on", false, "camera", "uv-1")).status())
                        .isEqualTo(200);
                await("no camera in audit", () -> auditCameras(http, base).equals("[]"), failed);

                // snapshot: no camera named -> the first camera; the agent PUTs a JPEG, the server serves it
                final Reply snap = snapshot(http, base, Map.of(), failed);
                assertThat(snap.status()).as(snap.body()).isEqualTo(200);
                assertThat(snap.json().path("reason").asText()).startsWith("colour-1: 480x180 JPEG");
                assertJpeg(http, base, snap.json().path("id").asText(), 480, 180);
                final Reply uv = snapshot(http, base, Map.of("camera", "uv-1"), failed);
                assertThat(uv.status()).as(uv.body()).isEqualTo(200);
                assertThat(uv.json().path("reason").asText()).startsWith("uv-1: 320x240 JPEG");
                assertJpeg(http, base, uv.json().path("id").asText(), 320, 240);
                final Reply nope = post(http, base + DEVICE + "/snapshot", Map.of("camera", "nope"));
                assertThat(nope.status()).isEqualTo(502);
                assertThat(nope.json().path("reason").asText()).startsWith("camera: no camera 'nope' on this line");

                // set-config: a valid configuration is saved over the agent's file, the old one kept
                final String next = original.replace("statsIntervalSeconds: 1", "statsIntervalSeconds: 2");
                final Reply saved = post(http, base + DEVICE + "/config", Map.of("yaml", next));
                assertThat(saved.status()).as(saved.body()).isEqualTo(200);
                assertThat(saved.json().path("state").asText()).isEqualTo("done");
                assertThat(saved.json().path("reason").asText()).contains("next restarts");
                assertThat(Files.readString(file)).isEqualTo(next);
                assertThat(Files.readString(dir.resolve("agent").resolve("agent.yaml.previous"))).isEqualTo(original);
                assertThat(get(http, base + DEVICE).path("config").asText()).isEqualTo(next);

                // ... one the agent's loader refuses names the key, and nothing changes
                final String bad = next.replace("count: 32", "count: 0");
                final Reply refused = post(http, base + DEVICE + "/config", Map.of("yaml", bad));
                assertThat(refused.status()).as(refused.body()).isEqualTo(502);
                assertThat(refused.json().path("state").asText()).isEqualTo("refused");
                assertThat(refused.json().path("reason").asText())
                        .contains("nozzleBar.count: value 0 is out of range [1, 512]");
                final Reply unknown = post(http, base + DEVICE + "/config",
                        Map.of("yaml", next.replace("classical: true", "classical: true\n    colour: red")));
                assertThat(unknown.status()).isEqualTo(502);
                assertThat(unknown.json().path("reason").asText()).contains("cameras[0].colour: unknown key");
                assertThat(Files.readString(file)).isEqualTo(next);
                assertThat(Files.readString(dir.resolve("agent").resolve("agent.yaml.previous"))).isEqualTo(original);
                assertThat(get(http, base + DEVICE).path("config").asText()).isEqualTo(next);
                assertThat(failed.get()).isNull();
            } finally {
                agent.stop();
                runner.join(30_000);
            }
            assertThat(runner.isAlive()).isFalse();
            assertThat(failed.get()).isNull();
        }
    }

    /** A snapshot, asked again while the cameras have not delivered a first frame yet. */
    private static Reply snapshot(final HttpClient http, final String base, final Map<String, Object> body,
                                  final AtomicReference<Throwable> failed) throws Exception {
        Reply r = post(http, base + DEVICE + "/snapshot", body);
        for (int i = 0; i < 20 && r.json().path("reason").asText().contains("has no frame yet"); i++) {
            Thread.sleep(500);
            assertThat(failed.get()).isNull();
            r = post(http, base + DEVICE + "/snapshot", body);
        }
        return r;
    }

    private static void assertJpeg(final HttpClient http, final String base, final String id, final int width,
                                   final int height) throws Exception {
        final HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create(base + DEVICE + "/snapshots/" + id
                + ".jpg")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(img.statusCode()).isEqualTo(200);
        assertThat(img.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("image/jpeg"));
        assertThat(img.body()[0] & 0xff).isEqualTo(0xFF);
        assertThat(img.body()[1] & 0xff).isEqualTo(0xD8);
        final BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(img.body()));
        assertThat(decoded).isNotNull();
        assertThat(decoded.getWidth()).isEqualTo(width);
        assertThat(decoded.getHeight()).isEqualTo(height);
    }

    private static String auditCameras(final HttpClient http, final String base) throws Exception {
        for (final JsonNode d : get(http, base + "/api/fleet").path("devices")) {
            if (d.path("device").asText().equals("pi-1")) {
                return d.path("auditCameras").toString();
            }
        }
        return null;
    }

    private static String mode(final HttpClient http, final String base) throws Exception {
        for (final JsonNode d : get(http, base + "/api/fleet").path("devices")) {
            if (d.path("device").asText().equals("pi-1")) {
                return d.path("mode").asText();
            }
        }
        return null;
    }

    record Reply(int status, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private static Reply post(final HttpClient http, final String url, final Map<String, Object> body) throws Exception {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    private static JsonNode get(final HttpClient http, final String url) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A condition on what the agent did, checked until it holds. */
    interface Check {
        boolean ok() throws Exception;
    }

    /** Waits up to a minute for {@code check}, failing at once when the agent stopped. */
    static void await(final String what, final Check check, final AtomicReference<Throwable> failed)
            throws Exception {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!check.ok()) {
            if (failed.get() != null) {
                throw new AssertionError("the agent stopped: " + failed.get(), failed.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
