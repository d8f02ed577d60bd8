package dev.winnow.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.Stats;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators' and engineers' routes against a real server and a simulated device over MQTT: line
 * overview state, alarms acknowledged by name, the gallery with crop upload, marking and YOLO export,
 * lots via set-lot, the fleet, and device commands with their answers.
 */
class FloorTest {

    @TempDir
    Path tmp;

    @Test
    void overviewAlarmsGalleryLotsFleetAndCommands() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp));
             SimDevice dev = new SimDevice(server.mqttUrl(), "mill", "line-1", "pi-1");
             SimDevice dev2 = new SimDevice(server.mqttUrl(), "mill", "line-2", "pi-2")) {
            final Http http = new Http(server.httpUrl());
            dev.online("0.3.1", Map.of("cam-rgb", "colour-1.2.0"));
            dev2.online("0.3.0", Map.of("cam-rgb", "colour-1.1.0"));
            dev.stats(Stats.Mode.RUNNING, 29.5, Map.of("straw", 4L), 1, 61.0, 6);
            dev2.stats(Stats.Mode.AUDIT, 30.0, Map.of(), 0, 55.0);
            for (int i = 0; i < 5; i++) {
                dev.reject("r-" + i, i < 3 ? "straw" : "plastic_film", 0.9 - i * 0.05);
            }
            await("overview", () -> lines(http).size() == 2 && lines(http).get("line-1").path("lastMinute").asLong() == 5);
            Map<String, JsonNode> lines = lines(http);
            assertThat(lines.get("line-1").get("state").asText()).isEqualTo("running");
            assertThat(lines.get("line-2").get("state").asText()).isEqualTo("audit");
            assertThat(lines.get("line-1").get("capturePct").asDouble()).isEqualTo(80.0);

            // alarms: raised -> fault, acknowledged by name, cleared, history
            dev.alarm("a-1", Alarm.State.RAISED, Alarm.Severity.CRITICAL, "camera_stall", "cam-rgb stalled");
            await("fault", () -> "fault".equals(lines(http).get("line-1").get("state").asText()));
            final JsonNode active = http.get("/api/alarms").json().get("active");
            assertThat(active).hasSize(1);
            final Http.Reply ack = http.post("/api/alarms/a-1/ack", Map.of("note", "restarting the camera"));
            assertThat(ack.status()).isEqualTo(200);
            assertThat(ack.json().get("acknowledgedBy").asText()).isEqualTo("local");
            assertThat(http.post("/api/alarms/a-1/ack", Map.of()).status()).isEqualTo(409);
            assertThat(http.post("/api/alarms/nope/ack", Map.of()).status()).isEqualTo(404);
            dev.alarm("a-2", Alarm.State.CLEARED, Alarm.Severity.CRITICAL, "camera_stall", "cam-rgb running again");
            await("cleared", () -> http.get("/api/alarms").json().get("active").isEmpty());
            assertThat(http.get("/api/alarms").json().get("history")).hasSize(2);
            assertThat(lines(http).get("line-1").get("state").asText()).isEqualTo("running");

            // gallery: cards without crops, crop upload, mark, export
            JsonNode items = http.get("/api/gallery?site=mill&line=line-1").json().get("items");
            assertThat(items).hasSize(5);
            assertThat(items.get(0).get("hasCrop").asBoolean()).isFalse();
            final byte[] jpeg = jpeg();
            final Http.Reply up = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "api/device/crops/r-1"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(jpeg)).header("Content-Type", "image/jpeg"));
            assertThat(up.status()).as(up.body()).isEqualTo(201);
            final Http.Reply bad = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "api/device/crops/r-2"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).contains("not a readable image");
            assertThat(http.post("/api/gallery/r-1/false-rejection", Map.of()).json().get("markedBy").asText())
                    .isEqualTo("local");
            http.post("/api/gallery/r-2/false-rejection", Map.of());
            assertThat(http.get("/api/gallery?marked=true").json().get("items")).hasSize(2);
            final Map<String, byte[]> zip = unzip(http.bytes("/api/gallery/export.zip?site=mill&line=line-1"));
            assertThat(zip).containsKeys("images/train/r-1.jpg", "labels/train/r-1.txt", "data.yaml",
                    "false_rejections.csv");
            assertThat(zip.get("labels/train/r-1.txt")).isEmpty();
            assertThat(new String(zip.get("data.yaml"))).contains("names:").contains("straw");
            assertThat(new String(zip.get("false_rejections.csv"))).contains("r-2,mill,line-1");

            // lots: set-lot goes to the device, which answers
            final Http.Reply lot = http.post("/api/lines/mill/line-1/lot", Map.of("lot", "BALE-117"));
            assertThat(lot.status()).as(lot.body()).isEqualTo(200);
            assertThat(dev.received).anySatisfy(c -> {
                assertThat(c.name()).isEqualTo("set-lot");
                assertThat(c.args().get("lot").asText()).isEqualTo("BALE-117");
            });
            assertThat(http.get("/api/lines/mill/line-1/lots").json().get("lots").get(0).get("lot").asText())
                    .isEqualTo("BALE-117");
            assertThat(http.post("/api/lines/mill/line-1/lot", Map.of("lot", "bad lot!")).status()).isEqualTo(400);
            dev.answer = c -> "refused:a lot is already running";
            final Http.Reply refused = http.post("/api/lines/mill/line-1/lot", Map.of("lot", "BALE-118"));
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.body()).contains("a lot is already running");
            dev.answer = c -> null;
            assertThat(lines(http).get("line-1").get("lot").asText()).isEqualTo("BALE-118");

            // fleet and device commands
            final JsonNode fleet = http.get("/api/fleet").json().get("devices");
            assertThat(fleet).hasSize(2);
            assertThat(fleet.get(0).get("agentVersion").asText()).isEqualTo("0.3.1");
            assertThat(fleet.get(0).get("fps").asDouble()).isEqualTo(29.5);
            // 6 frames dropped beside 300 inspected: the device falls behind its camera
            assertThat(fleet.get(0).get("droppedFramesPct").asDouble()).isCloseTo(100.0 * 6 / 306, within(1e-9));
            assertThat(http.get("/metrics").body()).contains(
                    "winnow_device_dropped_frames_ratio{site=\"mill\",line=\"line-1\",device=\"pi-1\"} 0.0196");
            assertThat(fleet.get(0).get("cpuTemperatureC").asDouble()).isEqualTo(61.0);
            assertThat(fleet.get(0).get("online").asBoolean()).isTrue();
            final Http.Reply fire = http.post("/api/devices/mill/line-1/pi-1/test-fire", Map.of("valve", 12, "pulseMs", 30));
            assertThat(fire.status()).as(fire.body()).isEqualTo(200);
            assertThat(fire.json().get("state").asText()).isEqualTo("done");
            // on the wire: the names both sides take from protocol Commands
            final var fired = dev.received.stream().filter(c -> c.name().equals(Commands.TestFire.NAME)).findFirst()
                    .orElseThrow();
            assertThat(fired.args().get(Commands.TestFire.VALVE).asInt()).isEqualTo(12);
            assertThat(fired.args().get(Commands.TestFire.MS).asInt()).isEqualTo(30);
            assertThat(http.post("/api/devices/mill/line-1/pi-1/test-fire", Map.of("valve", 9999)).json().get("error")
                    .asText()).contains("out of range");
            dev.answer = c -> c.name().equals("audit") ? "failed:interlock open" : null;
            final Http.Reply audit = http.post("/api/devices/mill/line-1/pi-1/audit", Map.of("on", true));
            assertThat(audit.status()).isEqualTo(502);
            assertThat(audit.json().get("reason").asText()).isEqualTo("interlock open");
            assertThat(dev.received.stream().filter(c -> c.name().equals(Commands.Audit.NAME)).findFirst().orElseThrow()
                    .args().get(Commands.Audit.ENABLED).asBoolean()).isTrue();
            final Http.Reply cfg = http.post("/api/devices/mill/line-1/pi-1/config", Map.of("yaml", "cameras: [unclosed"));
            assertThat(cfg.status()).isEqualTo(400);
            assertThat(cfg.json().get("error").asText()).startsWith("not valid YAML");
            assertThat(http.post("/api/devices/mill/line-1/pi-1/config", Map.of("yaml", "detector:\n  threshold: 1.7\n"))
                    .json().get("error").asText()).contains("detector.threshold").contains("between 0 and 1");
            final Http.Reply snap = http.post("/api/devices/mill/line-1/pi-1/snapshot", Map.of("camera", "cam-rgb"));
            assertThat(snap.json().get("state").asText()).isEqualTo("done");
            final var snapped = dev.received.stream().filter(c -> c.name().equals(Commands.Snapshot.NAME)).findFirst()
                    .orElseThrow();
            assertThat(snapped.args().get(Commands.Snapshot.CAMERA).asText()).isEqualTo("cam-rgb");
            assertThat(snapped.args().get(Commands.Snapshot.UPLOAD).asText())
                    .isEqualTo(server.httpUrl() + Commands.Snapshot.UPLOAD_PATH + snapped.id());
            final JsonNode detail = http.get("/api/devices/mill/line-1/pi-1").json();
            assertThat(detail.get("commands").size()).isGreaterThanOrEqualTo(5);
            assertThat(http.get("/api/devices/mill/line-1/nope").status()).isEqualTo(404);

            // offline stands out
            dev2.offline();
            await("offline", () -> {
                for (JsonNode d : http.get("/api/fleet").json().get("devices")) {
                    if (d.get("device").asText().equals("pi-2")) {
                        return !d.get("online").asBoolean();
                    }
                }
                return false;
            });
            assertThat(lines(http).get("line-2").get("state").asText()).isEqualTo("offline");
        }
    }

    static Map<String, JsonNode> lines(final Http http) {
        try {
            final Map<String, JsonNode> out = new HashMap<>();
            for (JsonNode l : http.get("/api/lines/overview").json().get("lines")) {
                out.put(l.get("line").asText(), l);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] jpeg() throws Exception {
        final BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        final java.awt.Graphics2D g = img.createGraphics();
        g.setColor(new java.awt.Color(200, 180, 90));
        g.fillRect(0, 0, 64, 64);
        g.setColor(java.awt.Color.BLUE);
        g.fillOval(20, 18, 26, 20);
        g.dispose();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    static Map<String, byte[]> unzip(final byte[] bytes) throws Exception {
        final Map<String, byte[]> out = new HashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                out.put(e.getName(), z.readAllBytes());
            }
        }
        return out;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(final String what, final Check ok) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!ok.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
