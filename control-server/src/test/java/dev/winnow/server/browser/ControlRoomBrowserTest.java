package dev.winnow.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.winnow.protocol.Alarm;
import dev.winnow.server.store.EventStore;
import java.time.Instant;
import dev.winnow.protocol.Stats;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.room.SimDevice;
import dev.winnow.server.users.Role;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control room in headless Chromium with roles enforced: an operator logs in, watches the line
 * overview update live while simulated devices publish, acknowledges an alarm, browses the gallery,
 * and is refused the fleet page; an engineer opens the fleet and test-fires a valve. Screenshots of
 * each page go to {@code target/screenshots/}.
 */
class ControlRoomBrowserTest {

    static final String PW = "correct-horse-battery";
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String[] CLASSES = {"plastic_film", "polypropylene_twine", "straw", "string", "feather"};

    @TempDir
    Path tmp;

    @Test
    void operatorAndEngineerInTheBrowser() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed at " + Chromium.BINARY);
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")).withAuthEnforced(true));
             Chromium chromium = Chromium.launch(tmp.resolve("profile"), Path.of("target", "chromium", "room.log"))) {
            final var users = server.controlRoom().auth().users();
            users.create("olga", "Olga Operator", Set.of(Role.OPERATOR), PW);
            users.create("erik", "Erik Engineer", Set.of(Role.ENGINEER), PW);
            final List<SimDevice> devices = new ArrayList<>();
            try {
                final Random random = new Random(3);
                for (int i = 1; i <= 4; i++) {
                    final SimDevice d = new SimDevice(server.mqttUrl(), "north-mill", "line-" + i, "pi-line-" + i);
                    devices.add(d);
                    // line 2's UV camera runs a model canary: it detects and reports, fires nothing
                    d.online("0.4." + (i == 4 ? 0 : 2), Map.of("cam-rgb", "colour-1." + (i == 4 ? 1 : 2) + ".0"),
                            i == 2 ? List.of("cam-uv") : List.of());
                    d.stats(i == 3 ? Stats.Mode.AUDIT : Stats.Mode.RUNNING, 29.0 + i / 2.0,
                            Map.of("straw", 30L + i, "plastic_film", 12L), 2 + i, 52.0 + 3 * i, i == 2 ? 12 : 0);
                    for (int k = 0; k < 12 + 5 * i; k++) {
                        d.reject("h-" + i + "-" + k, CLASSES[Math.min(4, (int) Math.abs(random.nextGaussian() * 1.6))],
                                0.55 + random.nextInt(44) / 100.0);
                    }
                }
                devices.get(3).offline();
                final SimDevice line1 = devices.get(0);
                Thread.sleep(1500);

                final Chromium.Page page = chromium.newPage(1600, 1000);
                page.navigate(server.httpUrl() + "login");
                page.screenshot(SHOTS.resolve("login.png"));
                login(page, "olga");
                page.waitFor("the overview cards", "document.querySelectorAll('.lcard').length === 4");
                page.waitFor("live", "document.getElementById('live-text').textContent === 'live'");
                final long before = page.eval("Number(document.querySelector('[data-line=\"north-mill/line-1\"]').dataset.total)").asLong();
                for (int k = 0; k < 7; k++) {
                    line1.reject("live-" + k, "polypropylene_twine", 0.93);
                }
                page.waitFor("the pushed count", "Number(document.querySelector('[data-line=\"north-mill/line-1\"]').dataset.total) >= "
                        + (before + 7) + " && Number(document.querySelector('[data-line=\"north-mill/line-1\"] .per-minute').textContent) >= 7");
                assertThat(page.text("document.querySelector('[data-line=\"north-mill/line-3\"] .state').textContent")).isEqualTo("audit");
                assertThat(page.text("document.querySelector('[data-line=\"north-mill/line-4\"] .state').textContent")).isEqualTo("offline");
                assertThat(page.text("document.querySelector('[data-line=\"north-mill/line-2\"] .audit-cameras').textContent"))
                        .isEqualTo("Audit: cam-uv fires nothing");
                assertThat(page.text("document.querySelector('[data-line=\"north-mill/line-2\"] .state').textContent"))
                        .as("the rest of the line runs").isEqualTo("running");
                page.screenshot(SHOTS.resolve("overview.png"));

                // alarm raised live, acknowledged by name
                go(page, server.httpUrl() + "alarms");
                page.waitFor("live", "document.getElementById('live-text').textContent === 'live'");
                devices.get(1).alarm("al-1", Alarm.State.RAISED, Alarm.Severity.CRITICAL, "camera_stall",
                        "cam-rgb delivered no frame for 5 s");
                devices.get(2).alarm("al-2", Alarm.State.RAISED, Alarm.Severity.WARNING, "escape_rate",
                        "escape rate 2.1 % above 1.5 %");
                page.waitFor("the raised alarm", "document.querySelector('tr[data-id=\"al-1\"] button.ack') !== null");
                page.eval("document.querySelector('tr[data-id=\"al-1\"] button.ack').click()");
                page.waitFor("the acknowledgement", "(document.querySelector('tr[data-id=\"al-1\"] .acked') || {}).textContent === '✓ olga'");
                page.screenshot(SHOTS.resolve("alarms.png"));

                // gallery with a few crops
                for (int k = 0; k < 7; k++) {
                    upload(server.httpUrl() + "api/device/crops/live-" + k, crop(k));
                }
                go(page, server.httpUrl() + "gallery");
                page.waitFor("cards", "document.querySelectorAll('.crop').length >= 20");
                page.waitFor("line filter", "document.querySelector('#line option[value=\"north-mill/line-1\"]') !== null");
                page.eval("document.getElementById('line').value = 'north-mill/line-1'");
                page.eval("document.getElementById('filter').requestSubmit()");
                page.waitFor("only line 1", "document.querySelectorAll('.crop').length === 24");
                page.waitFor("crops loaded", "[...document.querySelectorAll('.crop img')].filter(i => i.complete && i.naturalWidth > 0).length >= 6");
                page.eval("document.querySelector('.crop[data-id=\"live-2\"] button').click()");
                page.waitFor("marked", "document.querySelector('.crop[data-id=\"live-2\"]').classList.contains('marked')");
                page.screenshot(SHOTS.resolve("gallery.png"));

                // refused: an operator may not see the fleet
                page.eval("location.href = '/fleet'");
                page.waitFor("the refusal page", "location.pathname === '/forbidden' && document.getElementById('refused') !== null");
                page.waitFor("the path named", "document.getElementById('path').textContent === '/fleet'");
                page.screenshot(SHOTS.resolve("refused.png"));
                page.eval("document.getElementById('logout') && document.getElementById('logout').click()");
                page.waitFor("logged out", "location.pathname === '/login'");

                // engineer: fleet, device detail, test-fire
                login(page, "erik");
                go(page, server.httpUrl() + "fleet");
                page.waitFor("devices", "document.querySelectorAll('#devices tr').length === 4");
                assertThat(page.eval("document.querySelectorAll('#devices tr.offline').length").asInt()).isEqualTo(1);
                // offline, it still shows what it last ran (the last will carries no version)
                assertThat(page.text("document.querySelector('#devices tr.offline').textContent")).contains("0.4.0")
                        .contains("colour-1.1.0");
                // line-2's device dropped 12 frames beside 300 inspected: marked, the others not
                assertThat(page.text("document.querySelector('#devices tr[data-device=\"pi-line-2\"] td.bad').textContent"))
                        .isEqualTo("3.8 %");
                assertThat(page.eval("document.querySelectorAll('#devices td.bad').length").asInt()).isEqualTo(1);
                assertThat(page.text("document.querySelector('#devices tr[data-device=\"pi-line-2\"] .audit-cameras').textContent"))
                        .isEqualTo("audit: cam-uv");
                page.screenshot(SHOTS.resolve("fleet.png"));
                assertThat(page.eval("document.getElementById('dead-panel').hidden").asBoolean())
                        .as("nothing refused: no panel").isTrue();

                // a message the database refuses (a rule standing for any value it cannot hold) is shown, not lost
                try (java.sql.Connection c = server.store().database().connection();
                     java.sql.Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE reject_events ADD CONSTRAINT refuse_poison CHECK (class_name <> 'poison')");
                }
                line1.reject("poisoned-1", "poison", 0.9);
                line1.reject("after-poison", "straw", 0.9);
                go(page, server.httpUrl() + "fleet");
                page.waitFor("the refused message", "!document.getElementById('dead-panel').hidden "
                        + "&& document.querySelectorAll('#dead tr').length === 1");
                assertThat(page.text("document.getElementById('dead').textContent")).contains("poisoned-1")
                        .contains("events/reject").containsIgnoringCase("refuse_poison");
                long stored = 0;
                for (int i = 0; i < 100 && stored == 0; i++) {
                    try (java.sql.Connection c = server.store().database().connection();
                         java.sql.Statement st = c.createStatement();
                         java.sql.ResultSet rs = st.executeQuery(
                                 "SELECT COUNT(*) FROM reject_events WHERE id = 'after-poison'")) {
                        rs.next();
                        stored = rs.getLong(1);
                    }
                    if (stored == 0) {
                        Thread.sleep(100);
                    }
                }
                assertThat(stored).as("the message after it was stored").isEqualTo(1);
                page.screenshot(SHOTS.resolve("fleet-refused.png"));
                // and raises a warning on its line until it is stored again
                final dev.winnow.server.fleet.FleetStore fleet = new dev.winnow.server.fleet.FleetStore(
                        server.store().database(), server.store());
                assertThat(fleet.activeAlarms(Instant.now()))
                        .filteredOn(a -> EventStore.DEAD_LETTER_CAUSE.equals(a.cause()))
                        .singleElement()
                        .satisfies(a -> assertThat(a.device() + " " + a.message()).startsWith("pi-line-1 ")
                                .contains("fleet page"));
                page.eval("document.querySelector('#dead button.again').click()");
                page.waitFor("refused again", "document.getElementById('dead-msg').textContent.includes('refused it again')");
                assertThat(page.eval("document.querySelectorAll('#dead tr').length").asInt()).as("still kept").isEqualTo(1);
                try (java.sql.Connection c = server.store().database().connection();
                     java.sql.Statement st = c.createStatement()) {
                    st.execute("ALTER TABLE reject_events DROP CONSTRAINT refuse_poison");
                }
                page.waitFor("the button again", "document.querySelector('#dead button.again:not([disabled])') !== null");
                page.eval("document.querySelector('#dead button.again').click()");
                page.waitFor("stored", "document.getElementById('dead-msg').textContent.includes('stored')"
                        + " && document.getElementById('dead-panel').hidden");
                try (java.sql.Connection c = server.store().database().connection();
                     java.sql.Statement st = c.createStatement();
                     java.sql.ResultSet rs = st.executeQuery(
                             "SELECT COUNT(*) FROM reject_events WHERE id = 'poisoned-1'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("stored again").isEqualTo(1);
                }
                assertThat(server.store().deadLetterCount()).isZero();
                assertThat(fleet.activeAlarms(Instant.now())).as("the warning cleared")
                        .noneMatch(a -> EventStore.DEAD_LETTER_CAUSE.equals(a.cause()));
                // Going back and forth between live pages must not use up the browser's six connections to the
                // server: each page's live stream ends when the page is left.
                for (int k = 0; k < 4; k++) {
                    go(page, server.httpUrl() + "alarms");
                    page.waitFor("live", "document.getElementById('live-text').textContent === 'live'");
                    go(page, server.httpUrl() + "fleet");
                    page.waitFor("devices", "document.querySelectorAll('#devices tr').length === 4");
                }
                // line 1's Pi lost its time after a power cut: its clock is 1 h 2 min behind the server's
                // (its right readings of the last 20 s still count, so it sends until the server has judged it)
                for (int k = 0; k < 100; k++) {
                    line1.statsEnding(Instant.now().minus(java.time.Duration.ofMinutes(62)), java.time.Duration.ofMillis(400));
                    Thread.sleep(400);
                    final var reading = server.clocks().reading("north-mill", "line-1", "pi-line-1");
                    if (reading != null && reading.off()) {
                        break;
                    }
                }
                go(page, server.httpUrl() + "fleet");
                page.waitFor("the clock marked", "document.querySelector('#devices tr[data-device=\"pi-line-1\"] .clock-off') !== null");
                assertThat(page.text("document.querySelector('#devices tr[data-device=\"pi-line-1\"] .clock-off').textContent"))
                        .isEqualTo("clock 1 h 2 min behind");
                assertThat(page.eval("document.querySelectorAll('#devices .clock-off').length").asInt()).isEqualTo(1);
                page.screenshot(SHOTS.resolve("fleet-clock.png"));
                go(page, server.httpUrl() + "devices/north-mill/line-1/pi-line-1");
                page.waitFor("device info", "document.querySelectorAll('#info dt').length > 5");
                assertThat(page.text("document.getElementById('info').innerText"))
                        .contains("1 h 2 min behind the server: give it a time server");
                page.eval("document.querySelector('#fire button').click()");
                page.waitFor("test-fire answered", "!document.getElementById('cmd-msg').textContent.includes('waiting') && document.getElementById('cmd-msg').textContent !== ''");
                assertThat(page.text("document.getElementById('cmd-msg').textContent")).isEqualTo("Test-fire: done.");
                page.eval("document.getElementById('config').value = 'detector:\\n  threshold: 1.5\\n'");
                page.eval("document.getElementById('send-config').click()");
                page.waitFor("config refused", "document.getElementById('cfg-msg').textContent.includes('between 0 and 1')");
                assertThat(line1.received).anySatisfy(c -> assertThat(c.name()).isEqualTo("test-fire"));
                page.screenshot(SHOTS.resolve("device.png"));
                // model registry: upload with a progress bar, validation progress pushed live
                go(page, server.httpUrl() + "models");
                page.waitFor("live", "document.getElementById('live-text').textContent === 'live'");
                // the model with a verifier: choosing its card asks for the verifier's two files
                final Path models = Path.of("..", "models", "src", "test", "resources", "models", "yolo-verified");
                final String files = "const f = (b64, name) => { const b = Uint8Array.from(atob(b64), c => c.charCodeAt(0));"
                        + " const dt = new DataTransfer(); dt.items.add(new File([b], name)); return dt.files; };";
                page.eval("(() => { " + files
                        + " document.getElementById('onnx').files = f('" + b64(models.resolve("model.onnx")) + "', 'model.onnx');"
                        + " const card = document.getElementById('card');"
                        + " card.files = f('" + b64(models.resolve("model.json")) + "', 'model.json');"
                        + " card.dispatchEvent(new Event('change')); return true; })()");
                page.waitFor("the verifier's inputs", "document.querySelectorAll('#verifiers input').length === 2");
                assertThat(page.text("document.getElementById('verifiers').innerText"))
                        .contains("twine-check/model.onnx (verifier of pp_twine)");
                page.eval("(() => { " + files
                        + " document.querySelector('[data-part=\"verify.twine-check.onnx\"]').files = f('"
                        + b64(models.resolve("twine-check/model.onnx")) + "', 'model.onnx');"
                        + " document.querySelector('[data-part=\"verify.twine-check.card\"]').files = f('"
                        + b64(models.resolve("twine-check/model.json")) + "', 'model.json'); return true; })()");
                page.eval("document.getElementById('upload').requestSubmit()");
                page.waitFor("the upload bar full", "document.getElementById('up-bar').style.width === '100%'");
                page.waitFor("a valid model", "document.querySelector('#models tr .badge.valid') !== null", java.time.Duration.ofSeconds(60));
                assertThat(page.text("document.querySelector('#models tr').innerText"))
                        .contains("+ twine-check (checks each pp_twine)").contains("each pp_twine is checked by twine-check");
                assertThat(page.eval("(window.__winnowProgress || []).some(s => s.startsWith('graph') || s.startsWith('reference'))")
                        .asBoolean()).as("validation progress was pushed").isTrue();
                page.screenshot(SHOTS.resolve("models.png"));

                // canary rollout to line 1 in audit mode, then roll back
                page.eval("document.querySelector('#models tr a.btn').click()");
                page.waitFor("the rollout form", "location.pathname === '/rollouts' && document.querySelectorAll('#targets input').length === 4"
                        + " && document.getElementById('model').options.length === 1");
                page.eval("document.querySelector('#targets input[value=\"north-mill/line-1/pi-line-1\"]').click()");
                page.eval("document.getElementById('start').requestSubmit()");
                try {
                    page.waitFor("the canary loaded", "document.querySelector('.rollout[data-state=\"canary\"] tr[data-device=\"pi-line-1\"] .badge.canary') !== null");
                } catch (AssertionError e) {
                    page.screenshot(SHOTS.resolve("rollout-failed.png"));
                    throw new AssertionError(e.getMessage() + "; page: " + page.text("document.querySelector('main').innerText"), e);
                }
                assertThat(line1.received).anySatisfy(c -> assertThat(c.name()).isEqualTo("deploy-model"));
                page.screenshot(SHOTS.resolve("rollout-canary.png"));
                page.eval("document.querySelector('.rollout[data-state=\"canary\"] button.rollback').click()");
                page.waitFor("rolled back", "document.querySelector('.rollout[data-state=\"rolled_back\"] tr[data-device=\"pi-line-1\"] .badge.rolled_back') !== null");
                assertThat(line1.received).anySatisfy(c -> assertThat(c.name()).isEqualTo("rollback-model"));
                page.screenshot(SHOTS.resolve("rollouts.png"));

                // admin: users, tokens, audit log
                page.eval("document.getElementById('logout').click()");
                page.waitFor("logged out", "location.pathname === '/login'");
                page.eval("document.getElementById('username').value = 'admin'");
                page.eval("document.getElementById('password').value = '" + server.controlRoom().initialAdminPassword() + "'");
                page.eval("document.getElementById('login').requestSubmit()");
                page.waitFor("logged in", "location.pathname === '/'");
                go(page, server.httpUrl() + "admin");
                page.waitFor("the audit log", "document.querySelectorAll('#audit tr').length > 5");
                assertThat(page.text("document.getElementById('audit').textContent")).contains("alarm.ack").contains("olga")
                        .contains("rollout.rollback");
                page.screenshot(SHOTS.resolve("admin.png"));

                // a tablet
                page.resize(1024, 768);
                go(page, server.httpUrl());
                page.waitFor("cards", "document.querySelectorAll('.lcard').length === 4");
                assertThat(page.eval("document.documentElement.scrollWidth <= window.innerWidth").asBoolean()).isTrue();
                page.screenshot(SHOTS.resolve("overview-tablet.png"));
            } finally {
                for (SimDevice d : devices) {
                    d.close();
                }
            }
        }
    }

    static void login(final Chromium.Page page, final String user) throws Exception {
        page.waitFor("the login form", "document.getElementById('username') !== null");
        page.eval("document.getElementById('username').value = '" + user + "'");
        page.eval("document.getElementById('password').value = '" + PW + "'");
        page.eval("document.getElementById('login').requestSubmit()");
        page.waitFor("logged in", "location.pathname === '/'");
        page.waitFor("the user shown", "document.getElementById('who-name') !== null");
    }

    static void go(final Chromium.Page page, final String url) throws Exception {
        page.navigate(url);
        page.waitFor("the user shown", "document.getElementById('who-name') !== null");
    }

    static String b64(final Path p) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p));
    }

    static void upload(final String url, final byte[] jpeg) throws Exception {
        final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static byte[] crop(final int k) throws Exception {
        final BufferedImage img = new BufferedImage(160, 160, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        final Random r = new Random(k);
        g.setColor(new Color(222, 214, 196));
        g.fillRect(0, 0, 160, 160);
        g.setColor(new Color(205, 196, 175));
        for (int i = 0; i < 400; i++) {
            final int x = r.nextInt(160), y = r.nextInt(160);
            g.drawLine(x, y, x + r.nextInt(30) - 15, y + r.nextInt(6) - 3);
        }
        g.setColor(k % 2 == 0 ? new Color(230, 190, 60) : new Color(70, 140, 230));
        g.setStroke(new java.awt.BasicStroke(4 + k));
        g.drawLine(30 + k * 5, 40, 120, 110 - k * 6);
        g.dispose();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }
}
