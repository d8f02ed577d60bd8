package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.protocol.DecodeError;
import dev.winnow.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real server (embedded HiveMQ, H2, Javalin) on random ports; devices are real Paho clients,
 * pages are real HTTP. Each test uses its own line so they do not see each other's data.
 * {@link PostgresServerEndToEndTest} runs the same tests against a real PostgreSQL server; the fields are
 * per instance (one instance per class) so the two classes never share a server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** Unique per run, so the suite can also run against a persistent database (-Dwinnow.test.db-url=...). */
    static final String SITE = "mill-" + Long.toString(System.nanoTime() % 1_000_000L, 36);

    WinnowServer server;
    Devices device;
    HttpClient http;

    /** The database under test: embedded H2 unless {@code -Dwinnow.test.db-url=...} names another. */
    protected ServerConfig database(final ServerConfig config) throws Exception {
        final String dbUrl = System.getProperty("winnow.test.db-url");
        if (dbUrl != null && !dbUrl.isBlank()) {
            return config.withDb(dbUrl, System.getProperty("winnow.test.db-user"),
                    System.getProperty("winnow.test.db-password"));
        }
        return config;
    }

    /** Called after the server has stopped, to stop what {@link #database} started. */
    protected void afterServerStopped() throws Exception {
    }

    /** {@code @TempDir} as a parameter: JUnit fills instance fields only per test, after {@code @BeforeAll}. */
    @BeforeAll
    void start(@TempDir final Path data) throws Exception {
        server = WinnowServer.start(database(ServerConfig.ephemeral(data)));
        device = new Devices(server.mqttUrl(), "test-device");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (device != null) {
                device.close();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            afterServerStopped();
        }
    }

    /** Waits, and on timeout says what the ingest saw (received, stored, refused...). */
    private void await(final String what, final java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        Await.until(what, WAIT, condition, () -> "; ingest counters " + server.ingestCounters().snapshot());
    }

    @Test
    void storesEveryRejectionExactlyOnce() throws Exception {
        final int n = 300;
        for (int i = 0; i < n; i++) {
            device.publish(SITE, "many", "pi-1", Devices.reject("many-" + i, i % 3 == 0 ? "twine" : "plastic_film"));
        }
        await(n + " stored", () -> server.store().latestRejections(SITE, "many", 1000).size() >= n);
        Thread.sleep(300); // nothing more may arrive
        assertThat(server.store().latestRejections(SITE, "many", 1000)).hasSize(n);
        final JsonNode summary = getJson("/api/lines/" + SITE + "/many/summary?minutes=30");
        assertThat(summary.get("total").asLong()).isEqualTo(n);
        assertThat(summary.get("lastMinute").asLong()).isEqualTo(n);
        assertThat(summary.get("minuteStarts")).hasSize(30);
        assertThat(summary.get("classes").get(0).get("class").asText()).isEqualTo("plastic_film");
        assertThat(summary.get("classes").get(0).get("total").asLong()).isEqualTo(200);
        assertThat(summary.get("classes").get(1).get("total").asLong()).isEqualTo(100);
    }

    @Test
    void duplicateIdIsStoredOnce() throws Exception {
        final long dupsBefore = server.ingestCounters().duplicates();
        device.publish(SITE, "dup", "pi-1", Devices.reject("dup-1", "straw"));
        device.publish(SITE, "dup", "pi-1", Devices.reject("dup-1", "straw"));
        device.publish(SITE, "dup", "pi-1", Devices.reject("dup-2", "straw"));
        await("the duplicate counted", () -> server.ingestCounters().duplicates() >= dupsBefore + 1);
        await("dup-2 stored", () -> server.store().latestRejections(SITE, "dup", 10).size() >= 2);
        assertThat(server.store().latestRejections(SITE, "dup", 10)).extracting(r -> r.id())
                .containsExactlyInAnyOrder("dup-1", "dup-2");
        assertThat(getJson("/api/lines/" + SITE + "/dup/summary").get("total").asLong()).isEqualTo(2);
    }

    @Test
    void badInputIsCountedByRuleAndChangesNothing() throws Exception {
        final var c = server.ingestCounters();
        final long notJson = c.rejected(DecodeError.Rule.NOT_JSON);
        final long badTopic = c.rejected(DecodeError.Rule.BAD_TOPIC);
        final long missing = c.rejected(DecodeError.Rule.MISSING_FIELD);
        device.publishRaw("winnow/v1/" + SITE + "/bad/pi-1/events/reject", "this is not json");
        device.publishRaw("winnow/v1/" + SITE + "/bad/pi-1/events/reject", "{\"schema\":1,\"id\":\"x\"}");
        device.publish("winnow/v1/Mill!/bad/pi-1/events/reject",
                dev.winnow.protocol.WireCodec.encode(Devices.reject("bad-topic-1", "straw")), false);
        await("three refusals", () -> c.rejected(DecodeError.Rule.NOT_JSON) > notJson
                && c.rejected(DecodeError.Rule.BAD_TOPIC) > badTopic
                && c.rejected(DecodeError.Rule.MISSING_FIELD) > missing);
        // a good message after the bad ones still goes through: the ingest lives on
        device.publish(SITE, "bad", "pi-1", Devices.reject("after-bad-1", "feather"));
        Await.until("the good one stored", WAIT,
                () -> server.store().latestRejections(SITE, "bad", 10).size() == 1);
        assertThat(server.store().latestRejections(SITE, "bad", 10)).extracting(r -> r.id())
                .containsExactly("after-bad-1");
        final HttpResponse<String> health = get("/api/health");
        assertThat(health.statusCode()).isEqualTo(200);
        final JsonNode h = JSON.readTree(health.body());
        assertThat(h.get("status").asText()).isEqualTo("up");
        assertThat(h.at("/ingest/counters/rejectedByRule/NOT_JSON").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(h.at("/ingest/counters/rejectedByRule/BAD_TOPIC").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void livePagesGetNewRejectionsPushedOverSse() throws Exception {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final HttpRequest req = HttpRequest.newBuilder(uri("/api/lines/" + SITE + "/live/events"))
                .header("Accept", "text/event-stream").build();
        final HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        final Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (Exception ignored) {
                // closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        await("hello", () -> lines.contains("event: hello"));
        await("the watcher registered", () -> server.liveHub().watching(SITE, "live") == 1);
        device.publish(SITE, "live", "pi-1", Devices.reject("live-1", "twine"));
        await("the pushed rejection", () -> lines.stream().anyMatch(l -> l.startsWith("data:")
                && l.contains("\"rejections\"") && l.contains("live-1")));
        await("a pushed summary counting it", () -> lines.stream().anyMatch(l -> l.startsWith("data:")
                && l.contains("\"lastMinute\":1")));
        res.body().close();
    }

    @Test
    void apiListsLinesAndRefusesBadParameters() throws Exception {
        device.publish(SITE, "api", "pi-9", Devices.online());
        device.publish(SITE, "api", "pi-9", Devices.reject("api-1", "coloured_fibre"));
        await("stored", () -> server.store().latestRejections(SITE, "api", 10).size() == 1);
        final JsonNode lines = getJson("/api/lines").get("lines");
        JsonNode api = null;
        for (JsonNode l : lines) {
            if (l.get("site").asText().equals(SITE) && l.get("line").asText().equals("api")) {
                api = l;
            }
        }
        assertThat(api).isNotNull();
        assertThat(api.get("devices").asInt()).isEqualTo(1);
        assertThat(api.get("online").asInt()).isEqualTo(1);
        assertThat(api.get("lastMinute").asLong()).isEqualTo(1);
        final JsonNode r = getJson("/api/lines/" + SITE + "/api/rejections?limit=5").get("rejections").get(0);
        assertThat(r.get("id").asText()).isEqualTo("api-1");
        assertThat(r.get("class").asText()).isEqualTo("coloured_fibre");
        assertThat(r.get("valves").toString()).isEqualTo("[7,8]");
        assertThat(r.get("time").asText()).endsWith("Z");
        assertThat(get("/api/lines/" + SITE + "/api/rejections?limit=abc").statusCode()).isEqualTo(400);
        assertThat(get("/api/lines/" + SITE + "/api/summary?minutes=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/lines/Mill!/api/summary").statusCode()).isEqualTo(400);
        final HttpResponse<String> page = get("/lines/mill/api");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/assets/line.js");
        assertThat(get("/assets/line.js").statusCode()).isEqualTo(200);
        assertThat(get("/assets/winnow.css").statusCode()).isEqualTo(200);
        assertThat(get("/").body()).contains("/assets/index.js");
    }

    private URI uri(final String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    private HttpResponse<String> get(final String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(final String path) throws Exception {
        final HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
