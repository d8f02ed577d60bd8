package dev.winnow.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live line page in a real browser (headless Chromium over the DevTools protocol): a real server
 * on random ports, rejections published over MQTT, and the page must show them without a reload,
 * pushed by server-sent events. Leaves a screenshot at {@code target/screenshots/line-page.png}
 * ({@code -Dwinnow.test.screenshot=PATH} to put it elsewhere).
 *
 * <p>Skipped when Chromium is not installed (CI: {@code apt-get install -y chromium}).
 */
class LinePageBrowserTest {

    private static final String SITE = "browser-mill";
    private static final String LINE = "line-1";
    private static final String DEVICE = "pi-line-1";
    private static final String[] CLASSES = {"plastic_film", "polypropylene_twine", "straw", "string", "feather",
            "coloured_fibre"};

    @TempDir
    Path tmp;

    @Test
    void theLinePageShowsPushedRejectionsWithoutReload() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed at " + Chromium.BINARY
                + ": skipping the real-browser test of the line page (apt-get install -y chromium)");
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")));
             Chromium chromium = Chromium.launch(tmp.resolve("chromium-profile"),
                     Path.of("target", "chromium", "chromium.log"))) {
            final MqttClient device = new MqttClient(server.mqttUrl(), "browser-test-device", new MemoryPersistence());
            final MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            device.connect(o);
            try {
                publish(device, Topic.of(SITE, LINE, DEVICE, Kind.STATUS).toString(), WireCodec.encode(
                        new Status(Status.State.ONLINE, Instant.now(), "0.1.0", Map.of("cam0", "colour-1.0.0"), "c0")),
                        true);
                // history: the last half hour, minus the last two minutes
                final Random random = new Random(7);
                final Instant now = Instant.now();
                int history = 0;
                for (int m = 29; m >= 2; m--) {
                    final int n = 3 + random.nextInt(6) + (m % 7 == 3 ? 8 : 0);
                    for (int i = 0; i < n; i++) {
                        final String cls = CLASSES[Math.min(CLASSES.length - 1, (int) Math.abs(random.nextGaussian() * 2))];
                        publishReject(device, "h-" + m + "-" + i, now.minusSeconds(m * 60L + random.nextInt(50)), cls,
                                random);
                        history++;
                    }
                }
                final int stored = history;
                await("history stored", () -> server.store().latestRejections(SITE, LINE, 1000).size() == stored);

                final Chromium.Page page = chromium.newPage(1920, 1080);
                final String url = server.httpUrl() + "lines/" + SITE + "/" + LINE;
                page.navigate(url);
                page.eval("window.__winnowNoReload = 'same-document'");
                page.waitFor("the live indicator", "document.getElementById('live-text').textContent === 'live'");
                page.waitFor("the history in the table", "document.querySelectorAll('#events tr').length >= 20");
                final long before = Long.parseLong(page.text("document.getElementById('last-minute').textContent"));
                assertThat(before).isZero();
                assertThat(page.eval("document.querySelectorAll('#events tr.fresh').length").asInt()).isZero();

                // live: rejections arrive while the page is open
                final int live = 9;
                for (int i = 0; i < live; i++) {
                    publishReject(device, "live-" + i, Instant.now(), i < 4 ? "polypropylene_twine" : CLASSES[i % 6],
                            random);
                }
                page.waitFor("a pushed row with the class name",
                        "[...document.querySelectorAll('#events tr.fresh')].some(r => r.textContent.includes('polypropylene twine'))");
                page.waitFor("the big number to count them",
                        "Number(document.getElementById('last-minute').textContent) >= " + live, Duration.ofSeconds(15));
                assertThat(page.eval("document.querySelectorAll('#events tr.fresh').length").asInt()).isEqualTo(live);
                assertThat(page.text("document.querySelector('#events tr').className")).as("newest row on top")
                        .isEqualTo("fresh");
                assertThat(Long.parseLong(page.text("document.getElementById('last-minute').textContent")))
                        .isGreaterThan(before).isEqualTo(live);
                assertThat(page.text("window.__winnowNoReload")).as("the page was not reloaded")
                        .isEqualTo("same-document");
                assertThat(page.text("document.getElementById('classes').textContent")).contains("polypropylene twine");
                // nothing spills out of its tile or the screen
                assertThat(page.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean())
                        .as("no horizontal overflow").isTrue();

                Thread.sleep(2600); // let the "fresh" highlight fade for the picture
                final Path png = Path.of(System.getProperty("winnow.test.screenshot",
                        "target/screenshots/line-page.png"));
                page.screenshot(png);
                assertThat(Files.size(png)).isGreaterThan(10_000);
                page.resize(1280, 720);
                Thread.sleep(300); // the chart redraws after a resize
                page.screenshot(png.resolveSibling("line-page-1280.png"));
                assertThat(page.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean())
                        .as("no horizontal overflow at 1280x720").isTrue();
                // a busy line's four-digit number still fits its tile
                page.eval("(() => { const b = document.getElementById('last-minute'); b.textContent = '1234';"
                        + " b.style.setProperty('--digits', 4); })()");
                assertThat(page.eval("(() => { const b = document.getElementById('last-minute');"
                        + " const r = document.createRange(); r.selectNodeContents(b);"
                        + " const text = r.getBoundingClientRect(), tile = b.parentElement.getBoundingClientRect();"
                        + " return b.scrollWidth <= b.clientWidth && text.left >= tile.left && text.right <= tile.right;"
                        + " })()").asBoolean())
                        .as("the big number fits its tile").isTrue();

                // a camera put in audit (a model canary): the wall screen says it fires nothing, at the next refresh
                assertThat(page.eval("document.getElementById('audit-note').hidden").asBoolean()).isTrue();
                publish(device, Topic.of(SITE, LINE, DEVICE, Kind.STATUS).toString(), WireCodec.encode(
                        new Status(Status.State.ONLINE, Instant.now(), "0.1.0", Map.of("cam0", "colour-1.1.0"), "c0",
                                java.util.List.of("cam0"))), true);
                page.waitFor("the audit note", "!document.getElementById('audit-note').hidden", Duration.ofSeconds(20));
                assertThat(page.text("document.getElementById('audit-note').textContent"))
                        .isEqualTo("Audit: cam0 fires nothing");
                page.screenshot(png.resolveSibling("line-page-audit.png"));
            } finally {
                device.disconnect();
                device.close();
            }
        }
    }

    private static void publishReject(final MqttClient device, final String id, final Instant time, final String cls,
                                      final Random random) throws Exception {
        final double across = 40 + random.nextInt(1520);
        final int valve = (int) (across / 25);
        final RejectEvent e = new RejectEvent(id, time, random.nextBoolean() ? "cam-rgb" : "cam-uv", cls,
                0.55 + random.nextInt(44) / 100.0, 10_000 + random.nextInt(90_000), across, 12, 30,
                List.of(valve, valve + 1), 18, false, "colour-1.0.0", "lot-42", null);
        publish(device, Topic.of(SITE, LINE, DEVICE, Kind.REJECT).toString(), WireCodec.encode(e), false);
    }

    private static void publish(final MqttClient c, final String topic, final byte[] payload, final boolean retained)
            throws Exception {
        final MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        for (int attempt = 0; ; attempt++) {
            try {
                c.publish(topic, m);
                return;
            } catch (MqttException e) {
                // the broker's receive maximum: wait for acknowledgements and try again
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt > 200) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(final String what, final Check check) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
